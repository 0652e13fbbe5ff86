package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// simMembership is a membership as internal/whopsim answers it.
const simMembership = `{"id":"mem_8fKq2LxZ0aBcDe","status":"active","valid":true,"email":"dana.lee@example.com",` +
	`"metadata":{"plan_note":"winter comp","seats":3},"expires_at":null,"renewal_period_start":1790000000,` +
	`"renewal_period_end":1800000000,"created_at":1700000000,"company_id":"biz_5c800aeaca","product":"prod_eaca4509",` +
	`"user":"user_0aeaca450906","plan":"plan_0aeaca45","promo_code":null,"cancel_at_period_end":false,` +
	`"payment_processor":"stripe","license_key":"50906-EACA4-C800A","quantity":1,` +
	`"manage_url":"https://whop.com/orders/mem_8fKq2LxZ0aBcDe/manage"}`

// apiMembership is a membership with the fields of the v2 Membership
// schema (../shared/whop-v2.openapi.json), nested values included.
const apiMembership = `{
  "id": "mem_Hq7Tz0XcVbNm21",
  "company_id": "biz_Lk9Pq2Wd8sRt4e",
  "product": "prod_Zx3Cv5Bn7Mq1We",
  "user": "user_Po0Iu9Yt8Re7Wq",
  "plan": "plan_As2Df4Gh6Jk8Lz",
  "promo_code": null,
  "email": "sam.o'neil+whop@example.org",
  "stripe_subscription_id": "sub_1PqRsTuVwXyZ0123456789ab",
  "stripe_customer_id": "cus_QrStUvWxYz0123",
  "status": "past_due",
  "valid": false,
  "cancel_at_period_end": true,
  "payment_processor": "stripe",
  "license_key": "A1B2C-D3E4F-G5H6I",
  "metadata": {"campaign": "spring \"vip\" \u00e9t\u00e9", "tier": 2, "tags": ["early", "beta"], "ok": true},
  "acquisition_data": {"utm_source": "newsletter", "utm_medium": "email", "utm_campaign": null},
  "quantity": 1,
  "wallet_address": null,
  "custom_field_responses": [
    {"id": "cfr_1", "question": "Discord handle?", "answer": "sam#0420"},
    {"id": "cfr_2", "question": "Where did you hear of us? \ud83d\ude80", "answer": "a friend"}
  ],
  "custom_fields_responses": {},
  "custom_fields_responses_v2": {"q1": {"question": "Team size", "answer": "3-5"}},
  "discord": {"id": "312345678901234567", "username": "sam_o"},
  "nft_tokens": null,
  "expires_at": null,
  "renewal_period_start": 1793577600,
  "renewal_period_end": 1796256000,
  "created_at": 1761955200,
  "manage_url": "https://whop.com/orders/mem_Hq7Tz0XcVbNm21/manage",
  "affiliate_page_url": "https://whop.com/acme/?a=sam_o",
  "checkout_session": "ch_0123456789abcde",
  "affiliate_username": null,
  "access_pass": "prod_Zx3Cv5Bn7Mq1We",
  "telegram_account_id": null,
  "phone_number": "+15555550123",
  "split_pay_required_payments": 0
}`

// sameDecoding fails t unless decodeMembership and the encoding/json
// reference agree on body: both fail with the same error (message, type
// and offset), or both succeed with the same fields.
func sameDecoding(t *testing.T, body []byte) {
	t.Helper()
	got, gotErr := decodeMembership(body)
	want, wantErr := refDecodeMembership(body)
	if (gotErr == nil) != (wantErr == nil) {
		t.Fatalf("decode %q:\n got  %+v, %v\n want %+v, %v", body, got, gotErr, want, wantErr)
	}
	if wantErr != nil {
		if gotErr.Error() != wantErr.Error() {
			t.Fatalf("decode %q: error\n got  %v\n want %v", body, gotErr, wantErr)
		}
		if g, w := errorDetail(gotErr), errorDetail(wantErr); g != w {
			t.Fatalf("decode %q: error detail\n got  %s\n want %s", body, g, w)
		}
		return
	}
	if g, w := describe(got), describe(want); g != w {
		t.Fatalf("decode %q:\n got  %s\n want %s", body, g, w)
	}
}

// errorDetail is what an error carries beyond its message.
func errorDetail(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("syntax error at %d", se.Offset)
	case errors.As(err, &te):
		return fmt.Sprintf("type error %q into %v at %d, %s.%s", te.Value, te.Type, te.Offset, te.Struct, te.Field)
	}
	return fmt.Sprintf("%T", errors.Unwrap(err))
}

// describe spells out every field of m, telling nil from empty.
func describe(m *Membership) string {
	ts := func(p *int64) string {
		if p == nil {
			return "nil"
		}
		return fmt.Sprint(*p)
	}
	md := "nil"
	if m.Metadata != nil {
		md = fmt.Sprintf("%+q", m.Metadata)
	}
	return fmt.Sprintf("id=%+q status=%+q valid=%v email=%+q metadata=%s expires=%s start=%s end=%s created=%s http=%d",
		m.ID, m.Status, m.Valid, m.Email, md, ts(m.ExpiresAt), ts(m.RenewalPeriodStart),
		ts(m.RenewalPeriodEnd), ts(m.CreatedAt), m.HTTPStatus)
}

func TestDecodeMembershipRealistic(t *testing.T) {
	tests := []struct {
		name, body string
		want       Membership
	}{
		{"simulator", simMembership, Membership{
			ID: "mem_8fKq2LxZ0aBcDe", Status: "active", Valid: true, Email: "dana.lee@example.com",
			Metadata:           json.RawMessage(`{"plan_note":"winter comp","seats":3}`),
			RenewalPeriodStart: i64(1790000000), RenewalPeriodEnd: i64(1800000000), CreatedAt: i64(1700000000),
		}},
		{"v2 schema", apiMembership, Membership{
			ID: "mem_Hq7Tz0XcVbNm21", Status: "past_due", Valid: false, Email: "sam.o'neil+whop@example.org",
			Metadata:           json.RawMessage(`{"campaign": "spring \"vip\" \u00e9t\u00e9", "tier": 2, "tags": ["early", "beta"], "ok": true}`),
			RenewalPeriodStart: i64(1793577600), RenewalPeriodEnd: i64(1796256000), CreatedAt: i64(1761955200),
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := decodeMembership([]byte(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := describe(m), describe(&tt.want); got != want {
				t.Errorf("got  %s\nwant %s", got, want)
			}
			sameDecoding(t, []byte(tt.body))
		})
	}
}

// decodeCases are bodies with what decodeMembership must make of them: the
// fields it reads (as describe spells them, only those named) or an error
// containing wantErr.
var decodeCases = []struct {
	name, body string
	want       []string // "field=value" items of describe's output
	wantErr    string
}{
	// Strings and escapes.
	{"escapes", `{"id":"mem_a","email":"a\u0040b.c\n\t\"\\\/\b\f\r"}`, []string{`email="a@b.c\n\t\"\\/\b\f\r"`}, ""},
	{"surrogate pair", `{"id":"mem_a","email":"\ud83d\ude00"}`, []string{`email="\U0001f600"`}, ""},
	{"upper-case hex", `{"id":"mem_a","email":"\uD83D\uDE00\u00E9"}`, []string{`email="\U0001f600\u00e9"`}, ""},
	{"lone high surrogate", `{"id":"mem_a","email":"x\ud83dy"}`, []string{`email="x\ufffdy"`}, ""},
	{"high surrogate then other escape", `{"id":"mem_a","email":"\ud83d\u0041"}`, []string{`email="\ufffdA"`}, ""},
	{"high surrogate at end", `{"id":"mem_a","email":"\ud83d"}`, []string{`email="\ufffd"`}, ""},
	{"two high surrogates then low", `{"id":"mem_a","email":"\ud83d\ud83d\ude00"}`, []string{`email="\ufffd\U0001f600"`}, ""},
	{"low surrogate first", `{"id":"mem_a","email":"\ude00\ud83d\ude00"}`, []string{`email="\ufffd\U0001f600"`}, ""},
	{"high surrogate then escaped newline", `{"id":"mem_a","email":"\ud83d\n"}`, []string{`email="\ufffd\n"`}, ""},
	{"raw UTF-8", `{"id":"mem_a","email":"jörg@ex.de"}`, []string{`email="j\u00f6rg@ex.de"`}, ""},
	{"invalid UTF-8", "{\"id\":\"mem_a\",\"email\":\"a\xffb\xc3\"}", []string{`email="a\ufffdb\ufffd"`}, ""},
	{"encoded surrogate", "{\"id\":\"mem_a\",\"email\":\"\xed\xa0\x80\"}", []string{`email="\ufffd\ufffd\ufffd"`}, ""},
	{"invalid UTF-8 and escape", "{\"id\":\"mem_a\",\"email\":\"\xff\\n\"}", []string{`email="\ufffd\n"`}, ""},
	{"NUL escape and DEL", "{\"id\":\"mem_a\",\"email\":\"\\u0000\x7f\"}", []string{`email="\x00\x7f"`}, ""},
	{"escaped id", `{"id":"mem_\u0061"}`, []string{`id="mem_a"`}, ""},
	{"unknown status", `{"id":"mem_a","status":"paused"}`, []string{`status="paused"`}, ""},
	{"escaped status", `{"id":"mem_a","status":"\u0061ctive"}`, []string{`status="active"`}, ""},

	// Keys.
	{"keys fold case", `{"ID":"mem_a","Status":"active","VALID":true,"eMail":"e","Expires_At":5}`,
		[]string{`id="mem_a"`, `status="active"`, `valid=true`, `email="e"`, `expires=5`}, ""},
	{"escaped key", `{"\u0069d":"mem_a","st\u0061tus":"active"}`, []string{`id="mem_a"`, `status="active"`}, ""},
	{"escaped upper-case key", `{"\u0049D":"mem_a"}`, []string{`id="mem_a"`}, ""},
	{"long s folds to s", `{"id":"mem_a","ſtatus":"active","\u017ftatus":"expired"}`, []string{`status="expired"`}, ""},
	{"dotless i does not fold to i", `{"ıd":"mem_a"}`, nil, "no id in answer"},
	{"dotted I does not fold to i", `{"İd":"mem_a"}`, nil, "no id in answer"},
	{"exact name after folded one", `{"ID":"mem_b","id":"mem_a"}`, []string{`id="mem_a"`}, ""},
	{"folded name after exact one", `{"id":"mem_a","ID":"mem_b"}`, []string{`id="mem_b"`}, ""},
	{"key with invalid UTF-8", "{\"id\":\"mem_a\",\"status\xff\":\"x\"}", []string{`status=""`}, ""},
	{"key with long escape", `{"id":"mem_a","\u0041\u0042\u0043\u0044\u0045\u0046\u0047\u0048\u0049\u004a\u004b":1}`, []string{`id="mem_a"`}, ""},
	{"near names", `{"id":"mem_a","ids":"x","statu":"y","valid_":true,"e-mail":"z"}`,
		[]string{`status=""`, `valid=false`, `email=""`}, ""},

	// Repeated keys and null.
	{"last id wins", `{"id":"mem_a","id":"mem_b"}`, []string{`id="mem_b"`}, ""},
	{"null keeps a string", `{"id":"mem_a","id":null}`, []string{`id="mem_a"`}, ""},
	{"null keeps a bool", `{"id":"mem_a","valid":true,"valid":null}`, []string{`valid=true`}, ""},
	{"false after true", `{"id":"mem_a","valid":true,"valid":false}`, []string{`valid=false`}, ""},
	{"null clears a timestamp", `{"id":"mem_a","expires_at":5,"expires_at":null}`, []string{`expires=nil`}, ""},
	{"last metadata wins", `{"id":"mem_a","metadata":{"a":1},"metadata":{"b":2}}`, []string{`metadata="{\"b\":2}"`}, ""},
	{"null metadata after object", `{"id":"mem_a","metadata":{"a":1},"metadata":null}`, []string{`metadata=nil`}, ""},

	// Metadata is the raw value.
	{"metadata spacing kept", `{"id":"mem_a","metadata" : { "a" : [ 1 , 2 ] } }`, []string{`metadata="{ \"a\" : [ 1 , 2 ] }"`}, ""},
	{"metadata string raw", `{"id":"mem_a","metadata":"x\u0041"}`, []string{`metadata="\"x\\u0041\""`}, ""},
	{"metadata number", `{"id":"mem_a","metadata":-1.5e3}`, []string{`metadata="-1.5e3"`}, ""},
	{"metadata false", `{"id":"mem_a","metadata":false}`, []string{`metadata="false"`}, ""},
	{"metadata empty object", `{"id":"mem_a","metadata":{}}`, []string{`metadata="{}"`}, ""},
	{"metadata absent", `{"id":"mem_a"}`, []string{`metadata=nil`}, ""},

	// Timestamps.
	{"integer", `{"id":"mem_a","created_at":-17}`, []string{`created=-17`}, ""},
	{"max int64", `{"id":"mem_a","created_at":9223372036854775807}`, []string{`created=9223372036854775807`}, ""},
	{"float without fraction", `{"id":"mem_a","renewal_period_end":1.8e9}`, []string{`end=1800000000`}, ""},
	{"float with zero fraction", `{"id":"mem_a","renewal_period_end":1800000000.000}`, []string{`end=1800000000`}, ""},
	{"negative zero", `{"id":"mem_a","created_at":-0.0}`, []string{`created=0`}, ""},
	{"underflow", `{"id":"mem_a","created_at":1e-400}`, []string{`created=0`}, ""},
	{"largest exact float", `{"id":"mem_a","created_at":9007199254740991.0}`, []string{`created=9007199254740991`}, ""},
	{"numeric string", `{"id":"mem_a","expires_at":"1800000000"}`, []string{`expires=1800000000`}, ""},
	{"float string", `{"id":"mem_a","expires_at":"1e3"}`, []string{`expires=1000`}, ""},
	{"escaped numeric string", `{"id":"mem_a","expires_at":"\u0031\u0032"}`, []string{`expires=12`}, ""},
	{"signed string", `{"id":"mem_a","expires_at":"+5"}`, []string{`expires=5`}, ""},
	{"leading zeros string", `{"id":"mem_a","expires_at":"-007"}`, []string{`expires=-7`}, ""},
	{"RFC 3339", `{"id":"mem_a","expires_at":"2026-12-01T00:00:00Z"}`, []string{`expires=1796083200`}, ""},
	{"RFC 3339 with offset", `{"id":"mem_a","expires_at":"2026-12-01T02:00:00+02:00"}`, []string{`expires=1796083200`}, ""},
	{"all four", `{"id":"mem_a","expires_at":1,"renewal_period_start":2,"renewal_period_end":3,"created_at":4}`,
		[]string{`expires=1`, `start=2`, `end=3`, `created=4`}, ""},
	{"fraction", `{"id":"mem_a","expires_at":1.5}`, nil, "timestamp 1.5: not a number or string"},
	{"too large for a float", `{"id":"mem_a","expires_at":9007199254740992.0}`, nil, "not a number or string"},
	{"too large for int64", `{"id":"mem_a","expires_at":99999999999999999999}`, nil, "not a number or string"},
	{"overflow", `{"id":"mem_a","expires_at":1e400}`, nil, "not a number or string"},
	{"fraction string", `{"id":"mem_a","expires_at":"1.5"}`, nil, `timestamp "1.5": parsing time`},
	{"word", `{"id":"mem_a","expires_at":"soon"}`, nil, `timestamp "soon": parsing time`},
	{"empty string", `{"id":"mem_a","expires_at":""}`, nil, `timestamp "": parsing time`},
	{"bool", `{"id":"mem_a","expires_at":true}`, nil, "timestamp true: not a number or string"},
	{"object", `{"id":"mem_a","expires_at":{"s": 1}}`, nil, `timestamp {"s": 1}: not a number or string`},
	{"array", `{"id":"mem_a","created_at":[1]}`, nil, "timestamp [1]: not a number or string"},
	{"first timestamp error wins", `{"id":"mem_a","expires_at":"x","created_at":"y"}`, nil, `timestamp "x"`},
	{"timestamp error wins over type error", `{"id":5,"expires_at":true}`, nil, "timestamp true"},
	{"fields after a timestamp error", `{"expires_at":true,"id":5}`, nil, "timestamp true"},

	// Values of the wrong type.
	{"number id", `{"id":5}`, nil, "json: cannot unmarshal number into Go struct field wireMembership.id of type string"},
	{"bool status", `{"id":"mem_a","status":true}`, nil, "cannot unmarshal bool into Go struct field wireMembership.status of type string"},
	{"object email", `{"id":"mem_a","email":{"a":1}}`, nil, "cannot unmarshal object into Go struct field wireMembership.email"},
	{"array id", `{"id":["mem_a"]}`, nil, "cannot unmarshal array into Go struct field wireMembership.id"},
	{"string valid", `{"id":"mem_a","valid":"true"}`, nil, "cannot unmarshal string into Go struct field wireMembership.valid of type bool"},
	{"number valid", `{"id":"mem_a","valid":1}`, nil, "cannot unmarshal number into Go struct field wireMembership.valid of type bool"},
	{"first type error wins", `{"id":5,"valid":"x"}`, nil, "wireMembership.id"},
	{"type error under folded key", `{"ID":5}`, nil, "wireMembership.id"},
	{"top-level array", `[{"id":"mem_a"}]`, nil, "json: cannot unmarshal array into Go value of type client.wireMembership"},
	{"top-level string", `"mem_a"`, nil, "cannot unmarshal string into Go value"},
	{"top-level number", ` 5 `, nil, "cannot unmarshal number into Go value"},
	{"top-level bool", `true`, nil, "cannot unmarshal bool into Go value"},

	// No id.
	{"top-level null", `null`, nil, "decode membership: no id in answer"},
	{"empty object", `{}`, nil, "no id in answer"},
	{"empty id", `{"id":""}`, nil, "no id in answer"},
	{"only null id", `{"id":null}`, nil, "no id in answer"},

	// Invalid JSON, wherever it is and whatever came before it.
	{"empty", ``, nil, "unexpected end of JSON input"},
	{"space", " \n", nil, "unexpected end of JSON input"},
	{"unclosed", `{"id":"mem_a"`, nil, "unexpected end of JSON input"},
	{"unclosed string", `{"id":"mem_a`, nil, "unexpected end of JSON input"},
	{"trailing comma", `{"id":"mem_a",}`, nil, "invalid character '}'"},
	{"missing colon", `{"id" "mem_a"}`, nil, "invalid character"},
	{"missing comma", `{"id":"mem_a" "x":1}`, nil, "invalid character"},
	{"single quotes", `{'id':'mem_a'}`, nil, "invalid character"},
	{"unquoted key", `{id:"mem_a"}`, nil, "invalid character"},
	{"second value", `{"id":"mem_a"} {}`, nil, "after top-level value"},
	{"extra brace", `{"id":"mem_a"}}`, nil, "after top-level value"},
	{"byte order mark", "\ufeff{\"id\":\"mem_a\"}", nil, "invalid character"},
	{"NUL after value", "{\"id\":\"mem_a\"}\x00", nil, "after top-level value"},
	{"vertical tab", "{\"id\":\"mem_a\"}\v", nil, "after top-level value"},
	{"control character in string", "{\"id\":\"mem\ta\"}", nil, "in string literal"},
	{"bad escape", `{"id":"mem_a","email":"\x41"}`, nil, "in string escape code"},
	{"single-quote escape", `{"id":"mem_a","email":"\'"}`, nil, "in string escape code"},
	{"short unicode escape", `{"id":"mem_a","email":"\u12g4"}`, nil, "in \\u hexadecimal character escape"},
	{"truncated unicode escape", `{"id":"mem_a","email":"\u12`, nil, "in \\u hexadecimal character escape"},
	{"bad literal", `{"id":"mem_a","valid":tru}`, nil, "in literal true"},
	{"literal with suffix", `{"id":"mem_a","valid":truex}`, nil, "after object key:value pair"},
	{"capital literal", `{"id":"mem_a","valid":True}`, nil, "looking for beginning of value"},
	{"leading zero", `{"id":"mem_a","x":01}`, nil, "after object key:value pair"},
	{"bare minus", `{"id":"mem_a","x":-}`, nil, "in numeric literal"},
	{"dot without digits", `{"id":"mem_a","x":1.}`, nil, "after decimal point in numeric literal"},
	{"leading dot", `{"id":"mem_a","x":.5}`, nil, "looking for beginning of value"},
	{"plus sign", `{"id":"mem_a","x":+1}`, nil, "looking for beginning of value"},
	{"empty exponent", `{"id":"mem_a","x":1e}`, nil, "in exponent of numeric literal"},
	{"signed empty exponent", `{"id":"mem_a","x":1e+}`, nil, "in exponent of numeric literal"},
	{"NaN", `{"id":"mem_a","x":NaN}`, nil, "looking for beginning of value"},
	{"array trailing comma", `{"id":"mem_a","x":[1,]}`, nil, "looking for beginning of value"},
	{"array missing comma", `{"id":"mem_a","x":[1 2]}`, nil, "after array element"},
	{"mismatched brackets", `{"id":"mem_a","x":[1}`, nil, "after array element"},
	{"syntax error after type error", `{"id":5,"x":}`, nil, "looking for beginning of value"},
	{"syntax error after timestamp error", `{"expires_at":true,"x"}`, nil, "after object key"},
	{"syntax error after top-level type error", `[1,]`, nil, "looking for beginning of value"},
	{"syntax error in metadata", `{"id":"mem_a","metadata":{"a" 1}}`, nil, "after object key"},
}

func TestDecodeMembershipCases(t *testing.T) {
	for _, tt := range decodeCases {
		t.Run(tt.name, func(t *testing.T) {
			m, err := decodeMembership([]byte(tt.body))
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("got %+v, %v; want an error containing %q", m, err, tt.wantErr)
				}
			case err != nil:
				t.Fatalf("unexpected error %v", err)
			default:
				got := " " + describe(m) + " "
				for _, w := range tt.want {
					if !strings.Contains(got, " "+w+" ") {
						t.Errorf("got %s\nwant %s in it", got, w)
					}
				}
			}
			sameDecoding(t, []byte(tt.body))
		})
	}
}

// Nesting is allowed to encoding/json's depth of 10000, the object itself
// included, and no deeper.
func TestDecodeMembershipDepth(t *testing.T) {
	nested := func(depth int) []byte {
		return []byte(`{"id":"mem_a","x":` + strings.Repeat("[", depth-1) + strings.Repeat("]", depth-1) + `}`)
	}
	if _, err := decodeMembership(nested(maxDepth)); err != nil {
		t.Errorf("depth %d: %v", maxDepth, err)
	}
	_, err := decodeMembership(nested(maxDepth + 1))
	if err == nil || !strings.Contains(err.Error(), "exceeded max depth") {
		t.Errorf("depth %d: error %v, want exceeded max depth", maxDepth+1, err)
	}
	deepObjects := []byte(`{"id":"mem_a","metadata":` + strings.Repeat(`{"a":`, maxDepth) + `1` + strings.Repeat("}", maxDepth) + `}`)
	for _, body := range [][]byte{nested(maxDepth), nested(maxDepth + 1), deepObjects} {
		sameDecoding(t, body)
	}
}

// The metadata is a copy: the body's buffer can be reused.
func TestDecodeMembershipCopiesMetadata(t *testing.T) {
	body := []byte(`{"id":"mem_a","metadata":{"a":"b"}}`)
	m, err := decodeMembership(body)
	if err != nil {
		t.Fatal(err)
	}
	for i := range body {
		body[i] = ' '
	}
	if string(m.Metadata) != `{"a":"b"}` {
		t.Errorf("metadata %q after the body changed", m.Metadata)
	}
}

// Type errors and syntax errors are encoding/json's own types, so that a
// caller can still inspect them through *Error.
func TestDecodeMembershipErrorTypes(t *testing.T) {
	_, err := decodeMembership([]byte(`{"id":5}`))
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) || te.Field != "id" || te.Type != reflect.TypeFor[string]() || te.Offset != 7 {
		t.Errorf("type error %#v", err)
	}
	_, err = decodeMembership([]byte(`{"id":`))
	var se *json.SyntaxError
	if !errors.As(err, &se) || se.Offset != 6 {
		t.Errorf("syntax error %#v", err)
	}
}

func FuzzDecodeMembership(f *testing.F) {
	f.Add([]byte(simMembership))
	f.Add([]byte(apiMembership))
	for _, tt := range decodeCases {
		f.Add([]byte(tt.body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		sameDecoding(t, body)
	})
}

func BenchmarkDecodeMembership(b *testing.B) {
	decoders := []struct {
		name   string
		decode func([]byte) (*Membership, error)
	}{
		{"encoding_json", refDecodeMembership},
		{"scanner", decodeMembership},
	}
	for _, body := range []struct{ name, json string }{{"sim", simMembership}, {"v2", apiMembership}} {
		for _, d := range decoders {
			b.Run(body.name+"/"+d.name, func(b *testing.B) {
				data := []byte(body.json)
				b.SetBytes(int64(len(data)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := d.decode(data); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

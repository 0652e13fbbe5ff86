package whopsim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// referenceMembership is the membership object built for encoding/json,
// the reference encodeMembership must match.
type referenceMembership struct {
	Membership
	CompanyID         string  `json:"company_id"`
	Product           string  `json:"product"`
	User              string  `json:"user"`
	Plan              string  `json:"plan"`
	PromoCode         *string `json:"promo_code"`
	CancelAtPeriodEnd bool    `json:"cancel_at_period_end"`
	PaymentProcessor  string  `json:"payment_processor"`
	LicenseKey        string  `json:"license_key"`
	Quantity          int     `json:"quantity"`
	ManageURL         string  `json:"manage_url"`
}

func referenceEncode(t *testing.T, m Membership) []byte {
	t.Helper()
	if m.Metadata == nil {
		m.Metadata = map[string]any{}
	}
	fnv64a := fnv.New64a()
	fnv64a.Write([]byte(m.ID))
	h := fnv64a.Sum64()
	b, err := json.Marshal(referenceMembership{
		Membership:       m,
		CompanyID:        fmt.Sprintf("biz_%010x", h>>24&0xffffffffff),
		Product:          fmt.Sprintf("prod_%08x", h>>8&0xffffffff),
		User:             fmt.Sprintf("user_%012x", h&0xffffffffffff),
		Plan:             fmt.Sprintf("plan_%08x", h>>16&0xffffffff),
		PaymentProcessor: "stripe",
		LicenseKey:       fmt.Sprintf("%05X-%05X-%05X", h&0xfffff, h>>20&0xfffff, h>>40&0xfffff),
		Quantity:         1,
		ManageURL:        "https://whop.com/orders/" + m.ID + "/manage",
	})
	if err != nil {
		t.Fatalf("reference encoding of %+v: %v", m, err)
	}
	return b
}

// checkEncoding compares encodeMembership with encoding/json: the same
// bytes, and the same value once decoded.
func checkEncoding(t *testing.T, m Membership) {
	t.Helper()
	got, want := encodeMembership(m), referenceEncode(t, m)
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("encodeMembership(%+v) is not valid JSON: %v\n%s", m, err, got)
	}
	if err := json.Unmarshal(want, &w); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("encodeMembership(%+v) decodes to\n%v\nwant\n%v", m, g, w)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("encodeMembership(%+v) =\n%s\nwant\n%s", m, got, want)
	}
}

// awkward strings: escapes, HTML, separators, invalid UTF-8, non-ASCII.
var awkward = []string{
	"", "plain", `quote " and \ backslash`, "tab\tnew\nline\rcr\bback\fform",
	"\x00\x01\x1f\x7f", "<script>&amp;</script>", "line\u2028para\u2029end",
	"bad \xff\xfe utf8 \xc3", "truncated \xe2\x82", "héllo wörld", "日本語", "emoji 😀 \U0010ffff",
	"/slash/", "\u00a0nbsp", strings.Repeat("é", 40),
}

func TestEncodeMembershipMatchesEncodingJSON(t *testing.T) {
	fixed := []Membership{
		{},
		{ID: "mem_1", Status: "active", Valid: true, Email: "a@example.com", Metadata: map[string]any{}},
		{ID: "mem_2", ExpiresAt: ptr(0), RenewalPeriodStart: ptr(-1), RenewalPeriodEnd: ptr(math.MaxInt64), CreatedAt: ptr(math.MinInt64)},
		{ID: `mem_"<&>"\`, Status: "trialing\n", Email: "ü@例え.jp", Metadata: map[string]any{
			"nested": map[string]any{"list": []any{1.0, "two", nil, true, false, []any{}, map[string]any{}}, "null": nil},
			"floats": []any{0.0, math.Copysign(0, -1), 0.1, 1e-6, 1e-7, 123456789.0, 1e20, 1e21, 1.5e300, -2.5e-300, 5e-324, math.MaxFloat64},
			"":       "empty key",
			"<key>":  "html",
			"\xff":   "invalid key",
			"nils":   []any(nil),
			"nilmap": map[string]any(nil),
		}},
		// values a caller of Put may store, left to encoding/json
		{ID: "mem_typed", Metadata: map[string]any{"int": 42, "strs": map[string]string{"b": "<", "a": "é"},
			"number": json.Number("12.50"), "raw": json.RawMessage(`{"z": 1, "a": [ 2 ]}`), "f32": float32(0.1)}},
	}
	for _, s := range awkward {
		fixed = append(fixed, Membership{ID: s, Status: s, Email: s, Metadata: map[string]any{s: s, "k": []any{s}}})
	}
	for _, m := range fixed {
		checkEncoding(t, m)
	}
	for _, id := range []string{"mem_a", "mem_lifetime", "mem_canceled_1", "mem_expired_2", "mem_B00001234"} {
		m, _ := AutoMembership(id)
		checkEncoding(t, m)
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		checkEncoding(t, randomMembership(rng))
	}
}

func randomMembership(rng *rand.Rand) Membership {
	str := func() string {
		if rng.IntN(3) == 0 {
			return awkward[rng.IntN(len(awkward))]
		}
		b := make([]byte, rng.IntN(12))
		for i := range b {
			b[i] = byte(rng.IntN(256))
		}
		return string(b)
	}
	stamp := func() *int64 {
		if rng.IntN(3) == 0 {
			return nil
		}
		return ptr(rng.Int64() - math.MaxInt64/2)
	}
	var value func(depth int) any
	value = func(depth int) any {
		switch n := rng.IntN(8); {
		case n == 0:
			return nil
		case n == 1:
			return rng.IntN(2) == 0
		case n == 2:
			return math.Float64frombits(rng.Uint64()&^(0x7ff<<52) | uint64(rng.IntN(0x7ff))<<52) // finite
		case n == 3:
			return float64(rng.IntN(2000) - 1000)
		case n == 4 && depth < 3:
			l := make([]any, rng.IntN(4))
			for i := range l {
				l[i] = value(depth + 1)
			}
			return l
		case n == 5 && depth < 3:
			o := map[string]any{}
			for range rng.IntN(5) {
				o[str()] = value(depth + 1)
			}
			return o
		default:
			return str()
		}
	}
	m := Membership{ID: str(), Status: str(), Valid: rng.IntN(2) == 0, Email: str(),
		ExpiresAt: stamp(), RenewalPeriodStart: stamp(), RenewalPeriodEnd: stamp(), CreatedAt: stamp()}
	if rng.IntN(5) > 0 {
		m.Metadata = map[string]any{}
		for range rng.IntN(20) {
			m.Metadata[str()] = value(0)
		}
	}
	return m
}

func TestEncodeMembershipPanicsOnUnencodable(t *testing.T) {
	defer func() {
		if recover() == nil {
			t.Error("encodeMembership of a NaN did not panic")
		}
	}()
	encodeMembership(Membership{ID: "mem_nan", Metadata: map[string]any{"x": math.NaN()}})
}

package client

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// call runs op against c, returning its error.
func callOp(ctx context.Context, c API, op Op) error {
	var err error
	switch op {
	case OpRead:
		_, err = c.Get(ctx, "mem_a")
	case OpExtend:
		_, err = c.Extend(ctx, "mem_a", 7, "k")
	case OpUpdate:
		_, err = c.UpdateMetadata(ctx, "mem_a", []byte(`{"a":"b"}`), "k")
	case OpList:
		_, err = c.List(ctx, ListFilter{}, "")
	}
	return err
}

// Every answer that is not a success maps onto its Kind, keeps the API's
// type, code and message, and adds what the client knows.
func TestErrorKinds(t *testing.T) {
	const (
		inProgress = `{"error":{"type":"conflict","code":"idempotency_request_in_progress","message":"A request with this key is in progress."}}`
		mismatch   = `{"error":{"type":"invalid_request","code":"idempotency_key_mismatch","message":"Keys cannot be reused with different parameters or API version."}}`
		versionMsg = "Unsupported Api-Version-Date 2026-11-17. Supported versions: 2025-01-01, 2026-09-25."
	)
	tests := []struct {
		name     string
		api      string
		op       Op
		status   int
		body     string
		kind     Kind
		typ      string
		code     string
		contains []string // in Message
		exact    string   // the whole Message, when not ""
	}{
		{"401", "current", OpRead, 401, `{"error":{"type":"unauthorized","message":"Invalid API key"}}`,
			Fatal, "unauthorized", "", nil, "Invalid API key"},
		{"403 read", "current", OpRead, 403, `{"error":{"type":"forbidden","message":"Missing scope"}}`,
			Fatal, "forbidden", "", nil, "the API key lacks the member:basic:read scope (needed to read memberships): Missing scope"},
		{"403 list", "current", OpList, 403, `{"error":{"type":"forbidden","message":"Missing scope"}}`,
			Fatal, "forbidden", "", nil, "the API key lacks the member:basic:read scope (needed to list memberships): Missing scope"},
		{"403 extend", "current", OpExtend, 403, `{"error":{"type":"forbidden","message":"Missing scope"}}`,
			Fatal, "forbidden", "", nil, "the API key lacks the member:manage scope (needed to extend memberships): Missing scope"},
		{"403 update, no body", "current", OpUpdate, 403, ``,
			Fatal, "", "", nil, "the API key lacks the member:manage scope (needed to update membership metadata)"},
		{"403 v2", "v2", OpExtend, 403, `{"error":{"status":403,"message":"Forbidden"}}`,
			Fatal, "", "", nil, "the API key lacks the permission to extend memberships: Forbidden"},
		{"400", "current", OpExtend, 400, `{"error":{"type":"bad_request","message":"days must be a positive integer"}}`,
			Permanent, "bad_request", "", nil, "days must be a positive integer"},
		{"404", "current", OpRead, 404, `{"error":{"type":"not_found","message":"Membership not found"}}`,
			Permanent, "not_found", "", nil, "Membership not found"},
		{"409 other", "current", OpExtend, 409, `{"error":{"type":"conflict","message":"Another update is in progress"}}`,
			Permanent, "conflict", "", nil, "Another update is in progress"},
		{"422", "current", OpUpdate, 422, `{"error":{"type":"unprocessable","code":"too_many_keys","message":"too many keys"}}`,
			Permanent, "unprocessable", "too_many_keys", nil, "too many keys"},
		{"418", "current", OpRead, 418, `{"error":{"type":"teapot","message":"no"}}`, Permanent, "teapot", "", nil, "no"},
		{"409 in progress", "current", OpExtend, 409, inProgress, Unknown, "conflict", "idempotency_request_in_progress",
			[]string{"still running", "A request with this key is in progress."}, ""},
		{"409 in progress, v2", "v2", OpExtend, 409, inProgress, Unknown, "conflict", "idempotency_request_in_progress", nil, ""},
		{"400 key mismatch", "current", OpExtend, 400, mismatch, Permanent, "invalid_request", "idempotency_key_mismatch",
			[]string{"this Idempotency-Key was already used with a different request", "Keys cannot be reused with different parameters or API version."}, ""},
		{"400 version by code", "current", OpRead, 400, `{"error":{"type":"bad_request","code":"unsupported_api_version","message":"` + versionMsg + `"}}`,
			BadVersion, "bad_request", "unsupported_api_version", nil, "the API does not accept Api-Version-Date 2026-11-17: " + versionMsg},
		{"400 version by message", "current", OpList, 400, `{"error":{"type":"bad_request","message":"Invalid API version. Supported: 2026-09-25"}}`,
			BadVersion, "bad_request", "", []string{"Supported: 2026-09-25"}, ""},
		{"400 version, long list", "current", OpList, 400, `{"error":{"type":"invalid_api_version","message":"Supported: ` + strings.Repeat("2026-01-01, ", 40) + `2026-11-17"}}`,
			BadVersion, "invalid_api_version", "", []string{"2026-11-17"}, ""},
		{"400 version text on v2 is plain", "v2", OpRead, 400, `{"error":{"status":"bad_request","message":"Invalid API version"}}`,
			Permanent, "bad_request", "", nil, "Invalid API version"},
		{"429", "current", OpExtend, 429, `{"error":{"type":"rate_limit_exceeded","message":"Try again in 12 seconds."}}`,
			RateLimited, "rate_limit_exceeded", "", nil, "Try again in 12 seconds."},
		{"429 v2", "v2", OpRead, 429, `{"message":"You are being rate limited"}`, RateLimited, "", "", nil, "You are being rate limited"},
		{"500", "current", OpExtend, 500, `{"error":{"type":"internal_error","message":"could not complete the request"}}`,
			Unknown, "internal_error", "", nil, "could not complete the request"},
		{"502 HTML", "v2", OpExtend, 502, "<html>\n<body>502 Bad Gateway</body></html>",
			Unknown, "", "", nil, "<html> <body>502 Bad Gateway</body></html>"},
		{"v2 code shape", "v2", OpRead, 404, `{"error":{"code":404,"message":"No such Resource found"}}`,
			Permanent, "", "", nil, "No such Resource found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, base := newAPI(t, reply(tt.status, tt.body))
			c := newClient(t, tt.api, base)
			e := asError(t, callOp(testCtx(t), c, tt.op))
			if e.Kind != tt.kind || e.Status != tt.status || e.Type != tt.typ || e.Code != tt.code {
				t.Errorf("got kind %v status %d type %q code %q, want %v %d %q %q", e.Kind, e.Status, e.Type, e.Code, tt.kind, tt.status, tt.typ, tt.code)
			}
			if tt.exact != "" && e.Message != tt.exact {
				t.Errorf("message %q, want %q", e.Message, tt.exact)
			}
			for _, s := range tt.contains {
				if !strings.Contains(e.Message, s) {
					t.Errorf("message %q does not say %q", e.Message, s)
				}
			}
		})
	}
}

// A 429's wait: the Retry-After header when there is one, else the wait
// the Current API's message states, else 0.
func TestRateLimitWait(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	msg := func(s string) string { return `{"error":{"type":"rate_limit_exceeded","message":"` + s + `"}}` }
	tests := []struct {
		name, header, body string
		want               time.Duration
	}{
		{"header seconds over message", "30", msg("Try again in 12 seconds."), 30 * time.Second},
		{"header date", "Sat, 21 Nov 2026 12:01:00 GMT", msg("Try again in 12 seconds."), time.Minute},
		{"message", "", msg("Try again in 12 seconds."), 12 * time.Second},
		{"message, one second", "", msg("Try again in 1 second."), time.Second},
		{"message, minutes", "", msg("Rate limited. Try again in 2 minutes."), 2 * time.Minute},
		{"message, fraction", "", msg("try again in 1.5 seconds"), 1500 * time.Millisecond},
		{"unparsable header falls back to the message", "soon", msg("Try again in 12 seconds."), 12 * time.Second},
		{"past date falls back to the message", "Sat, 21 Nov 2026 11:59:00 GMT", msg("Try again in 3 seconds."), 3 * time.Second},
		{"neither", "", `{"message":"You are being rate limited"}`, 0},
		{"negative header", "-1", `{"message":"You are being rate limited"}`, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var header []string
			if tt.header != "" {
				header = []string{"Retry-After", tt.header}
			}
			_, base := newAPI(t, reply(429, tt.body, header...))
			c := newClient(t, "current", base)
			connOf(c).now = func() time.Time { return now }
			e := asError(t, callOp(testCtx(t), c, OpExtend))
			if e.Kind != RateLimited || e.RetryAfter != tt.want {
				t.Errorf("kind %v, RetryAfter %v; want RateLimited, %v", e.Kind, e.RetryAfter, tt.want)
			}
			if got := c.RateLimited(); got != 1 {
				t.Errorf("RateLimited() = %d, want 1", got)
			}
		})
	}
}

func TestDecodeError(t *testing.T) {
	tests := []struct {
		body string
		want errorDetail
	}{
		{`{"error":{"type":"bad_request","message":"account_id is required","code":"missing"}}`,
			errorDetail{Type: "bad_request", Code: "missing", Message: "account_id is required"}},
		{`{"error":{"status":401,"message":"Invalid API key"}}`, errorDetail{Message: "Invalid API key"}},
		{`{"error":{"status":"bad_request","message":"No days"}}`, errorDetail{Type: "bad_request", Message: "No days"}},
		{`{"error":{"code":404,"message":"No such Resource found"}}`, errorDetail{Message: "No such Resource found"}},
		{`{"message":"You are being rate limited"}`, errorDetail{Message: "You are being rate limited"}},
		{`{"error":"plain"}`, errorDetail{Message: "plain"}},
		{`{"error":{"message":7},"message":"outer"}`, errorDetail{Message: "outer"}},
		{`{"other":1}`, errorDetail{Message: `{"other":1}`}},
		{"<html>502</html>\n", errorDetail{Message: "<html>502</html>"}},
		{"", errorDetail{}},
	}
	for _, tt := range tests {
		if got := decodeError([]byte(tt.body)); got != tt.want {
			t.Errorf("decodeError(%q) = %+v, want %+v", tt.body, got, tt.want)
		}
	}
}

func TestMessagesAreOneShortLine(t *testing.T) {
	_, base := newAPI(t, reply(502, strings.Repeat("x\n", 5000)))
	e := asError(t, callOp(testCtx(t), newClient(t, "current", base), OpRead))
	if len(e.Message) != maxMessage+3 || strings.Contains(e.Message, "\n") {
		t.Errorf("message of %d characters: %q...", len(e.Message), e.Message[:20])
	}
}

// Whatever an error answer holds, its *Error has a Kind and a message on
// one line of bounded length, without the key.
func FuzzDecodeError(f *testing.F) {
	f.Add([]byte(`{"error":{"status":401,"message":"Invalid API key"}}`))
	f.Add([]byte(`{"error":{"code":404,"message":"No such Resource found"}}`))
	f.Add([]byte(`{"message":"You are being rate limited"}`))
	f.Add([]byte(`{"error":{"type":"rate_limit_exceeded","message":"Try again in 12 seconds."}}`))
	f.Add([]byte(`{"error":{"type":"bad_request","code":"unsupported_api_version","message":"Supported: 2026-09-25"}}`))
	f.Add([]byte("<html>oops</html>"))
	c, err := New(Options{Key: testKey})
	if err != nil {
		f.Fatal(err)
	}
	cn := connOf(c)
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, status := range []int{400, 403, 409, 429, 502} {
			resp := &http.Response{StatusCode: status, Header: http.Header{}}
			e := cn.apiError(OpExtend, resp, body)
			if e.Kind == 0 {
				t.Fatalf("status %d: no kind", status)
			}
			for _, s := range []string{e.Message, e.Type, e.Code} {
				if strings.ContainsAny(s, "\n\r\t") {
					t.Fatalf("status %d: %q spans lines", status, s)
				}
				if n := len([]rune(s)); n > maxVersionMessage+100 {
					t.Fatalf("status %d: %d characters", status, n)
				}
				if strings.Contains(s, testKey) {
					t.Fatalf("status %d: the key is in %q", status, s)
				}
			}
		}
	})
}

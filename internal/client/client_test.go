package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"bulk/internal/whopsim"
)

const testKey = "test_key_5f2b9c"

func i64(v int64) *int64 { return &v }

func newSim(t *testing.T, cfg whopsim.Config) (*whopsim.Server, *Client) {
	t.Helper()
	cfg.Key = testKey
	sim := whopsim.New(cfg)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	c, err := New(Options{BaseURL: srv.URL + "/api/v2", Key: testKey, UserAgent: "bulk/test", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return sim, c
}

func TestOperations(t *testing.T) {
	sim, c := newSim(t, whopsim.Config{})
	sim.Put(whopsim.Membership{ID: "mem_renews", Status: "active", Valid: true, RenewalPeriodEnd: i64(1_800_000_000)})
	sim.Put(whopsim.Membership{ID: "mem_once", Status: "active", Valid: true, ExpiresAt: i64(1_800_000_000),
		Metadata: map[string]any{"old": "x"}})
	ctx := context.Background()

	m, err := c.Get(ctx, "mem_renews")
	if err != nil || m.ID != "mem_renews" || *m.RenewalPeriodEnd != 1_800_000_000 || m.ExpiresAt != nil || m.HTTPStatus != 200 {
		t.Fatalf("Get = %+v, %v", m, err)
	}
	m, err = c.AddFreeDays(ctx, "mem_renews", 7, "k1")
	if err != nil || *m.RenewalPeriodEnd != 1_800_000_000+7*86400 || m.HTTPStatus != 201 {
		t.Fatalf("AddFreeDays = %+v, %v", m, err)
	}
	m, err = c.UpdateMetadata(ctx, "mem_once", json.RawMessage(`{"comp":"nov"}`), "k2")
	if err != nil || string(m.Metadata) != `{"comp":"nov"}` {
		t.Fatalf("UpdateMetadata = %+v, %v", m, err)
	}
	led := sim.Ledger()
	if len(led) != 2 || led[0].Op != "add_free_days" || led[0].Days != 7 || led[0].IdempotencyKey != "k1" ||
		led[1].Op != "update_metadata" || led[1].IdempotencyKey != "k2" {
		t.Fatalf("ledger = %+v", led)
	}
	if c.Sent() != 3 {
		t.Errorf("Sent() = %d, want 3", c.Sent())
	}
}

func TestErrorKinds(t *testing.T) {
	sim, c := newSim(t, whopsim.Config{})
	sim.Put(whopsim.Membership{ID: "mem_life", Status: "active", Valid: true})
	bad, err := New(Options{BaseURL: c.base.String(), Key: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	tests := []struct {
		name    string
		call    func() error
		kind    Kind
		status  int
		message string
	}{
		{"not found", func() error { _, err := c.Get(ctx, "mem_nobody"); return err }, Permanent, 404, "No such Resource found"},
		{"lifetime", func() error { _, err := c.AddFreeDays(ctx, "mem_life", 3, "k"); return err }, Permanent, 422, "extend"},
		{"days out of bounds", func() error { _, err := c.AddFreeDays(ctx, "mem_life", 5000, "k"); return err }, Permanent, 422, ""},
		{"bad key", func() error { _, err := bad.Get(ctx, "mem_life"); return err }, Fatal, 401, ""},
		{"bad id never sent", func() error { _, err := c.Get(ctx, "mem_a/../../x"); return err }, NotSent, 0, "not of the form"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T), want *Error", err, err)
			}
			if e.Kind != tt.kind || e.Status != tt.status || !strings.Contains(e.Message, tt.message) {
				t.Errorf("got kind %v status %d message %q, want %v %d containing %q", e.Kind, e.Status, e.Message, tt.kind, tt.status, tt.message)
			}
		})
	}
}

func TestRateLimitedAndRetryAfter(t *testing.T) {
	sim, c := newSim(t, whopsim.Config{Limit: 2, Window: time.Minute, RetryAfter: true})
	sim.Put(whopsim.Membership{ID: "mem_a", Status: "active", Valid: true})
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if _, err := c.Get(ctx, "mem_a"); err != nil {
			t.Fatal(err)
		}
	}
	_, err := c.Get(ctx, "mem_a")
	var e *Error
	if !errors.As(err, &e) || e.Kind != RateLimited || e.Message != "You are being rate limited" || e.RetryAfter <= 0 {
		t.Fatalf("third request: %#v", err)
	}
	if c.RateLimited() != 1 {
		t.Errorf("RateLimited() = %d, want 1", c.RateLimited())
	}
}

// A POST applied by the server whose connection then drops must come back
// as Unknown, and must never be sent a second time by the transport (which
// replays requests carrying an Idempotency-Key on broken kept-alive
// connections unless told not to).
func TestDroppedAfterApplyIsUnknownAndNotReplayed(t *testing.T) {
	sim, c := newSim(t, whopsim.Config{DropRate: 1})
	sim.Put(whopsim.Membership{ID: "mem_a", Status: "active", Valid: true, ExpiresAt: i64(1_800_000_000)})
	ctx := context.Background()
	if _, err := c.Get(ctx, "mem_a"); err != nil { // warm a kept-alive connection
		t.Fatal(err)
	}
	_, err := c.AddFreeDays(ctx, "mem_a", 7, "k")
	if KindOf(err) != Unknown {
		t.Fatalf("AddFreeDays error %v, want kind Unknown", err)
	}
	if n := len(sim.Ledger()); n != 1 {
		t.Fatalf("server applied %d times, want exactly 1", n)
	}
}

func TestServerErrorsAreUnknown(t *testing.T) {
	sim, c := newSim(t, whopsim.Config{FailAfterApplyRate: 1})
	sim.Put(whopsim.Membership{ID: "mem_a", Status: "active", Valid: true, ExpiresAt: i64(1_800_000_000)})
	_, err := c.AddFreeDays(context.Background(), "mem_a", 7, "k")
	var e *Error
	if !errors.As(err, &e) || e.Kind != Unknown || e.Status != 502 {
		t.Fatalf("got %#v, want Unknown 502", err)
	}
	if strings.Contains(e.Message, "<html") && len(e.Message) > maxMessage+3 {
		t.Errorf("HTML body not cut: %q", e.Message)
	}
}

func TestTimeoutIsUnknown(t *testing.T) {
	sim := whopsim.New(whopsim.Config{Key: testKey, Latency: 2 * time.Second})
	sim.Put(whopsim.Membership{ID: "mem_a", Status: "active", Valid: true, ExpiresAt: i64(1_800_000_000)})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	c, _ := New(Options{BaseURL: srv.URL + "/api/v2", Key: testKey, Timeout: 100 * time.Millisecond})
	_, err := c.AddFreeDays(context.Background(), "mem_a", 7, "k")
	if KindOf(err) != Unknown || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("got %v, want an Unknown timeout", err)
	}
}

func TestNotSentWhenNothingListens(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	c, _ := New(Options{BaseURL: url + "/api/v2", Key: testKey})
	_, err := c.AddFreeDays(context.Background(), "mem_a", 7, "k")
	if KindOf(err) != NotSent {
		t.Fatalf("got %v, want NotSent", err)
	}
	if c.Sent() != 0 {
		t.Errorf("Sent() = %d, want 0", c.Sent())
	}
}

func TestRequestShape(t *testing.T) {
	var got atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.Store(r.Clone(context.Background()))
		w.WriteHeader(201)
		w.Write([]byte(`{"id":"mem_a","expires_at":"2026-12-01T00:00:00Z","renewal_period_end":1.8e9,"product":{"x":1}}`))
	}))
	defer srv.Close()
	c, _ := New(Options{BaseURL: srv.URL + "/api/v2/", Key: testKey, UserAgent: "bulk/9.9"})
	m, err := c.AddFreeDays(context.Background(), "mem_a", 7, "key-1")
	if err != nil {
		t.Fatal(err)
	}
	r := got.Load().(*http.Request)
	for _, h := range []struct{ name, want string }{
		{"Authorization", "Bearer " + testKey}, {"User-Agent", "bulk/9.9"},
		{"Idempotency-Key", "key-1"}, {"Content-Type", "application/json"},
	} {
		if v := r.Header.Get(h.name); v != h.want {
			t.Errorf("header %s = %q, want %q", h.name, v, h.want)
		}
	}
	if r.URL.Path != "/api/v2/memberships/mem_a/add_free_days" || r.Method != "POST" {
		t.Errorf("request %s %s", r.Method, r.URL.Path)
	}
	if *m.ExpiresAt != 1796083200 || *m.RenewalPeriodEnd != 1_800_000_000 {
		t.Errorf("lenient timestamps: %d %d", *m.ExpiresAt, *m.RenewalPeriodEnd)
	}
}

func TestCheckBaseURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://api.whop.com/api/v2", true},
		{"http://127.0.0.1:8080/api/v2", true},
		{"http://localhost:1/api/v2", true},
		{"http://[::1]:1/api/v2", true},
		{"http://api.whop.com/api/v2", false},
		{"http://127.0.0.1.nip.io/api/v2", false},
		{"ftp://127.0.0.1/", false},
		{"https://user:pw@api.whop.com/", false},
		{"api.whop.com/api/v2", false},
	}
	for _, tt := range tests {
		_, err := CheckBaseURL(tt.url)
		if (err == nil) != tt.ok {
			t.Errorf("CheckBaseURL(%q) error %v, want ok=%v", tt.url, err, tt.ok)
		}
	}
}

func TestDecodeError(t *testing.T) {
	tests := []struct{ body, want string }{
		{`{"error":{"status":401,"message":"Invalid API key"}}`, "Invalid API key"},
		{`{"error":{"status":"bad_request","message":"No days"}}`, "No days"},
		{`{"error":{"code":404,"message":"No such Resource found"}}`, "No such Resource found"},
		{`{"message":"You are being rate limited"}`, "You are being rate limited"},
		{`{"error":"plain"}`, "plain"},
		{"<html>\n<body>502 Bad Gateway</body></html>", "<html> <body>502 Bad Gateway</body></html>"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := DecodeError([]byte(tt.body)); got != tt.want {
			t.Errorf("DecodeError(%q) = %q, want %q", tt.body, got, tt.want)
		}
	}
	long := DecodeError([]byte(strings.Repeat("x", 5000)))
	if len(long) != maxMessage+3 {
		t.Errorf("long body gives %d characters, want %d", len(long), maxMessage+3)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 21, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		h    string
		want time.Duration
	}{
		{"", 0}, {"30", 30 * time.Second}, {"-1", 0}, {"soon", 0},
		{"Sat, 21 Nov 2026 12:01:00 GMT", time.Minute},
		{"Sat, 21 Nov 2026 11:59:00 GMT", 0},
	}
	for _, tt := range tests {
		if got := retryAfter(tt.h, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.h, got, tt.want)
		}
	}
}

func FuzzDecodeError(f *testing.F) {
	f.Add([]byte(`{"error":{"status":401,"message":"Invalid API key"}}`))
	f.Add([]byte(`{"error":{"code":404,"message":"No such Resource found"}}`))
	f.Add([]byte(`{"message":"You are being rate limited"}`))
	f.Add([]byte("<html>oops</html>"))
	f.Fuzz(func(t *testing.T, body []byte) {
		msg := DecodeError(body)
		if strings.ContainsAny(msg, "\n\r\t") {
			t.Fatalf("message %q spans lines", msg)
		}
		if n := len([]rune(msg)); n > maxMessage+3 {
			t.Fatalf("message of %d characters", n)
		}
	})
}

// A membership ID can never change the request path: anything but
// mem_[A-Za-z0-9]+ is refused before a request is built.
func TestIDCannotChangeThePath(t *testing.T) {
	sim, c := newSim(t, whopsim.Config{AutoCreate: true})
	for _, id := range []string{
		"mem_a/../../x", "mem_a%2F..", "mem_a?x=1", "mem_a#frag", "mem_a/add_free_days",
		"mem_\u0430bc", // Cyrillic a
		"mem_ａbc",      // fullwidth a
		"mem_a\x00", "mem_a b", "../memberships/mem_a", "", "mem_",
	} {
		_, err := c.AddFreeDays(context.Background(), id, 7, "k")
		if KindOf(err) != NotSent {
			t.Errorf("id %q: error %v, want NotSent", id, err)
		}
	}
	if n := len(sim.Requests()); n != 0 {
		t.Errorf("the server saw %d requests", n)
	}
}

// TLS verification cannot be turned off: a server whose certificate is not
// trusted is refused, and nothing reaches it.
func TestUntrustedCertificateIsRefused(t *testing.T) {
	sim := whopsim.New(whopsim.Config{Key: testKey, AutoCreate: true})
	srv := httptest.NewTLSServer(sim)
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL + "/api/v2", Key: testKey})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Get(context.Background(), "mem_a")
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("got %v, want a certificate error", err)
	}
	if n := len(sim.Requests()); n != 0 {
		t.Errorf("the server saw %d requests", n)
	}
}

// BenchmarkRequest measures the client's side of a request against a
// server that answers at once with a fixed membership.
func BenchmarkRequest(b *testing.B) {
	body := []byte(simMembership)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	}))
	defer srv.Close()
	c, err := New(Options{BaseURL: srv.URL + "/api/v2", Key: testKey, UserAgent: "bulk/bench"})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	b.Run("Get", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.Get(ctx, "mem_8fKq2LxZ0aBcDe"); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("AddFreeDays", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.AddFreeDays(ctx, "mem_8fKq2LxZ0aBcDe", 7, "key-1"); err != nil {
				b.Fatal(err)
			}
		}
	})
}

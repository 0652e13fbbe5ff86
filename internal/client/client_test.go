package client

import (
	"context"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const testKey = "test_key_5f2b9c"

// seen is a request as the test server saw it.
type seen struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   string
}

// recorder keeps what a test server saw.
type recorder struct {
	mu   sync.Mutex
	reqs []seen
}

func (r *recorder) all() []seen {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]seen(nil), r.reqs...)
}

// newAPI starts a loopback server that records every request and answers
// it with answer. It returns the recorder and the server's URL.
func newAPI(t *testing.T, answer http.HandlerFunc) (*recorder, string) {
	t.Helper()
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.reqs = append(rec.reqs, seen{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), string(body)})
		rec.mu.Unlock()
		answer(w, r)
	}))
	t.Cleanup(srv.Close)
	return rec, srv.URL
}

// reply answers every request with status and body.
func reply(status int, body string, header ...string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		io.WriteString(w, body)
	}
}

// newClient is a client of the named API for base, with a short timeout so
// that no test can hang on it.
func newClient(t *testing.T, api, base string) API {
	t.Helper()
	c, err := New(Options{API: api, BaseURL: base, Key: testKey, UserAgent: "bulk/test", Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// testCtx bounds a test's calls.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func connOf(c API) *conn {
	switch c := c.(type) {
	case *currentClient:
		return c.conn
	case *v2Client:
		return c.conn
	}
	panic("unknown client")
}

func asError(t *testing.T, err error) *Error {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T), want *Error", err, err)
	}
	return e
}

func TestNew(t *testing.T) {
	tests := []struct {
		name     string
		o        Options
		wantErr  string // "" for success
		wantBase string
		want     Dialect
	}{
		{"default is current", Options{Key: "k"}, "", CurrentBaseURL,
			Dialect{Name: "current", Version: DefaultVersion, MetadataMerges: true, Limit: 600, Window: time.Minute}},
		{"current by name, version", Options{API: "current", Version: "2026-09-25", Key: "k"}, "", CurrentBaseURL,
			Dialect{Name: "current", Version: "2026-09-25", MetadataMerges: true, Limit: 600, Window: time.Minute}},
		{"sandbox", Options{Sandbox: true, Key: "k"}, "", SandboxBaseURL,
			Dialect{Name: "current", Version: DefaultVersion, Sandbox: true, MetadataMerges: true, Limit: 600, Window: time.Minute}},
		{"explicit base URL wins over sandbox", Options{Sandbox: true, BaseURL: "http://127.0.0.1:9/api/v1", Key: "k"}, "", "http://127.0.0.1:9/api/v1",
			Dialect{Name: "current", Version: DefaultVersion, Sandbox: true, MetadataMerges: true, Limit: 600, Window: time.Minute}},
		{"v2", Options{API: "v2", Key: "k"}, "", V2BaseURL,
			Dialect{Name: "v2", SharedLimit: true, Limit: 100, Window: 10 * time.Second, Cooldown: time.Minute}},
		{"v2 ignores a version", Options{API: "v2", Version: "2026-11-17", Key: "k"}, "", V2BaseURL,
			Dialect{Name: "v2", SharedLimit: true, Limit: 100, Window: 10 * time.Second, Cooldown: time.Minute}},
		{"v2 with sandbox", Options{API: "v2", Sandbox: true, Key: "k"}, "sandbox", "", Dialect{}},
		{"unknown API", Options{API: "v3", Key: "k"}, `unknown API "v3"`, "", Dialect{}},
		{"no key", Options{}, "no API key", "", Dialect{}},
		{"key with a newline", Options{Key: "k\nx"}, "control", "", Dialect{}},
		{"version not a date", Options{Version: "latest", Key: "k"}, "YYYY-MM-DD", "", Dialect{}},
		{"version short", Options{Version: "2026-1-17", Key: "k"}, "YYYY-MM-DD", "", Dialect{}},
		{"version impossible", Options{Version: "2026-13-01", Key: "k"}, "YYYY-MM-DD", "", Dialect{}},
		{"plain http", Options{BaseURL: "http://api.whop.com/api/v1", Key: "k"}, "plain http", "", Dialect{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(tt.o)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("New error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Dialect(); got != tt.want {
				t.Errorf("Dialect() = %+v, want %+v", got, tt.want)
			}
			if got := connOf(c).base.String(); got != tt.wantBase {
				t.Errorf("base %q, want %q", got, tt.wantBase)
			}
		})
	}
}

func TestCheckBaseURL(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"https://api.whop.com/api/v1", true},
		{"https://api.whop.com/api/v1/", true},
		{"http://127.0.0.1:8080/api/v1", true},
		{"http://localhost:1/api/v1", true},
		{"http://[::1]:1/api/v1", true},
		{"http://api.whop.com/api/v1", false},
		{"http://127.0.0.1.nip.io/api/v1", false},
		{"ftp://127.0.0.1/", false},
		{"https://user:pw@api.whop.com/", false},
		{"https://api.whop.com/api/v1?x=1", false},
		{"api.whop.com/api/v1", false},
	}
	for _, tt := range tests {
		_, err := CheckBaseURL(tt.url)
		if (err == nil) != tt.ok {
			t.Errorf("CheckBaseURL(%q) error %v, want ok=%v", tt.url, err, tt.ok)
		}
	}
}

// A membership ID can never change the request path: anything but
// mem_[A-Za-z0-9]+ is refused before a request is built, in every method
// of either dialect.
func TestIDCannotChangeThePath(t *testing.T) {
	for _, api := range []string{"current", "v2"} {
		rec, base := newAPI(t, reply(200, `{"id":"mem_a"}`))
		c := newClient(t, api, base)
		ctx := testCtx(t)
		for _, id := range []string{
			"mem_a/../../x", "mem_a%2F..", "mem_a?x=1", "mem_a#frag", "mem_a/extend",
			"mem_\u0430bc", "mem_ａbc", "mem_a\x00", "mem_a b", "../memberships/mem_a", "", "mem_",
		} {
			for name, call := range map[string]func() error{
				"get":    func() error { _, err := c.Get(ctx, id); return err },
				"extend": func() error { _, err := c.Extend(ctx, id, 7, "k"); return err },
				"update": func() error { _, err := c.UpdateMetadata(ctx, id, []byte(`{}`), "k"); return err },
			} {
				if err := call(); KindOf(err) != NotSent {
					t.Errorf("%s %s %q: error %v, want NotSent", api, name, id, err)
				}
			}
		}
		if n := len(rec.all()); n != 0 {
			t.Errorf("%s: the server saw %d requests", api, n)
		}
		if s := c.Sent(); s[OpRead]+s[OpExtend]+s[OpUpdate] != 0 {
			t.Errorf("%s: Sent() = %v, want none", api, s)
		}
	}
}

// Metadata that is not one JSON object is refused before sending.
func TestMetadataMustBeAnObject(t *testing.T) {
	for _, api := range []string{"current", "v2"} {
		rec, base := newAPI(t, reply(200, `{"id":"mem_a"}`))
		c := newClient(t, api, base)
		for _, md := range []string{"", "null", "[]", `"x"`, `{"a":`, `{"a":1} x`} {
			_, err := c.UpdateMetadata(testCtx(t), "mem_a", []byte(md), "k")
			if KindOf(err) != NotSent {
				t.Errorf("%s metadata %q: error %v, want NotSent", api, md, err)
			}
		}
		if n := len(rec.all()); n != 0 {
			t.Errorf("%s: the server saw %d requests", api, n)
		}
	}
}

// A connection dropped after the request was written leaves the outcome
// unknown, and the transport must not send the POST again by itself, even
// on a kept-alive connection where it would replay a request carrying an
// Idempotency-Key.
func TestDroppedAfterWriteIsUnknownAndNotReplayed(t *testing.T) {
	for _, tt := range []struct {
		api  string
		call func(c API) error
	}{
		{"current", func(c API) error { _, err := c.Extend(context.Background(), "mem_a", 7, "k1"); return err }},
		{"current", func(c API) error {
			_, err := c.UpdateMetadata(context.Background(), "mem_a", []byte(`{"a":"b"}`), "k1")
			return err
		}},
		{"v2", func(c API) error { _, err := c.Extend(context.Background(), "mem_a", 7, "k1"); return err }},
		{"v2", func(c API) error {
			_, err := c.UpdateMetadata(context.Background(), "mem_a", []byte(`{"a":"b"}`), "k1")
			return err
		}},
	} {
		var writes atomic.Int64
		rec, base := newAPI(t, func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet {
				reply(200, `{"id":"mem_a"}`)(w, r)
				return
			}
			writes.Add(1)
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
		})
		c := newClient(t, tt.api, base)
		if _, err := c.Get(testCtx(t), "mem_a"); err != nil { // leaves a kept-alive connection
			t.Fatal(err)
		}
		err := tt.call(c)
		if e := asError(t, err); e.Kind != Unknown {
			t.Errorf("%s: %v (kind %v), want Unknown", tt.api, err, e.Kind)
		}
		if n := writes.Load(); n != 1 {
			t.Errorf("%s: the server received the write %d times, want 1 (%d requests in all)", tt.api, n, len(rec.all()))
		}
		if s := c.Sent(); s[OpExtend]+s[OpUpdate] != 1 {
			t.Errorf("%s: Sent() = %v, want one write", tt.api, s)
		}
	}
}

func TestNotSentWhenNothingListens(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	for _, api := range []string{"current", "v2"} {
		c := newClient(t, api, "http://"+addr+"/api")
		_, err := c.Extend(testCtx(t), "mem_a", 7, "k")
		if e := asError(t, err); e.Kind != NotSent || e.Status != 0 {
			t.Errorf("%s: %v (kind %v), want NotSent", api, err, e.Kind)
		}
		if s := c.Sent(); s[OpExtend] != 0 {
			t.Errorf("%s: Sent() = %v, want nothing sent", api, s)
		}
	}
}

func TestTimeoutAfterWriteIsUnknown(t *testing.T) {
	done := make(chan struct{})
	defer close(done)
	_, base := newAPI(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-done:
		case <-time.After(10 * time.Second):
		}
	})
	c, err := New(Options{BaseURL: base, Key: testKey, Timeout: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, err = c.Extend(testCtx(t), "mem_a", 7, "k")
	if e := asError(t, err); e.Kind != Unknown || e.Message != "timed out" {
		t.Errorf("%v (kind %v), want Unknown, timed out", err, e.Kind)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %v; the timeout is 100ms", d)
	}
}

// A redirect is not followed: the key and the request go nowhere else.
func TestRedirectIsNotFollowed(t *testing.T) {
	for _, tt := range []struct {
		name   string
		status int
		op     Op
	}{
		{"read, 302", http.StatusFound, OpRead},
		{"list, 301", http.StatusMovedPermanently, OpList},
		{"extend, 307", http.StatusTemporaryRedirect, OpExtend},
		{"update, 308", http.StatusPermanentRedirect, OpUpdate},
	} {
		t.Run(tt.name, func(t *testing.T) {
			elsewhere, target := newAPI(t, reply(200, `{"id":"mem_a","data":[],"page_info":{}}`))
			_, base := newAPI(t, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, target+r.URL.RequestURI(), tt.status)
			})
			err := callOp(testCtx(t), newClient(t, "current", base), tt.op)
			e := asError(t, err)
			if e.Kind != Permanent || e.Status != tt.status || !strings.Contains(e.Message, "not followed") {
				t.Errorf("%v (kind %v), want a refused %d that says it was not followed", err, e.Kind, tt.status)
			}
			if n := len(elsewhere.all()); n != 0 {
				t.Errorf("the redirect's target saw %d requests", n)
			}
		})
	}
}

// TLS verification cannot be turned off: a server whose certificate is not
// trusted is refused, and nothing reaches it.
func TestUntrustedCertificateIsRefused(t *testing.T) {
	var hits atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		reply(200, `{"id":"mem_a"}`)(w, r)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	srv.StartTLS()
	defer srv.Close()
	c := newClient(t, "current", srv.URL+"/api/v1")
	_, err := c.Get(testCtx(t), "mem_a")
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("got %v, want a certificate error", err)
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the server saw %d requests", n)
	}
}

// An answer larger than 1 MiB is refused whether or not its length is
// announced.
func TestLargeAnswer(t *testing.T) {
	big := `{"id":"mem_a","x":"` + strings.Repeat("x", maxBody) + `"}`
	for _, announce := range []bool{true, false} {
		_, base := newAPI(t, func(w http.ResponseWriter, r *http.Request) {
			if !announce {
				w.(http.Flusher).Flush() // chunked: no Content-Length
			}
			io.WriteString(w, big)
		})
		c := newClient(t, "current", base)
		_, err := c.Get(testCtx(t), "mem_a")
		if e := asError(t, err); e.Kind != Unknown || e.Message != "answer larger than 1 MiB" {
			t.Errorf("announce %v: %v, want answer larger than 1 MiB", announce, err)
		}
	}
}

// The key appears in no error, whatever the failure, even when an answer
// echoes it.
func TestKeyNeverInErrors(t *testing.T) {
	echo := func(status int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(status)
			io.WriteString(w, `{"error":{"type":"x","code":"`+testKey+`","message":"bad key `+r.Header.Get("Authorization")+`"}}`)
		}
	}
	answers := []http.HandlerFunc{
		echo(400), echo(401), echo(403), echo(429), echo(500), echo(409),
		reply(200, `{"id":"`+testKey+`"}`),
		reply(200, `{"id":"mem_a","current_period_end":"`+testKey+`","expires_at":"`+testKey+`"}`),
		reply(502, "<html>"+testKey+strings.Repeat(" x", 300)+"</html>"),
	}
	for i, answer := range answers {
		for _, api := range []string{"current", "v2"} {
			_, base := newAPI(t, answer)
			c := newClient(t, api, base)
			_, err := c.Extend(testCtx(t), "mem_a", 7, "k")
			e := asError(t, err)
			if strings.Contains(err.Error(), testKey) || strings.Contains(e.Code, testKey) || strings.Contains(e.Type, testKey) {
				t.Errorf("answer %d, %s: the key is in %q (code %q)", i, api, err, e.Code)
			}
		}
	}
}

// Sent and RateLimited count per Op, from many goroutines at once.
func TestCountersUnderConcurrency(t *testing.T) {
	for _, api := range []string{"current", "v2"} {
		var n atomic.Int64
		_, base := newAPI(t, func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1)%4 == 0 {
				reply(429, `{"message":"You are being rate limited"}`)(w, r)
				return
			}
			reply(200, `{"id":"mem_a"}`)(w, r)
		})
		c := newClient(t, api, base)
		ctx := testCtx(t)
		var wg sync.WaitGroup
		for range 10 {
			wg.Go(func() { c.Get(ctx, "mem_a") })
			wg.Go(func() { c.Extend(ctx, "mem_a", 1, "k") })
			wg.Go(func() { c.UpdateMetadata(ctx, "mem_a", []byte(`{"a":1}`), "k") })
		}
		wg.Wait()
		want := map[Op]int64{OpRead: 10, OpExtend: 10, OpUpdate: 10, OpList: 0}
		got := c.Sent()
		if len(got) != len(want) {
			t.Errorf("%s: Sent() = %v, want %v", api, got, want)
		}
		for op, w := range want {
			if got[op] != w {
				t.Errorf("%s: Sent()[%s] = %d, want %d", api, op, got[op], w)
			}
		}
		if got := c.RateLimited(); got != n.Load()/4 {
			t.Errorf("%s: RateLimited() = %d, want %d", api, got, n.Load()/4)
		}
	}
}

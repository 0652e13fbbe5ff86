package whopsim

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"
)

const testKey = "sk_test_key"

// t0 is the fake clock's start.
var t0 = time.Date(2026, time.November, 2, 12, 0, 0, 0, time.UTC)

// fakeClock is a settable clock for Config.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock { return &fakeClock{now: t0} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// at sets the clock to t0+d.
func (c *fakeClock) at(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t0.Add(d)
}

// harness is a Server behind a real HTTP server.
type harness struct {
	t      *testing.T
	sim    *Server
	ts     *httptest.Server
	base   string
	client *http.Client
}

func start(t *testing.T, cfg Config) *harness {
	t.Helper()
	if cfg.Key == "" {
		cfg.Key = testKey
	}
	sim := New(cfg)
	ts := httptest.NewServer(sim)
	t.Cleanup(ts.Close)
	return &harness{t: t, sim: sim, ts: ts, base: ts.URL + "/api/v2", client: ts.Client()}
}

type answer struct {
	status int
	header http.Header
	body   string
}

// send makes one request; header entries override the defaults
// (Authorization: Bearer testKey, Content-Type: application/json).
func (h *harness) send(method, path, body string, header map[string]string) answer {
	h.t.Helper()
	a, err := h.try(method, path, body, header)
	if err != nil {
		h.t.Fatalf("%s %s: %v", method, path, err)
	}
	return a
}

func (h *harness) try(method, path, body string, header map[string]string) (answer, error) {
	req, err := http.NewRequest(method, h.base+path, strings.NewReader(body))
	if err != nil {
		h.t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testKey)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return answer{status: resp.StatusCode, header: resp.Header, body: string(b)}, err
}

func (h *harness) get(id string) answer {
	return h.send(http.MethodGet, "/memberships/"+id, "", nil)
}

func (h *harness) addDays(id string, days int) answer {
	b, _ := json.Marshal(map[string]int{"days": days})
	return h.send(http.MethodPost, "/memberships/"+id+"/add_free_days", string(b), nil)
}

func decodeMembership(t *testing.T, body string) Membership {
	t.Helper()
	var m Membership
	if err := json.Unmarshal([]byte(body), &m); err != nil {
		t.Fatalf("decode membership %q: %v", body, err)
	}
	return m
}

// sameJSON reports whether two JSON texts hold the same value.
func sameJSON(t *testing.T, got, want string) bool {
	t.Helper()
	var g, w any
	if err := json.Unmarshal([]byte(got), &g); err != nil {
		return false
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("bad want %q: %v", want, err)
	}
	return reflect.DeepEqual(g, w)
}

func ptr(v int64) *int64 { return &v }

const (
	renewStart = int64(1793491200) // 2026-11-01T00:00:00Z
	renewEnd   = renewStart + 30*day
	onceEnd    = renewStart + 90*day
)

// fixtures puts one membership of each kind.
func fixtures(s *Server) {
	s.Put(Membership{ID: "mem_renew", Status: "active", Valid: true, Email: "a@example.com",
		Metadata:           map[string]any{"source": "checkout", "tier": "gold"},
		RenewalPeriodStart: ptr(renewStart), RenewalPeriodEnd: ptr(renewEnd), CreatedAt: ptr(renewStart - 100*day)})
	s.Put(Membership{ID: "mem_once", Status: "active", Valid: true, Email: "b@example.com",
		ExpiresAt: ptr(onceEnd), CreatedAt: ptr(renewStart - 10*day)})
	s.Put(Membership{ID: "mem_life", Status: "active", Valid: true, Email: "c@example.com",
		CreatedAt: ptr(renewStart - 5*day)})
}

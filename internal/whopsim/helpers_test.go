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

// start serves a Server for cfg; its Key defaults to testKey.
func start(t *testing.T, cfg Config) *harness {
	t.Helper()
	if cfg.Key == "" {
		cfg.Key = testKey
	}
	return serveSim(t, New(cfg))
}

// serveSim serves sim over real HTTP.
func serveSim(t *testing.T, sim *Server) *harness {
	t.Helper()
	ts := httptest.NewServer(sim)
	t.Cleanup(ts.Close)
	client := ts.Client()
	client.Timeout = 10 * time.Second // no test hangs on the simulator
	return &harness{t: t, sim: sim, ts: ts, base: ts.URL + strings.TrimSuffix(sim.api.prefix(), "/"), client: client}
}

type answer struct {
	status int
	header http.Header
	body   string
}

// send makes one request; header entries override the defaults
// (Authorization: Bearer testKey, Content-Type: application/json,
// Api-Version-Date: LatestVersion); an empty value removes a header.
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
	req.Header.Set("Api-Version-Date", LatestVersion)
	for k, v := range header {
		req.Header.Set(k, v)
		if v == "" {
			req.Header.Del(k)
		}
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
	h.t.Helper()
	return h.send(http.MethodGet, "/memberships/"+id, "", nil)
}

// addDays adds free days through the dialect's route.
func (h *harness) addDays(id string, days int, header map[string]string) answer {
	h.t.Helper()
	b, _ := json.Marshal(map[string]int{"days": days})
	if h.sim.cfg.API == APIV2 {
		return h.send(http.MethodPost, "/memberships/"+id+"/add_free_days", string(b), header)
	}
	return h.send(http.MethodPost, "/memberships/"+id+"/extend", string(b), header)
}

// setMetadata sends a metadata update through the dialect's route.
func (h *harness) setMetadata(id, body string) answer {
	h.t.Helper()
	if h.sim.cfg.API == APIV2 {
		return h.send(http.MethodPost, "/memberships/"+id, body, nil)
	}
	return h.send(http.MethodPatch, "/memberships/"+id, body, nil)
}

func decode[T any](t *testing.T, body string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(body), &v); err != nil {
		t.Fatalf("decode %q: %v", body, err)
	}
	return v
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

func str(s string) *string { return &s }

const (
	renewStart = int64(1793491200) // 2026-11-01T00:00:00Z
	renewEnd   = renewStart + 30*day
	onceEnd    = renewStart + 90*day
)

// fixtures puts one membership of each kind.
func fixtures(s *Server) {
	s.Put(Membership{ID: "mem_renew", Status: "active", Renews: true, PeriodDays: 30,
		Metadata:    map[string]any{"source": "checkout", "tier": "gold"},
		PeriodStart: ptr(renewStart), PeriodEnd: ptr(renewEnd), CreatedAt: renewStart - 100*day,
		ProductID: "prod_a", PlanID: "plan_monthly", UserID: "user_1", AccountID: "biz_1"})
	s.Put(Membership{ID: "mem_once", Status: "active", PeriodEnd: ptr(onceEnd), CreatedAt: renewStart - 10*day,
		ProductID: "prod_b", PlanID: "plan_once", UserID: "user_2", AccountID: "biz_1"})
	s.Put(Membership{ID: "mem_life", Status: "active", CreatedAt: renewStart - 5*day,
		ProductID: "prod_b", PlanID: "plan_life", UserID: "user_3", AccountID: "biz_1"})
}

// serve calls the handler directly with the test key.
func serve(s *Server, method, path, body string) ([]byte, int) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testKey)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	return w.Body.Bytes(), w.Code
}

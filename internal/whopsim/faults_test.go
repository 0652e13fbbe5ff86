package whopsim

import (
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestDropAfterApply(t *testing.T) {
	tests := []struct {
		api        string
		wantStatus int
	}{
		{APICurrent, 200},
		{APIV2, 201},
	}
	for _, tt := range tests {
		t.Run(tt.api, func(t *testing.T) {
			h := start(t, Config{API: tt.api, DropRate: 1})
			fixtures(h.sim)
			h.client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
			if got := h.get("mem_renew"); got.status != 200 {
				t.Fatalf("GET: status = %d, want 200 (only changes are dropped)", got.status)
			}
			path := map[string]string{APICurrent: "/memberships/mem_renew/extend", APIV2: "/memberships/mem_renew/add_free_days"}[tt.api]
			if _, err := h.try("POST", path, `{"days":3}`, nil); err == nil {
				t.Fatal("POST got an answer, want the connection closed")
			}
			ledger := h.sim.Ledger()
			if len(ledger) != 1 || *ledger[0].After.PeriodEnd != renewEnd+3*day {
				t.Fatalf("ledger = %+v, want the change applied once", ledger)
			}
			reqs := h.sim.Requests()
			if got := reqs[len(reqs)-1]; !got.Dropped || got.Status != tt.wantStatus || got.Method != "POST" {
				t.Errorf("logged %+v, want the POST dropped after a %d", got, tt.wantStatus)
			}
		})
	}
}

func TestFailAfterApply(t *testing.T) {
	for _, api := range []string{APICurrent, APIV2} {
		t.Run(api, func(t *testing.T) {
			h := start(t, Config{API: api, FailAfterApplyRate: 1})
			fixtures(h.sim)
			got := h.setMetadata("mem_renew", `{"metadata":{"a":1}}`)
			if got.status != 502 || !strings.HasPrefix(got.header.Get("Content-Type"), "text/html") || !strings.Contains(got.body, "<html>") {
				t.Errorf("answer = %d %q %q, want 502 with an HTML page", got.status, got.header.Get("Content-Type"), got.body)
			}
			if n := len(h.sim.Ledger()); n != 1 {
				t.Errorf("ledger has %d entries, want 1 (applied before the 502)", n)
			}
			if got := h.addDays("mem_life", 1, nil); got.status != 422 {
				t.Errorf("refused change: status = %d, want 422 (nothing applied, nothing to fail after)", got.status)
			}
			if got := h.get("mem_renew"); got.status != 200 {
				t.Errorf("read: status = %d, want 200 (reads apply nothing)", got.status)
			}
		})
	}
}

func TestFailBeforeApply(t *testing.T) {
	tests := []struct {
		api, method, path, body, want string
	}{
		{APIV2, "GET", "/memberships/mem_renew", "", `{"error":{"status":500,"message":"Internal server error"}}`},
		{APIV2, "POST", "/memberships/mem_renew/add_free_days", `{"days":3}`, `{"error":{"status":500,"message":"Internal server error"}}`},
		{APIV2, "POST", "/memberships/mem_renew", `{"metadata":{}}`, `{"error":{"status":500,"message":"Internal server error"}}`},
		{APICurrent, "GET", "/memberships/mem_renew", "", `{"error":{"type":"internal_server_error","message":"An unexpected error occurred"}}`},
		{APICurrent, "GET", "/memberships", "", `{"error":{"type":"internal_server_error","message":"An unexpected error occurred"}}`},
		{APICurrent, "POST", "/memberships/mem_renew/extend", `{"days":3}`, `{"error":{"type":"internal_server_error","message":"An unexpected error occurred"}}`},
		{APICurrent, "PATCH", "/memberships/mem_renew", `{"metadata":{}}`, `{"error":{"type":"internal_server_error","message":"An unexpected error occurred"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.api+" "+tt.method+" "+tt.path, func(t *testing.T) {
			h := start(t, Config{API: tt.api, FailRate: 1})
			fixtures(h.sim)
			got := h.send(tt.method, tt.path, tt.body, nil)
			if got.status != 500 || !sameJSON(t, got.body, tt.want) {
				t.Errorf("%d %s, want 500 %s", got.status, got.body, tt.want)
			}
			if n := len(h.sim.Ledger()); n != 0 {
				t.Errorf("ledger has %d entries, want none", n)
			}
			if m, _ := h.sim.Get("mem_renew"); *m.PeriodEnd != renewEnd || m.Metadata["source"] != "checkout" {
				t.Errorf("membership changed: %+v", m)
			}
		})
	}
}

func TestFaultsFollowTheSeed(t *testing.T) {
	statuses := func(seed int64) string {
		h := start(t, Config{FailRate: 0.5, Seed: seed, NoLimit: true})
		fixtures(h.sim)
		var b strings.Builder
		for range 40 {
			if h.get("mem_renew").status == 200 {
				b.WriteByte('.')
			} else {
				b.WriteByte('x')
			}
		}
		return b.String()
	}
	a, b := statuses(7), statuses(7)
	if a != b {
		t.Errorf("same seed, different faults:\n%s\n%s", a, b)
	}
	if !strings.Contains(a, ".") || !strings.Contains(a, "x") {
		t.Errorf("FailRate 0.5 gave %s, want a mix", a)
	}
	if c := statuses(8); c == a {
		t.Errorf("seeds 7 and 8 gave the same faults %s", c)
	}
}

func TestLatency(t *testing.T) {
	h := start(t, Config{Latency: 50 * time.Millisecond, Jitter: 10 * time.Millisecond})
	fixtures(h.sim)
	begin := time.Now()
	h.get("mem_renew")
	if took := time.Since(begin); took < 50*time.Millisecond {
		t.Errorf("request took %v, want at least 50ms", took)
	}
}

func TestLatencyEndsWhenTheClientLeaves(t *testing.T) {
	h := start(t, Config{Latency: time.Hour})
	fixtures(h.sim)
	h.client = &http.Client{Timeout: 100 * time.Millisecond}
	if _, err := h.try("POST", "/memberships/mem_renew/extend", `{"days":3}`, nil); err == nil {
		t.Fatal("got an answer, want the client's timeout")
	}
	h.ts.Close() // waits for the handler to return
	if n := len(h.sim.Ledger()); n != 0 {
		t.Errorf("ledger has %d entries, want none: the client left during latency", n)
	}
	if got := h.sim.Requests(); len(got) != 1 || got[0].Status != 0 {
		t.Errorf("log = %+v, want one request without an answer", got)
	}
}

func TestConcurrentChanges(t *testing.T) {
	h := start(t, Config{NoLimit: true})
	fixtures(h.sim)
	const n = 50
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if got := h.addDays("mem_renew", 1, nil); got.status != 200 {
				t.Errorf("status = %d, want 200", got.status)
			}
		})
		wg.Go(func() { h.get("mem_renew") })
	}
	wg.Wait()
	m, _ := h.sim.Get("mem_renew")
	if *m.PeriodEnd != renewEnd+n*day {
		t.Errorf("period end = %d, want %d", *m.PeriodEnd, renewEnd+n*day)
	}
	if got := len(h.sim.Ledger()); got != n {
		t.Errorf("ledger has %d entries, want %d", got, n)
	}
	if got := len(h.sim.Requests()); got != 2*n {
		t.Errorf("logged %d requests, want %d", got, 2*n)
	}
}

// A late commit answers 504 at once and applies the extend later; while
// it is pending, a retry with the same key is "in progress", and once it
// landed the retry gets the stored answer.
func TestLateCommit(t *testing.T) {
	h := start(t, Config{LateCommitRate: 1, LateCommitDelay: 200 * time.Millisecond})
	fixtures(h.sim)
	key := map[string]string{"Idempotency-Key": "k-late"}
	if got := h.addDays("mem_renew", 3, key); got.status != http.StatusGatewayTimeout {
		t.Fatalf("first answer %d, want 504", got.status)
	}
	if n := len(h.sim.Ledger()); n != 0 {
		t.Fatalf("%d changes applied at once, want none yet", n)
	}
	if got := h.addDays("mem_renew", 3, key); got.status != http.StatusConflict || !strings.Contains(got.body, "idempotency_request_in_progress") {
		t.Errorf("retry while pending: %d %s, want 409 in progress", got.status, got.body)
	}
	deadline := time.Now().Add(5 * time.Second)
	for len(h.sim.Ledger()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	ledger := h.sim.Ledger()
	if len(ledger) != 1 || *ledger[0].After.PeriodEnd != renewEnd+3*day {
		t.Fatalf("ledger %+v, want the extend applied once, late", ledger)
	}
	if got := h.addDays("mem_renew", 3, key); got.status != 200 || got.header.Get("Idempotent-Replayed") != "true" {
		t.Errorf("retry after the commit: %d replayed=%q, want the stored 200", got.status, got.header.Get("Idempotent-Replayed"))
	}
}

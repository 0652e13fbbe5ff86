package whopsim

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func keyed(k string) map[string]string { return map[string]string{"Idempotency-Key": k} }

func TestCurrentIdempotencyReplay(t *testing.T) {
	clock := newClock()
	h := start(t, Config{Now: clock.Now})
	fixtures(h.sim)
	path := "/memberships/mem_renew/extend"
	first := h.send("POST", path, `{"days":5}`, keyed("k1"))
	if first.status != 200 {
		t.Fatalf("first: status = %d; %s", first.status, first.body)
	}
	steps := []struct {
		name       string
		at         time.Duration
		path, body string
		header     map[string]string
		wantStatus int
		wantCode   string
		wantLedger int
		wantReplay bool
	}{
		{"same request: replayed", time.Hour, path, `{"days":5}`, keyed("k1"), 200, "", 1, true},
		{"other body", time.Hour, path, `{"days":6}`, keyed("k1"), 400, "idempotency_key_mismatch", 1, false},
		{"same value, other bytes", time.Hour, path, `{"days": 5}`, keyed("k1"), 400, "idempotency_key_mismatch", 1, false},
		{"other membership", time.Hour, "/memberships/mem_once/extend", `{"days":5}`, keyed("k1"), 400, "idempotency_key_mismatch", 1, false},
		{"other query", time.Hour, path + "?x=1", `{"days":5}`, keyed("k1"), 400, "idempotency_key_mismatch", 1, false},
		{"other version", time.Hour, path, `{"days":5}`,
			map[string]string{"Idempotency-Key": "k1", "Api-Version-Date": "2026-09-25"}, 400, "idempotency_key_mismatch", 1, false},
		{"other key", time.Hour, path, `{"days":5}`, keyed("k2"), 200, "", 2, false},
		{"no key", time.Hour, path, `{"days":5}`, nil, 200, "", 3, false},
		{"same key just before 24h", 24*time.Hour - time.Second, path, `{"days":5}`, keyed("k1"), 200, "", 3, true},
		{"same key after 24h: applied again", 24*time.Hour + time.Second, path, `{"days":5}`, keyed("k1"), 200, "", 4, false},
	}
	for _, s := range steps {
		clock.at(s.at)
		got := h.send("POST", s.path, s.body, s.header)
		if got.status != s.wantStatus {
			t.Errorf("%s: status = %d, want %d; %s", s.name, got.status, s.wantStatus, got.body)
		}
		if s.wantCode != "" && !strings.Contains(got.body, `"code":"`+s.wantCode+`"`) {
			t.Errorf("%s: body = %s, want code %s", s.name, got.body, s.wantCode)
		}
		if n := len(h.sim.Ledger()); n != s.wantLedger {
			t.Errorf("%s: ledger has %d entries, want %d", s.name, n, s.wantLedger)
		}
		if replayed := got.header.Get("Idempotent-Replayed") == "true"; replayed != s.wantReplay {
			t.Errorf("%s: replayed = %v, want %v", s.name, replayed, s.wantReplay)
		}
		if s.wantReplay && got.body != first.body {
			t.Errorf("%s: body = %s, want the first answer byte for byte %s", s.name, got.body, first.body)
		}
	}
}

func TestCurrentIdempotencyStores4xx(t *testing.T) {
	h := start(t, Config{})
	fixtures(h.sim)
	tests := []struct {
		name, path, body string
		wantStatus       int
	}{
		{"404", "/memberships/mem_later/extend", `{"days":5}`, 404},
		{"400", "/memberships/mem_renew/extend", `{"days":0}`, 400},
		{"422", "/memberships/mem_life/extend", `{"days":5}`, 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := h.send("POST", tt.path, tt.body, keyed("k"+tt.name))
			h.sim.Put(Membership{ID: "mem_later", Status: "active", PeriodEnd: ptr(onceEnd)}) // would succeed now
			got := h.send("POST", tt.path, tt.body, keyed("k"+tt.name))
			if first.status != tt.wantStatus || got.status != tt.wantStatus || got.body != first.body ||
				got.header.Get("Idempotent-Replayed") != "true" {
				t.Errorf("first %d %s, retry %d %s replayed %q: want the %d stored and replayed",
					first.status, first.body, got.status, got.body, got.header.Get("Idempotent-Replayed"), tt.wantStatus)
			}
		})
	}
	if n := len(h.sim.Ledger()); n != 0 {
		t.Errorf("ledger has %d entries, want none", n)
	}
}

func TestCurrentIdempotency5xxReleasesKey(t *testing.T) {
	h := start(t, Config{FailRate: 1})
	fixtures(h.sim)
	if got := h.addDays("mem_renew", 5, keyed("k1")); got.status != 500 {
		t.Fatalf("status = %d, want 500", got.status)
	}
	h.sim.mu.Lock()
	h.sim.cfg.FailRate = 0
	h.sim.mu.Unlock()
	got := h.addDays("mem_renew", 5, keyed("k1"))
	if got.status != 200 || got.header.Get("Idempotent-Replayed") != "" {
		t.Errorf("retry after a 500: %d replayed %q, want a fresh 200", got.status, got.header.Get("Idempotent-Replayed"))
	}
	if n := len(h.sim.Ledger()); n != 1 {
		t.Errorf("ledger has %d entries, want 1", n)
	}
}

func TestIdempotencyStoresAppliedAnswerBehindFault(t *testing.T) {
	tests := []struct {
		name       string
		cfg        Config
		wantStatus int
	}{
		{"current proxy 502", Config{FailAfterApplyRate: 1}, 200},
		{"current drop", Config{DropRate: 1}, 200},
		{"v2 proxy 502", Config{API: APIV2, HonorIdempotency: true, FailAfterApplyRate: 1}, 201},
		{"v2 drop", Config{API: APIV2, HonorIdempotency: true, DropRate: 1}, 201},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, tt.cfg)
			fixtures(h.sim)
			h.client = &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: 10 * time.Second}
			first, err := h.try("POST", h.extendPath("mem_once"), `{"days":5}`, keyed("k1"))
			if err == nil && first.status != 502 {
				t.Fatalf("first: %d %s, want the answer lost", first.status, first.body)
			}
			got := h.send("POST", h.extendPath("mem_once"), `{"days":5}`, keyed("k1"))
			if got.status != tt.wantStatus || got.header.Get("Idempotent-Replayed") != "true" || !strings.Contains(got.body, "mem_once") {
				t.Errorf("retry: %d %s, want the stored %d replayed", got.status, got.body, tt.wantStatus)
			}
			ledger := h.sim.Ledger()
			if len(ledger) != 1 || *ledger[0].After.PeriodEnd != onceEnd+5*day {
				t.Errorf("ledger = %+v, want one change of 5 days", ledger)
			}
		})
	}
}

// extendPath is the dialect's add-free-days path.
func (h *harness) extendPath(id string) string {
	if h.sim.cfg.API == APIV2 {
		return "/memberships/" + id + "/add_free_days"
	}
	return "/memberships/" + id + "/extend"
}

func TestIdempotencyConflictWhileRunning(t *testing.T) {
	tests := []struct {
		cfg        Config
		wantStatus []int
		wantBody   string
	}{
		{Config{}, []int{200, 409}, `{"error":{"type":"conflict","code":"idempotency_request_in_progress","message":"A request with this Idempotency-Key is still being processed"}}`},
		{Config{API: APIV2, HonorIdempotency: true}, []int{201, 409}, `{"error":{"status":409,"message":"A request with the same Idempotency-Key is still being processed"}}`},
	}
	for _, tt := range tests {
		tt.cfg.Latency = 300 * time.Millisecond
		h := start(t, tt.cfg)
		fixtures(h.sim)
		var wg sync.WaitGroup
		answers := make([]answer, 2)
		for i := range answers {
			wg.Go(func() {
				if i == 1 {
					time.Sleep(50 * time.Millisecond) // the first one arrives first
				}
				answers[i], _ = h.try("POST", h.extendPath("mem_renew"), `{"days":5}`, keyed("k1"))
			})
		}
		wg.Wait()
		statuses := []int{answers[0].status, answers[1].status}
		if !slices.Equal(statuses, tt.wantStatus) {
			t.Errorf("%s: statuses = %v, want %v", tt.cfg.API, statuses, tt.wantStatus)
		}
		if !sameJSON(t, answers[1].body, tt.wantBody) {
			t.Errorf("%s: 409 body = %s, want %s", tt.cfg.API, answers[1].body, tt.wantBody)
		}
		if n := len(h.sim.Ledger()); n != 1 {
			t.Errorf("%s: ledger has %d entries, want 1", tt.cfg.API, n)
		}
	}
}

func TestIdempotencyScopedToCredential(t *testing.T) {
	h := serveSim(t, New(Config{})) // any bearer is a credential
	fixtures(h.sim)
	for _, key := range []string{"sk_one", "sk_two", "sk_one"} {
		h.send("POST", "/memberships/mem_renew/extend", `{"days":5}`,
			map[string]string{"Authorization": "Bearer " + key, "Idempotency-Key": "k1"})
	}
	if n := len(h.sim.Ledger()); n != 2 {
		t.Errorf("ledger has %d entries, want 2: one per credential", n)
	}
}

func TestIdempotencyOff(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
	}{
		{"current with IgnoreIdempotency", Config{IgnoreIdempotency: true}},
		{"v2 by default", Config{API: APIV2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, tt.cfg)
			fixtures(h.sim)
			for range 2 {
				if got := h.addDays("mem_renew", 5, keyed("k1")); got.header.Get("Idempotent-Replayed") != "" {
					t.Errorf("answer marked as replayed")
				}
			}
			ledger := h.sim.Ledger()
			if len(ledger) != 2 || *ledger[1].After.PeriodEnd != renewEnd+10*day {
				t.Errorf("ledger = %+v, want the same key applied twice", ledger)
			}
		})
	}
}

func TestV2IdempotencyReplay(t *testing.T) {
	clock := newClock()
	h := start(t, Config{API: APIV2, HonorIdempotency: true, Now: clock.Now})
	fixtures(h.sim)
	path := "/memberships/mem_renew/add_free_days"
	first := h.send("POST", path, `{"days":5}`, keyed("k1"))
	steps := []struct {
		name       string
		at         time.Duration
		path, body string
		key        string
		wantStatus int
		wantLedger int
		wantReplay bool
	}{
		{"same key, same body: replayed", time.Hour, path, `{"days":5}`, "k1", 201, 1, true},
		{"same key, other body", time.Hour, path, `{"days":6}`, "k1", 400, 1, false},
		{"same key, other membership", time.Hour, "/memberships/mem_once/add_free_days", `{"days":5}`, "k1", 400, 1, false},
		{"other key", time.Hour, path, `{"days":5}`, "k2", 201, 2, false},
		{"no key", time.Hour, path, `{"days":5}`, "", 201, 3, false},
		{"same key after 24h: applied again", 24*time.Hour + time.Second, path, `{"days":5}`, "k1", 201, 4, false},
	}
	for _, s := range steps {
		clock.at(s.at)
		got := h.send("POST", s.path, s.body, keyed(s.key))
		if got.status != s.wantStatus {
			t.Errorf("%s: status = %d, want %d; %s", s.name, got.status, s.wantStatus, got.body)
		}
		if n := len(h.sim.Ledger()); n != s.wantLedger {
			t.Errorf("%s: ledger has %d entries, want %d", s.name, n, s.wantLedger)
		}
		if replayed := got.header.Get("Idempotent-Replayed") == "true"; replayed != s.wantReplay {
			t.Errorf("%s: replayed = %v, want %v", s.name, replayed, s.wantReplay)
		}
		if s.wantReplay && got.body != first.body {
			t.Errorf("%s: body = %s, want the first answer %s", s.name, got.body, first.body)
		}
	}
}

func TestV2IdempotencyFailureReleasesKey(t *testing.T) {
	h := start(t, Config{API: APIV2, HonorIdempotency: true})
	fixtures(h.sim)
	if got := h.addDays("mem_nobody", 5, keyed("k1")); got.status != 404 {
		t.Fatalf("status = %d, want 404", got.status)
	}
	h.sim.Put(Membership{ID: "mem_nobody", Status: "active", PeriodEnd: ptr(onceEnd)})
	if got := h.addDays("mem_nobody", 5, keyed("k1")); got.status != 201 {
		t.Errorf("retry after a 404: status = %d, want 201 (v2 stores only applied answers)", got.status)
	}
}

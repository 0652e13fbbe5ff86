package whopsim

import (
	"slices"
	"sync"
	"testing"
	"time"
)

func TestIdempotencyReplay(t *testing.T) {
	clock := newClock()
	h := start(t, Config{HonorIdempotency: true, Now: clock.Now})
	fixtures(h.sim)
	key := func(k string) map[string]string { return map[string]string{"Idempotency-Key": k} }
	path := "/memberships/mem_renew/add_free_days"
	first := h.send("POST", path, `{"days":5}`, key("k1"))
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
		got := h.send("POST", s.path, s.body, key(s.key))
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

func TestIdempotencyFailureReleasesKey(t *testing.T) {
	h := start(t, Config{HonorIdempotency: true})
	fixtures(h.sim)
	key := map[string]string{"Idempotency-Key": "k1"}
	if got := h.send("POST", "/memberships/mem_nobody/add_free_days", `{"days":5}`, key); got.status != 404 {
		t.Fatalf("status = %d, want 404", got.status)
	}
	h.sim.Put(Membership{ID: "mem_nobody", Status: "active", Valid: true, ExpiresAt: ptr(onceEnd)})
	if got := h.send("POST", "/memberships/mem_nobody/add_free_days", `{"days":5}`, key); got.status != 201 {
		t.Errorf("retry after a 404: status = %d, want 201 (only applied answers are stored)", got.status)
	}
}

func TestIdempotencyStoresAppliedAnswerBehindFault(t *testing.T) {
	h := start(t, Config{HonorIdempotency: true, FailAfterApplyRate: 1})
	fixtures(h.sim)
	key := map[string]string{"Idempotency-Key": "k1"}
	if got := h.send("POST", "/memberships/mem_once/add_free_days", `{"days":5}`, key); got.status != 502 {
		t.Fatalf("status = %d, want 502", got.status)
	}
	got := h.send("POST", "/memberships/mem_once/add_free_days", `{"days":5}`, key)
	if got.status != 201 || *decodeMembership(t, got.body).ExpiresAt != onceEnd+5*day {
		t.Errorf("retry: %d %s, want the stored 201", got.status, got.body)
	}
	if n := len(h.sim.Ledger()); n != 1 {
		t.Errorf("ledger has %d entries, want 1", n)
	}
}

func TestIdempotencyConflictWhileRunning(t *testing.T) {
	h := start(t, Config{HonorIdempotency: true, Latency: 500 * time.Millisecond})
	fixtures(h.sim)
	var wg sync.WaitGroup
	statuses := make([]int, 2)
	for i := range statuses {
		wg.Go(func() {
			statuses[i] = h.send("POST", "/memberships/mem_renew/add_free_days", `{"days":5}`,
				map[string]string{"Idempotency-Key": "k1"}).status
		})
	}
	wg.Wait()
	slices.Sort(statuses)
	if want := []int{201, 409}; !slices.Equal(statuses, want) {
		t.Errorf("statuses = %v, want %v", statuses, want)
	}
	if n := len(h.sim.Ledger()); n != 1 {
		t.Errorf("ledger has %d entries, want 1", n)
	}
}

func TestNoIdempotencyByDefault(t *testing.T) {
	h := start(t, Config{})
	fixtures(h.sim)
	for range 2 {
		h.send("POST", "/memberships/mem_renew/add_free_days", `{"days":5}`, map[string]string{"Idempotency-Key": "k1"})
	}
	ledger := h.sim.Ledger()
	if len(ledger) != 2 || *ledger[1].After.RenewalPeriodEnd != renewEnd+10*day {
		t.Errorf("ledger = %+v, want the same key applied twice (v2 documents no idempotency)", ledger)
	}
}

package whopsim

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestAddFreeDaysLedger(t *testing.T) {
	for _, api := range []string{APICurrent, APIV2} {
		t.Run(api, func(t *testing.T) {
			h := start(t, Config{API: api})
			fixtures(h.sim)
			h.addDays("mem_renew", 10, map[string]string{"Idempotency-Key": "a"})
			h.addDays("mem_renew", 5, map[string]string{"Idempotency-Key": "b"})
			ledger := h.sim.Ledger()
			if len(ledger) != 2 {
				t.Fatalf("ledger has %d entries, want 2", len(ledger))
			}
			tests := []struct {
				days              int
				key               string
				wantBefore, wantA int64
			}{
				{10, "a", renewEnd, renewEnd + 10*day},
				{5, "b", renewEnd + 10*day, renewEnd + 15*day},
			}
			for i, tt := range tests {
				e := ledger[i]
				if e.Op != OpAddFreeDays || e.Days != tt.days || e.IdempotencyKey != tt.key || e.ID != "mem_renew" {
					t.Errorf("entry %d: %s %s %d key %q, want add_free_days mem_renew %d key %q", i, e.Op, e.ID, e.Days, e.IdempotencyKey, tt.days, tt.key)
				}
				if got := *e.Before.PeriodEnd; got != tt.wantBefore {
					t.Errorf("entry %d: before end = %d, want %d", i, got, tt.wantBefore)
				}
				if got := *e.After.PeriodEnd; got != tt.wantA {
					t.Errorf("entry %d: after end = %d, want %d", i, got, tt.wantA)
				}
				if *e.After.PeriodStart != renewStart {
					t.Errorf("entry %d: period start moved to %d; only the end is extended", i, *e.After.PeriodStart)
				}
			}
		})
	}
}

func TestLedgerIsACopy(t *testing.T) {
	h := start(t, Config{})
	fixtures(h.sim)
	h.setMetadata("mem_renew", `{"metadata":{"a":{"b":"c"}}}`)
	l := h.sim.Ledger()
	l[0].After.Metadata["a"].(map[string]any)["b"] = "changed"
	*l[0].Before.PeriodEnd = 0
	m, _ := h.sim.Get("mem_renew")
	m.Metadata["a"] = "changed too"
	*m.PeriodStart = 0
	if got := h.sim.Ledger()[0]; got.After.Metadata["a"].(map[string]any)["b"] != "c" || *got.Before.PeriodEnd != renewEnd {
		t.Errorf("ledger changed through a returned copy: %+v", got)
	}
	if got := h.get("mem_renew"); !strings.Contains(got.body, `"a":{"b":"c"}`) || !strings.Contains(got.body, "2026-11-01T00:00:00.000Z") {
		t.Errorf("membership changed through a returned copy: %s", got.body)
	}
}

func TestPutIsACopy(t *testing.T) {
	s := New(Config{})
	m := Membership{ID: "mem_x", Status: "active", PeriodEnd: ptr(onceEnd), Metadata: map[string]any{"a": "b"}}
	s.Put(m)
	*m.PeriodEnd = 0
	m.Metadata["a"] = "changed"
	got, _ := s.Get("mem_x")
	if *got.PeriodEnd != onceEnd || got.Metadata["a"] != "b" {
		t.Errorf("stored membership changed through the caller's value: %+v", got)
	}
	if !strings.HasPrefix(got.ProductID, "prod_") || !strings.HasPrefix(got.AccountID, "biz_") {
		t.Errorf("ids = %q, %q; want them filled from the hash", got.ProductID, got.AccountID)
	}
}

// TestLedgerKeepsEveryState checks that each entry keeps the states
// around its own change and the order of the changes, however many
// changes follow.
func TestLedgerKeepsEveryState(t *testing.T) {
	s := New(Config{NoLimit: true})
	fixtures(s)
	const n = 300
	for i := range n {
		var body []byte
		var status int
		switch i % 3 {
		case 0:
			body, status = serve(s, "POST", "/api/v1/memberships/mem_once/extend", `{"days":2}`)
		case 1:
			body, status = serve(s, "POST", "/api/v1/memberships/mem_renew/extend", `{"days":1}`)
		default:
			body, status = serve(s, "PATCH", "/api/v1/memberships/mem_renew", fmt.Sprintf(`{"metadata":{"i":%d}}`, i))
		}
		if status != 200 {
			t.Fatalf("change %d: status %d: %s", i, status, body)
		}
	}
	ledger := s.Ledger()
	if len(ledger) != n {
		t.Fatalf("ledger has %d entries, want %d", len(ledger), n)
	}
	for i, e := range ledger {
		k := int64(i / 3)
		switch i % 3 {
		case 0:
			if e.ID != "mem_once" || *e.Before.PeriodEnd != onceEnd+2*k*day || *e.After.PeriodEnd != onceEnd+2*(k+1)*day {
				t.Fatalf("entry %d: %s end %d -> %d", i, e.ID, *e.Before.PeriodEnd, *e.After.PeriodEnd)
			}
		case 1:
			if e.ID != "mem_renew" || *e.Before.PeriodEnd != renewEnd+k*day || *e.After.PeriodEnd != renewEnd+(k+1)*day {
				t.Fatalf("entry %d: %s end %d -> %d", i, e.ID, *e.Before.PeriodEnd, *e.After.PeriodEnd)
			}
			if i > 3 && e.Before.Metadata["i"] != float64(i-2) {
				t.Fatalf("entry %d: metadata before = %v, want i=%d", i, e.Before.Metadata, i-2)
			}
		default:
			want := map[string]any{"i": float64(i)}
			if !reflect.DeepEqual(e.Metadata, want) || e.After.Metadata["i"] != float64(i) || *e.After.PeriodEnd != *e.Before.PeriodEnd {
				t.Fatalf("entry %d: sent %v, metadata %v -> %v", i, e.Metadata, e.Before.Metadata, e.After.Metadata)
			}
		}
	}
}

package whopsim

import (
	"slices"
	"testing"
)

func TestRenew(t *testing.T) {
	tests := []struct {
		name      string
		m         Membership
		want      bool
		wantStart *int64
		wantEnd   *int64
		wantState string
	}{
		{"monthly", Membership{ID: "mem_r", Status: "active", Renews: true, PeriodDays: 30, PeriodStart: ptr(renewStart), PeriodEnd: ptr(renewEnd)},
			true, ptr(renewEnd), ptr(renewEnd + 30*day), "active"},
		{"trial becomes active", Membership{ID: "mem_r", Status: "trialing", Renews: true, PeriodDays: 7, PeriodStart: ptr(renewStart), PeriodEnd: ptr(renewEnd)},
			true, ptr(renewEnd), ptr(renewEnd + 7*day), "active"},
		{"one-time", Membership{ID: "mem_r", Status: "active", PeriodEnd: ptr(onceEnd)}, false, nil, ptr(onceEnd), "active"},
		{"lifetime", Membership{ID: "mem_r", Status: "active", Renews: true, PeriodDays: 30}, false, nil, nil, "active"},
		{"canceled", Membership{ID: "mem_r", Status: "canceled", Renews: true, PeriodDays: 30, PeriodStart: ptr(renewStart), PeriodEnd: ptr(renewEnd)},
			false, ptr(renewStart), ptr(renewEnd), "canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := New(Config{})
			s.Put(tt.m)
			if got := s.Renew("mem_r"); got != tt.want {
				t.Fatalf("Renew = %v, want %v", got, tt.want)
			}
			m, _ := s.Get("mem_r")
			if !sameTime(m.PeriodStart, tt.wantStart) || !sameTime(m.PeriodEnd, tt.wantEnd) || m.Status != tt.wantState {
				t.Errorf("after: %v..%v %s, want %v..%v %s", deref(m.PeriodStart), deref(m.PeriodEnd), m.Status,
					deref(tt.wantStart), deref(tt.wantEnd), tt.wantState)
			}
			ledger := s.Ledger()
			if !tt.want {
				if len(ledger) != 0 {
					t.Errorf("ledger = %+v, want empty", ledger)
				}
				return
			}
			if len(ledger) != 1 || ledger[0].Op != OpRenew || ledger[0].Days != tt.m.PeriodDays || *ledger[0].Before.PeriodEnd != renewEnd {
				t.Errorf("ledger = %+v, want one renew entry of %d days", ledger, tt.m.PeriodDays)
			}
		})
	}
	if New(Config{}).Renew("mem_nobody") {
		t.Errorf("Renew of an unknown membership = true")
	}
}

func sameTime(a, b *int64) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestRenewRate: a renewal before a request is what a client that read a
// membership and then extends it must expect; the extend builds on the
// renewed period.
func TestRenewRate(t *testing.T) {
	for _, api := range []string{APICurrent, APIV2} {
		t.Run(api, func(t *testing.T) {
			h := start(t, Config{API: api, RenewRate: 1, AutoCreate: true})
			fixtures(h.sim)
			h.get("mem_renew")                    // renews to renewEnd..renewEnd+30d
			got := h.addDays("mem_renew", 2, nil) // renews again, then extends
			if got.status/100 != 2 {
				t.Fatalf("extend: %d %s", got.status, got.body)
			}
			m, _ := h.sim.Get("mem_renew")
			if *m.PeriodStart != renewEnd+30*day || *m.PeriodEnd != renewEnd+60*day+2*day {
				t.Errorf("period %d..%d, want %d..%d", *m.PeriodStart, *m.PeriodEnd, renewEnd+30*day, renewEnd+62*day)
			}
			var ops []string
			for _, e := range h.sim.Ledger() {
				ops = append(ops, e.Op)
			}
			if want := []string{OpRenew, OpRenew, OpAddFreeDays}; !slices.Equal(ops, want) {
				t.Errorf("ledger ops = %v, want %v", ops, want)
			}
			h.get("mem_once")
			h.send("GET", "/memberships", "", nil) // touches no one membership (404 in v2)
			if n := len(h.sim.Ledger()); n != 3 {
				t.Errorf("ledger has %d entries, want 3: one-time memberships and lists do not renew", n)
			}
			if _, ok := h.sim.Get(""); ok {
				t.Errorf("a list created a membership with an empty id")
			}
		})
	}
}

func TestRenewRateFollowsTheSeed(t *testing.T) {
	renewals := func(seed int64) int {
		h := start(t, Config{RenewRate: 0.3, Seed: seed})
		fixtures(h.sim)
		for range 40 {
			h.get("mem_renew")
		}
		return len(h.sim.Ledger())
	}
	a, b := renewals(3), renewals(3)
	if a != b || a < 4 || a > 24 {
		t.Errorf("renewals = %d and %d with the same seed, want equal and about 12 of 40", a, b)
	}
}

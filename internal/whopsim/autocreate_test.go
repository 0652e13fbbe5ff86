package whopsim

import (
	"fmt"
	"reflect"
	"testing"
)

func TestEpoch(t *testing.T) {
	if got := Epoch.Unix(); got != renewStart {
		t.Errorf("Epoch = %d, want %d (2026-11-01T00:00:00Z)", got, renewStart)
	}
}

func TestAutoCreateDeterministic(t *testing.T) {
	ids := []string{"mem_a1", "mem_B2", "mem_lifetime1", "mem_Canceled7", "mem_expired3", "mem_zzz"}
	a := start(t, Config{AutoCreate: true})
	b := start(t, Config{AutoCreate: true})
	for _, id := range ids {
		got, want := a.get(id), b.get(id)
		if got.status != 200 || got.body != want.body {
			t.Errorf("%s: server a answered %d %s, server b %d %s", id, got.status, got.body, want.status, want.body)
		}
		auto, _ := AutoMembership(id)
		if m, _ := a.sim.Get(id); !reflect.DeepEqual(m, auto) {
			t.Errorf("%s: stored %+v, want AutoMembership's %+v", id, m, auto)
		}
	}
}

func TestAutoCreateKinds(t *testing.T) {
	past := func(p *int64) bool { return p != nil && *p < Epoch.Unix() }
	tests := []struct {
		id         string
		wantExists bool
		wantStatus string
		wantValid  bool
		dates      func(m Membership) bool
	}{
		{"mem_MISSING1", false, "", false, nil},
		{"mem_missing_lifetime", false, "", false, nil},
		{"mem_lifetime9", true, "active", true, func(m Membership) bool {
			return m.ExpiresAt == nil && m.RenewalPeriodEnd == nil && m.RenewalPeriodStart == nil
		}},
		{"mem_LifeTimeCanceled", true, "active", true, func(m Membership) bool { return m.ExpiresAt == nil && m.RenewalPeriodEnd == nil }},
		{"mem_canceled4", true, "canceled", false, func(m Membership) bool {
			return past(m.ExpiresAt) || past(m.RenewalPeriodEnd)
		}},
		{"mem_expired4", true, "expired", false, func(m Membership) bool {
			return past(m.ExpiresAt) && m.RenewalPeriodEnd == nil
		}},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			m, ok := AutoMembership(tt.id)
			if ok != tt.wantExists {
				t.Fatalf("exists = %v, want %v", ok, tt.wantExists)
			}
			if !ok {
				return
			}
			if m.Status != tt.wantStatus || m.Valid != tt.wantValid {
				t.Errorf("status, valid = %s, %v, want %s, %v", m.Status, m.Valid, tt.wantStatus, tt.wantValid)
			}
			if !tt.dates(m) {
				t.Errorf("dates not as expected: %+v", m)
			}
			if !past(m.CreatedAt) {
				t.Errorf("created_at %v not before the epoch", m.CreatedAt)
			}
		})
	}
}

func TestAutoCreateCanceledInThePast(t *testing.T) {
	for i := range 500 {
		m, _ := AutoMembership(fmt.Sprintf("mem_canceled%d", i))
		for _, p := range []*int64{m.ExpiresAt, m.RenewalPeriodStart, m.RenewalPeriodEnd} {
			if p != nil && *p >= Epoch.Unix() {
				t.Fatalf("%s has a date after the epoch: %+v", m.ID, m)
			}
		}
	}
}

func TestAutoCreateMix(t *testing.T) {
	const n = 3000
	var oneTime, renewing, trialing, withMetadata int
	for i := range n {
		m, ok := AutoMembership(fmt.Sprintf("mem_%06d", i))
		if !ok || !m.Valid || m.CreatedAt == nil || *m.CreatedAt >= Epoch.Unix() {
			t.Fatalf("%d: %+v, %v: want an existing valid membership created before the epoch", i, m, ok)
		}
		switch {
		case m.ExpiresAt != nil && m.RenewalPeriodEnd == nil && m.RenewalPeriodStart == nil:
			oneTime++
			if *m.ExpiresAt <= Epoch.Unix() {
				t.Errorf("%s expires at %d, before the epoch", m.ID, *m.ExpiresAt)
			}
		case m.ExpiresAt == nil && m.RenewalPeriodEnd != nil && m.RenewalPeriodStart != nil:
			renewing++
			if *m.RenewalPeriodEnd <= Epoch.Unix() || *m.RenewalPeriodStart >= *m.RenewalPeriodEnd {
				t.Errorf("%s renewal period %d..%d not around the epoch", m.ID, *m.RenewalPeriodStart, *m.RenewalPeriodEnd)
			}
		default:
			t.Errorf("%s has neither one shape nor the other: %+v", m.ID, m)
		}
		if m.Status == "trialing" {
			trialing++
		} else if m.Status != "active" {
			t.Errorf("%s status %s, want active or trialing", m.ID, m.Status)
		}
		if len(m.Metadata) > 0 {
			withMetadata++
		}
	}
	tests := []struct {
		name   string
		got    int
		lo, hi int
	}{
		{"one-time", oneTime, n * 28 / 100, n * 39 / 100},
		{"renewing", renewing, n * 61 / 100, n * 72 / 100},
		{"trialing", trialing, n * 15 / 100, n * 25 / 100},
		{"with metadata", withMetadata, n * 60 / 100, n * 73 / 100},
	}
	for _, tt := range tests {
		if tt.got < tt.lo || tt.got > tt.hi {
			t.Errorf("%s: %d of %d, want %d..%d", tt.name, tt.got, n, tt.lo, tt.hi)
		}
	}
}

func TestWithoutAutoCreateUnknownIs404(t *testing.T) {
	h := start(t, Config{})
	if got := h.get("mem_a1"); got.status != 404 {
		t.Errorf("status = %d, want 404", got.status)
	}
	if _, ok := h.sim.Get("mem_a1"); ok {
		t.Errorf("Get found a membership that was never created")
	}
}

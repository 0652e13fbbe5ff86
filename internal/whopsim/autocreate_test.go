package whopsim

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

func TestAutoCreateDeterministic(t *testing.T) {
	ids := []string{"mem_a1", "mem_B2", "mem_lifetime1", "mem_Canceled7", "mem_expired3", "mem_zzz"}
	for _, api := range []string{APICurrent, APIV2} {
		clock := newClock()
		a := start(t, Config{API: api, AutoCreate: true, Now: clock.Now})
		b := start(t, Config{API: api, AutoCreate: true, Now: clock.Now})
		for _, id := range ids {
			got, want := a.get(id), b.get(id)
			if got.status != 200 || got.body != want.body {
				t.Errorf("%s %s: server a answered %d %s, server b %d %s", api, id, got.status, got.body, want.status, want.body)
			}
			auto, _ := AutoMembership(id, t0)
			if m, _ := a.sim.Get(id); !reflect.DeepEqual(m, auto) {
				t.Errorf("%s %s: stored %+v, want AutoMembership's %+v", api, id, m, auto)
			}
		}
	}
}

func TestAutoMembershipRelativeToNow(t *testing.T) {
	for _, now := range []time.Time{t0, t0.AddDate(3, 0, 0)} {
		for _, id := range []string{"mem_a1", "mem_B2", "mem_zzz", "mem_expired3", "mem_canceled4"} {
			m, _ := AutoMembership(id, now)
			later, _ := AutoMembership(id, now.Add(48*time.Hour))
			if *later.PeriodEnd-*m.PeriodEnd != 2*day || later.CreatedAt-m.CreatedAt != 2*day {
				t.Errorf("%s: two days later, end %d -> %d, created %d -> %d: want both two days on",
					id, *m.PeriodEnd, *later.PeriodEnd, m.CreatedAt, later.CreatedAt)
			}
			if m.Status == StatusActive || m.Status == StatusTrialing {
				if *m.PeriodEnd <= now.Unix() {
					t.Errorf("%s at %v: end %d not after now", id, now, *m.PeriodEnd)
				}
			} else if *m.PeriodEnd >= now.Unix() {
				t.Errorf("%s at %v: %s, end %d not before now", id, now, m.Status, *m.PeriodEnd)
			}
		}
	}
}

func TestAutoCreateKinds(t *testing.T) {
	now := t0.Unix()
	past := func(p *int64) bool { return p != nil && *p < now }
	tests := []struct {
		id         string
		wantExists bool
		wantStatus string
		dates      func(m Membership) bool
	}{
		{"mem_MISSING1", false, "", nil},
		{"mem_missing_lifetime", false, "", nil},
		{"mem_lifetime9", true, "active", func(m Membership) bool { return m.PeriodEnd == nil && m.PeriodStart == nil && !m.Renews }},
		{"mem_LifeTimeCanceled", true, "active", func(m Membership) bool { return m.PeriodEnd == nil }},
		{"mem_canceled4", true, "canceled", func(m Membership) bool { return past(m.PeriodEnd) }},
		{"mem_expired4", true, "expired", func(m Membership) bool { return past(m.PeriodEnd) && !m.Renews && m.PeriodStart == nil }},
	}
	for _, tt := range tests {
		t.Run(tt.id, func(t *testing.T) {
			m, ok := AutoMembership(tt.id, t0)
			if ok != tt.wantExists {
				t.Fatalf("exists = %v, want %v", ok, tt.wantExists)
			}
			if !ok {
				return
			}
			if m.Status != tt.wantStatus {
				t.Errorf("status = %s, want %s", m.Status, tt.wantStatus)
			}
			if !tt.dates(m) {
				t.Errorf("dates not as expected: %+v", m)
			}
			if m.CreatedAt >= now || (m.PeriodStart != nil && m.CreatedAt >= *m.PeriodStart) {
				t.Errorf("created_at %d not before now and the period start: %+v", m.CreatedAt, m)
			}
		})
	}
}

func TestAutoCreateCanceledInThePast(t *testing.T) {
	for i := range 500 {
		m, _ := AutoMembership(fmt.Sprintf("mem_canceled%d", i), t0)
		for _, p := range []*int64{m.PeriodStart, m.PeriodEnd} {
			if p != nil && *p >= t0.Unix() {
				t.Fatalf("%s has a date after now: %+v", m.ID, m)
			}
		}
	}
}

func TestAutoCreateMix(t *testing.T) {
	const n = 3000
	now := t0.Unix()
	var oneTime, renewing, yearly, trialing, withMetadata int
	for i := range n {
		m, ok := AutoMembership(fmt.Sprintf("mem_%06d", i), t0)
		if !ok || m.CreatedAt >= now || m.PeriodEnd == nil || *m.PeriodEnd <= now {
			t.Fatalf("%d: %+v, %v: want an existing membership created before now, ending after", i, m, ok)
		}
		switch {
		case !m.Renews && m.PeriodStart == nil:
			oneTime++
			if *m.PeriodEnd > now+365*day {
				t.Errorf("%s ends %d days ahead, want at most 365", m.ID, (*m.PeriodEnd-now)/day)
			}
		case m.Renews && m.PeriodStart != nil && *m.PeriodEnd-*m.PeriodStart == int64(m.PeriodDays)*day:
			renewing++
			ahead := (*m.PeriodEnd - now) / day
			if m.PeriodDays == 365 {
				yearly++
			} else if m.PeriodDays != 30 || ahead < 1 || ahead > 28 {
				t.Errorf("%s: period of %d days ending %d days ahead, want 30 and 1..28", m.ID, m.PeriodDays, ahead)
			}
		default:
			t.Errorf("%s has neither one shape nor the other: %+v", m.ID, m)
		}
		if m.Status == StatusTrialing {
			trialing++
		} else if m.Status != StatusActive {
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
		{"yearly among renewing", yearly, renewing * 18 / 100, renewing * 32 / 100},
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

package whopsim

import (
	"strings"
	"time"
)

// AutoMembership is the membership that Config.AutoCreate creates for id
// at now. Its kind comes from the id alone (its 64-bit FNV-1a hash), so
// every run sees the same one; its dates are relative to now, so a demo
// shows sensible ones. Words in the id, case-insensitive and checked in
// this order, choose its kind:
//
//   - "missing": it does not exist (ok is false);
//   - "lifetime": active, no period end (nothing to extend);
//   - "canceled": canceled, its dates a year or more in the past;
//   - "expired": expired, one-time, its end 1..60 days in the past;
//   - otherwise, by hash: about a third are one-time (no period start,
//     an end 1..365 days ahead), the rest renew, monthly (end 1..28 days
//     ahead) or, about one in four, yearly (end 1..363 days ahead), with
//     the period starting one period before its end; active, or trialing
//     for about one in five.
//
// created_at is before the period starts; metadata is one of {},
// {"source":"checkout"} and {"source":"import","tier":"gold"}; the
// product, plan, user and account ids come from the hash.
func AutoMembership(id string, now time.Time) (m Membership, ok bool) {
	lower := strings.ToLower(id)
	if strings.Contains(lower, "missing") {
		return Membership{}, false
	}
	h := hashID(id)
	m = Membership{ID: id, Status: StatusActive, Metadata: autoMetadata(h)}.withIDs()
	today := now.Unix()
	switch {
	case strings.Contains(lower, "lifetime"):
		// no dates to extend
	case strings.Contains(lower, "canceled"):
		m.Status = StatusCanceled
		autoDates(&m, h, today-int64(366+h>>32%30)*day) // every date a year back
	case strings.Contains(lower, "expired"):
		m.Status = StatusExpired
		m.PeriodEnd = new(today - int64(1+h>>32%60)*day)
	default:
		if h>>40%5 == 0 {
			m.Status = StatusTrialing
		}
		autoDates(&m, h, today)
	}
	m.CreatedAt = autoCreated(m, h, today)
	return m, true
}

// autoDates gives m a one-time end or a renewal period, from base.
func autoDates(m *Membership, h uint64, base int64) {
	if h%3 == 0 {
		m.PeriodEnd = new(base + int64(1+h>>16%365)*day)
		return
	}
	period := 30
	if h>>48%4 == 0 {
		period = 365
	}
	end := base + int64(1+h>>16%uint64(period-2))*day
	m.Renews, m.PeriodDays = true, period
	m.PeriodEnd, m.PeriodStart = new(end), new(end-int64(period)*day)
}

// autoCreated is 30..729 days and some seconds before the earliest of
// now and the membership's dates.
func autoCreated(m Membership, h uint64, today int64) int64 {
	first := today
	for _, p := range []*int64{m.PeriodStart, m.PeriodEnd} {
		if p != nil {
			first = min(first, *p)
		}
	}
	return first - int64(30+h>>8%700)*day - int64(h>>24%day)
}

func autoMetadata(h uint64) map[string]any {
	switch h >> 52 % 3 {
	case 0:
		return map[string]any{}
	case 1:
		return map[string]any{"source": "checkout"}
	default:
		return map[string]any{"source": "import", "tier": "gold"}
	}
}

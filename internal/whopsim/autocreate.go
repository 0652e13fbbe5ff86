package whopsim

import (
	"fmt"
	"strings"
	"time"
)

// Epoch is the fixed instant AutoMembership dates memberships from.
var Epoch = time.Date(2026, time.November, 1, 0, 0, 0, 0, time.UTC)

const day = 86400 // seconds

// AutoMembership is the membership that Config.AutoCreate creates for id,
// derived from the id alone (its 64-bit FNV-1a hash), so every run sees the same one.
// Words in the id, case-insensitive and checked in this order, choose its kind:
//
//   - "missing": it does not exist (ok is false);
//   - "lifetime": active, valid, no expires_at and no renewal period (cannot be extended);
//   - "canceled": canceled, not valid, its dates in the past;
//   - "expired": expired, not valid, expires_at in the past, no renewal period;
//   - otherwise, by hash: about a third are one-time (expires_at 1..365 days
//     after Epoch, renewal fields null), the rest renew monthly or yearly
//     (renewal_period_end 1..period days after Epoch, expires_at null);
//     active, or trialing for about one in five; valid.
//
// created_at is always before Epoch, and metadata is one of {},
// {"source":"checkout"} and {"source":"import","tier":"gold"}.
func AutoMembership(id string) (m Membership, ok bool) {
	lower := strings.ToLower(id)
	if strings.Contains(lower, "missing") {
		return Membership{}, false
	}
	h := hashID(id)
	m = Membership{
		ID:        id,
		Status:    "active",
		Valid:     true,
		Email:     fmt.Sprintf("user%06d@example.com", h%1_000_000),
		Metadata:  autoMetadata(h),
		CreatedAt: at(-int64(30+h>>8%700)*day - int64(h>>24%day)),
	}
	switch {
	case strings.Contains(lower, "lifetime"):
		// no dates to extend
	case strings.Contains(lower, "canceled"):
		m.Status, m.Valid = "canceled", false
		autoDates(&m, h, -int64(366+h>>32%30)*day) // every date a year back: in the past
	case strings.Contains(lower, "expired"):
		m.Status, m.Valid = "expired", false
		m.ExpiresAt = at(-int64(1+h>>32%60) * day)
	default:
		if h>>40%5 == 0 {
			m.Status = "trialing"
		}
		autoDates(&m, h, 0)
	}
	return m, true
}

// autoDates gives m a one-time expiry or a renewal period, ending shift
// seconds after where it would end from Epoch.
func autoDates(m *Membership, h uint64, shift int64) {
	if h%3 == 0 {
		m.ExpiresAt = at(int64(1+h>>16%365)*day + shift)
		return
	}
	period := autoPeriod(h)
	end := int64(1+h>>16%uint64(period))*day + shift
	m.RenewalPeriodEnd = at(end)
	m.RenewalPeriodStart = at(end - period*day)
}

// autoPeriod is a renewing membership's period in days: yearly for about
// one in four, monthly otherwise.
func autoPeriod(h uint64) int64 {
	if h>>48%4 == 0 {
		return 365
	}
	return 30
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

// at is Epoch plus offset seconds, as a timestamp pointer.
func at(offset int64) *int64 {
	v := Epoch.Unix() + offset
	return &v
}

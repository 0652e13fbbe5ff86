package whopsim

import (
	"fmt"
	"maps"
)

// Membership is the simulator's state of one membership, shared by both
// dialects. Timestamps are Unix seconds.
type Membership struct {
	ID       string
	Status   string         // trialing, active, past_due, completed, canceled, expired, unresolved
	Metadata map[string]any // nil is shown as {}
	// PeriodStart is current_period_start; v2 shows it as
	// renewal_period_start for renewing memberships, else null.
	PeriodStart *int64
	// PeriodEnd is current_period_end, the date free days move; nil is a
	// lifetime membership, with nothing to extend.
	PeriodEnd *int64
	// Renews is a renewing plan (v2 shows renewal_period_start/end and
	// expires_at null); false is one-time (v2 shows expires_at = PeriodEnd
	// and renewal_* null).
	Renews     bool
	PeriodDays int // length of a renewal period, for Renew; 0: it cannot renew
	CreatedAt  int64

	// Empty ids are filled by Put from the ID's hash, as AutoMembership does.
	ProductID, PlanID, UserID, AccountID string
}

// Statuses a membership can have.
const (
	StatusTrialing   = "trialing"
	StatusActive     = "active"
	StatusPastDue    = "past_due"
	StatusCompleted  = "completed"
	StatusCanceled   = "canceled"
	StatusExpired    = "expired"
	StatusUnresolved = "unresolved"
)

// valid is v2's "valid": the membership grants access.
func (m Membership) valid() bool {
	switch m.Status {
	case StatusTrialing, StatusActive, StatusPastDue, StatusCompleted:
		return true
	}
	return false
}

// withIDs fills the empty related ids from the ID's hash.
func (m Membership) withIDs() Membership {
	h := hashID(m.ID)
	fill := func(p *string, v string) {
		if *p == "" {
			*p = v
		}
	}
	fill(&m.ProductID, productID(h))
	fill(&m.PlanID, planID(h))
	fill(&m.UserID, tag("user_", h>>8))
	fill(&m.AccountID, accountID(h))
	return m
}

// clone copies m deeply, so that the copy shares nothing with m.
func (m Membership) clone() Membership {
	if m.Metadata != nil {
		m.Metadata = copyValue(m.Metadata).(map[string]any)
	}
	m.PeriodStart = copyPtr(m.PeriodStart)
	m.PeriodEnd = copyPtr(m.PeriodEnd)
	return m
}

func copyPtr(p *int64) *int64 {
	if p == nil {
		return nil
	}
	return new(*p)
}

// copyValue deep-copies the maps and slices of a JSON-like value.
func copyValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := maps.Clone(v)
		for k, e := range out {
			out[k] = copyValue(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = copyValue(e)
		}
		return out
	}
	return v
}

// hashID is the 64-bit FNV-1a hash of id: everything the simulator
// derives from an id (AutoMembership, related ids, emails) comes from it.
func hashID(id string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	return h
}

// tag is a Whop-style id: a prefix and 14 hexadecimal digits.
func tag(prefix string, v uint64) string {
	return fmt.Sprintf("%s%014x", prefix, v&(1<<56-1))
}

// Derived ids come from few products and accounts, so filters have
// something to tell apart: four products over two accounts, four plans
// per product.
func productID(h uint64) string { return tag("prod_", 1+h>>56%4) }
func accountID(h uint64) string { return tag("biz_", 1+h>>56%4/2) }
func planID(h uint64) string    { return tag("plan_", (1+h>>56%4)<<4|h>>48%4) }

func licenseKey(h uint64) string {
	return fmt.Sprintf("%05X-%05X-%05X", h&0xfffff, h>>20&0xfffff, h>>40&0xfffff)
}

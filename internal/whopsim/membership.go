package whopsim

import "time"

// Membership is the part of a v2 membership object that the simulator keeps.
// Timestamps are Unix seconds; nil is JSON null. Its JSON form is the
// object's own field names, so a test may decode an answer into it.
type Membership struct {
	ID                 string         `json:"id"`
	Status             string         `json:"status"`
	Valid              bool           `json:"valid"`
	Email              string         `json:"email"`
	Metadata           map[string]any `json:"metadata"`
	ExpiresAt          *int64         `json:"expires_at"`
	RenewalPeriodStart *int64         `json:"renewal_period_start"`
	RenewalPeriodEnd   *int64         `json:"renewal_period_end"`
	CreatedAt          *int64         `json:"created_at"`
}

// LedgerEntry is one change the server applied. Before and After are the
// membership's state around it.
type LedgerEntry struct {
	At             time.Time
	ID             string
	Op             string         // "add_free_days" or "update_metadata"
	Days           int            // add_free_days
	Metadata       map[string]any // update_metadata: the object sent
	IdempotencyKey string
	Before, After  Membership
}

// Request is one request received under /api/v2, as logged on arrival.
type Request struct {
	At             time.Time
	Method, Path   string
	Status         int // the answer's status; 0 while in flight or when the client left first
	IdempotencyKey string
	Dropped        bool // applied, then the connection closed unanswered; Status is the answer it would have had
}

// Operation names, as used in LedgerEntry.Op.
const (
	OpAddFreeDays    = "add_free_days"
	OpUpdateMetadata = "update_metadata"
)

func (m Membership) clone() Membership {
	m.Metadata = cloneObject(m.Metadata)
	m.ExpiresAt = clonePtr(m.ExpiresAt)
	m.RenewalPeriodStart = clonePtr(m.RenewalPeriodStart)
	m.RenewalPeriodEnd = clonePtr(m.RenewalPeriodEnd)
	m.CreatedAt = clonePtr(m.CreatedAt)
	return m
}

func (e LedgerEntry) clone() LedgerEntry {
	e.Metadata = cloneObject(e.Metadata)
	e.Before = e.Before.clone()
	e.After = e.After.clone()
	return e
}

func clonePtr(p *int64) *int64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func cloneObject(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch v := v.(type) {
	case map[string]any:
		return cloneObject(v)
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = cloneValue(e)
		}
		return out
	default:
		return v // strings, numbers, booleans, nil: immutable
	}
}

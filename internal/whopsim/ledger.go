package whopsim

import "time"

// Kinds of change, as used in LedgerEntry.Op. Both dialects' ways of
// adding free days (v2's add_free_days, the Current API's extend) are
// recorded as OpAddFreeDays, and both ways of setting metadata as
// OpUpdateMetadata, so that a test counts changes the same way for both.
const (
	OpAddFreeDays    = "add_free_days"
	OpUpdateMetadata = "update_metadata"
	OpRenew          = "renew" // a renewal: Renew, or Config.RenewRate
)

// LedgerEntry is one change the server applied. Before and After are the
// membership's state around it.
type LedgerEntry struct {
	At             time.Time
	ID             string
	Op             string         // OpAddFreeDays, OpUpdateMetadata or OpRenew
	Days           int            // add_free_days: the days sent; renew: the period's length
	Metadata       map[string]any // update_metadata: the object sent (Current: merged in; v2: the new whole)
	IdempotencyKey string         // the request's Idempotency-Key header, honoured or not
	Before, After  Membership
}

func (e LedgerEntry) clone() LedgerEntry {
	if e.Metadata != nil {
		e.Metadata = copyValue(e.Metadata).(map[string]any)
	}
	e.Before, e.After = e.Before.clone(), e.After.clone()
	return e
}

// Ledger returns every change the server applied, in order.
func (s *Server) Ledger() []LedgerEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]LedgerEntry, len(s.ledger))
	for i, e := range s.ledger {
		out[i] = e.clone()
	}
	return out
}

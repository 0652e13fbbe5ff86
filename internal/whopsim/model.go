package whopsim

import (
	"errors"
	"maps"
	"slices"
)

// Refusals of the model, which each dialect words in its own shape.
var (
	errNotFound = errors.New("membership not found")
	errNoPeriod = errors.New("membership has no period end to extend")
)

const day = 86400 // seconds

// lookup finds a membership, creating it when AutoCreate says it exists.
// The caller holds mu.
func (s *Server) lookup(id string) (Membership, bool) {
	if m, ok := s.members[id]; ok {
		return m, true
	}
	if !s.cfg.AutoCreate {
		return Membership{}, false
	}
	m, ok := AutoMembership(id, s.now())
	if ok {
		s.members[id] = m
	}
	return m, ok
}

// read is a membership's state. It shares its maps with the stored one:
// callers only encode it.
func (s *Server) read(id string) (Membership, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.lookup(id)
	if !ok {
		return Membership{}, errNotFound
	}
	return m, nil
}

// change has edit make a membership's new state and, unless edit
// refuses, stores it and writes entry to the ledger with the states
// around it. edit must replace a map or pointer it changes, never write
// through it. The caller holds mu.
func (s *Server) change(id string, entry LedgerEntry, edit func(Membership) (Membership, error)) (Membership, error) {
	before, ok := s.lookup(id)
	if !ok {
		return Membership{}, errNotFound
	}
	after, err := edit(before)
	if err != nil {
		return Membership{}, err
	}
	s.members[id] = after
	entry.At, entry.ID, entry.Before, entry.After = s.now(), id, before, after
	s.ledger = append(s.ledger, entry)
	return after, nil
}

// extend moves the end of the current period (a renewal date or an
// expiry) by days; the start stays.
func (s *Server) extend(c call, days int) (Membership, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	entry := LedgerEntry{Op: OpAddFreeDays, Days: days, IdempotencyKey: c.idempotencyKey}
	return s.change(c.id, entry, func(m Membership) (Membership, error) {
		if m.PeriodEnd == nil {
			return m, errNoPeriod
		}
		m.PeriodEnd = new(*m.PeriodEnd + int64(days)*day)
		return m, nil
	})
}

// setMetadata merges md into the metadata (an empty md clears it), or
// replaces the metadata with md.
func (s *Server) setMetadata(c call, md map[string]any, merge bool) (Membership, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	entry := LedgerEntry{Op: OpUpdateMetadata, Metadata: md, IdempotencyKey: c.idempotencyKey}
	return s.change(c.id, entry, func(m Membership) (Membership, error) {
		next := maps.Clone(md) // md itself stays as sent, for the ledger
		if merge && len(md) > 0 {
			next = maps.Clone(m.Metadata)
			if next == nil {
				next = map[string]any{}
			}
			maps.Copy(next, md)
		}
		m.Metadata = next
		return m, nil
	})
}

// Renew starts a membership's next period now, as its renewal would: the
// new period starts where the old one ended and lasts PeriodDays; a
// trial becomes active. It reports whether the membership renewed: only
// one that exists (AutoCreate counts), Renews, has a PeriodEnd and
// PeriodDays, and is not canceled, expired or completed does.
func (s *Server) Renew(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	m, ok := s.lookup(id)
	if !ok || !renews(m) {
		return false
	}
	s.change(id, LedgerEntry{Op: OpRenew, Days: m.PeriodDays}, func(m Membership) (Membership, error) {
		m.PeriodStart = new(*m.PeriodEnd)
		m.PeriodEnd = new(*m.PeriodEnd + int64(m.PeriodDays)*day)
		if m.Status == StatusTrialing {
			m.Status = StatusActive
		}
		return m, nil
	})
	return true
}

func renews(m Membership) bool {
	ended := slices.Contains([]string{StatusCanceled, StatusExpired, StatusCompleted}, m.Status)
	return m.Renews && m.PeriodEnd != nil && m.PeriodDays > 0 && !ended
}

// stored is every stored membership, in no order. The values share maps
// with the stored ones: callers only filter and encode them.
func (s *Server) stored() []Membership {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Collect(maps.Values(s.members))
}

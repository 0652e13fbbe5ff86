package whopsim

import (
	"fmt"
	"net/http"
	"strconv"
	"unicode/utf8"
)

// Bounds the current Whop API puts on requests; v2 is assumed to share them.
const (
	MinDays          = 1
	MaxDays          = 1095
	MaxMetadataKeys  = 50
	MaxMetadataKey   = 100 // characters
	MaxMetadataValue = 500 // characters, string values
)

func (s *Server) handle(c call) reply {
	switch c.op {
	case opGet:
		return s.get(c.id)
	case OpAddFreeDays:
		return s.addFreeDays(c)
	default:
		return s.updateMetadata(c)
	}
}

func (s *Server) get(id string) reply {
	s.mu.Lock()
	m, ok := s.lookup(id)
	s.mu.Unlock()
	if !ok {
		return notFoundID(id)
	}
	return jsonReply(http.StatusOK, encodeMembership(m))
}

// addFreeDays extends renewal_period_end of a renewing membership,
// otherwise expires_at; a membership with neither cannot be extended.
func (s *Server) addFreeDays(c call) reply {
	days, refused := parseDays(c.body)
	if refused != nil {
		return *refused
	}
	return s.apply(c, LedgerEntry{Op: OpAddFreeDays, Days: days}, func(m Membership) (Membership, *reply) {
		add := int64(days) * day
		switch {
		case m.RenewalPeriodEnd != nil:
			m.RenewalPeriodEnd = new(*m.RenewalPeriodEnd + add)
		case m.ExpiresAt != nil:
			m.ExpiresAt = new(*m.ExpiresAt + add)
		default:
			return m, new(namedError(http.StatusUnprocessableEntity, "unprocessable_entity",
				"This membership has no renewal or expiration date to extend"))
		}
		return m, nil
	})
}

// updateMetadata replaces the whole metadata object. v2 does not document
// replace or merge; replace is the behaviour that loses data, so it is the
// one a client must be ready for.
func (s *Server) updateMetadata(c call) reply {
	md, refused := parseMetadata(c.body)
	if refused != nil {
		return *refused
	}
	return s.apply(c, LedgerEntry{Op: OpUpdateMetadata, Metadata: md}, func(m Membership) (Membership, *reply) {
		m.Metadata = md // never changed after parsing: shared with the ledger entry
		return m, nil
	})
}

// apply has change make the membership's new state and, unless change
// refuses, stores it and writes the ledger entry: the answer is 201 with the
// new state. change gets a copy that shares its pointers and maps with the
// stored membership, so it must replace a field it changes, never write
// through it.
func (s *Server) apply(c call, entry LedgerEntry, change func(Membership) (Membership, *reply)) reply {
	s.mu.Lock()
	before, ok := s.lookup(c.id)
	if !ok {
		s.mu.Unlock()
		return notFoundID(c.id)
	}
	after, refused := change(before)
	if refused != nil {
		s.mu.Unlock()
		return *refused
	}
	s.members[c.id] = after
	entry.At, entry.ID, entry.IdempotencyKey = s.cfg.Now(), c.id, c.key
	entry.Before, entry.After = before, after
	s.ledger.add(entry)
	s.mu.Unlock()

	rep := jsonReply(http.StatusCreated, encodeMembership(after))
	rep.applied = true
	return rep
}

// lookup finds a membership, creating it when AutoCreate says it exists.
// The caller holds mu.
func (s *Server) lookup(id string) (Membership, bool) {
	if m, ok := s.members[id]; ok {
		return m, true
	}
	if !s.cfg.AutoCreate {
		return Membership{}, false
	}
	m, ok := AutoMembership(id)
	if ok {
		s.members[id] = m
	}
	return m, ok
}

func notFoundID(id string) reply {
	return notFound("No such Resource found with the provided ID: " + id)
}

// parseField reads a request body that must be a JSON object and finds
// its field name; a non-nil reply refuses the body.
func parseField(body []byte, name string) (raw []byte, found bool, refused *reply) {
	raw, found, ok := bodyField(body, name)
	if !ok {
		return nil, false, new(namedError(http.StatusBadRequest, "bad_request", "The request body must be a JSON object"))
	}
	return raw, found, nil
}

func parseDays(body []byte) (int, *reply) {
	raw, found, refused := parseField(body, "days")
	if refused != nil {
		return 0, refused
	}
	if !found {
		return 0, new(invalid("Parameter days is required"))
	}
	if !isInteger(raw) {
		return 0, new(invalid("Parameter days must be an integer"))
	}
	days, err := strconv.Atoi(string(raw))
	if err != nil || days < MinDays || days > MaxDays {
		return 0, new(invalid(fmt.Sprintf("Parameter days must be between %d and %d", MinDays, MaxDays)))
	}
	return days, nil
}

// isInteger reports whether a JSON value is an integer literal: digits with
// an optional minus, no fraction or exponent. Strings are not integers.
func isInteger(raw []byte) bool {
	digits := raw
	if len(digits) > 0 && digits[0] == '-' {
		digits = digits[1:]
	}
	if len(digits) == 0 {
		return false
	}
	for _, b := range digits {
		if b < '0' || b > '9' {
			return false
		}
	}
	return true
}

func parseMetadata(body []byte) (map[string]any, *reply) {
	raw, found, refused := parseField(body, "metadata")
	if refused != nil {
		return nil, refused
	}
	if !found {
		return nil, new(invalid("Parameter metadata is required"))
	}
	if raw[0] != '{' {
		return nil, new(invalid("Parameter metadata must be an object"))
	}
	md, err := decodeObject(raw)
	if err != nil {
		return nil, new(invalid("Parameter metadata must be an object"))
	}
	if len(md) > MaxMetadataKeys {
		return nil, new(invalid(fmt.Sprintf("Metadata can have at most %d keys", MaxMetadataKeys)))
	}
	// The first key in sorted order that breaks a limit is the one reported.
	bad, anyBad := "", false
	for k, v := range md {
		if (tooLong(k, MaxMetadataKey) || isLongString(v)) && (!anyBad || k < bad) {
			bad, anyBad = k, true
		}
	}
	switch {
	case !anyBad:
		return md, nil
	case tooLong(bad, MaxMetadataKey):
		return nil, new(invalid(fmt.Sprintf("Metadata keys can be at most %d characters", MaxMetadataKey)))
	default:
		return nil, new(invalid(fmt.Sprintf("Metadata value for key %q can be at most %d characters", bad, MaxMetadataValue)))
	}
}

// tooLong reports whether s has more than n characters.
func tooLong(s string, n int) bool {
	return len(s) > n && utf8.RuneCountInString(s) > n // a character takes at least one byte
}

// isLongString reports whether v is a string over MaxMetadataValue characters.
func isLongString(v any) bool {
	s, ok := v.(string)
	return ok && tooLong(s, MaxMetadataValue)
}

func invalid(message string) reply {
	return apiError(http.StatusUnprocessableEntity, message)
}

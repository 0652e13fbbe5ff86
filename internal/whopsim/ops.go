package whopsim

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
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
	return s.apply(c, LedgerEntry{Op: OpAddFreeDays, Days: days}, func(m *Membership) *reply {
		end := m.RenewalPeriodEnd
		if end == nil {
			end = m.ExpiresAt
		}
		if end == nil {
			return new(namedError(http.StatusUnprocessableEntity, "unprocessable_entity",
				"This membership has no renewal or expiration date to extend"))
		}
		*end += int64(days) * day
		return nil
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
	return s.apply(c, LedgerEntry{Op: OpUpdateMetadata, Metadata: md}, func(m *Membership) *reply {
		m.Metadata = cloneObject(md)
		return nil
	})
}

// apply changes a clone of the membership and, unless change refuses,
// stores it and writes the ledger entry: the answer is 201 with the new state.
func (s *Server) apply(c call, entry LedgerEntry, change func(*Membership) *reply) reply {
	s.mu.Lock()
	before, ok := s.lookup(c.id)
	if !ok {
		s.mu.Unlock()
		return notFoundID(c.id)
	}
	after := before.clone() // clone: change may write through its pointers
	if refused := change(&after); refused != nil {
		s.mu.Unlock()
		return *refused
	}
	s.members[c.id] = after
	entry.At, entry.ID, entry.IdempotencyKey = s.cfg.Now(), c.id, c.key
	entry.Before, entry.After = before, after.clone()
	s.ledger = append(s.ledger, entry)
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

// parseFields reads a request body that must be a JSON object.
func parseFields(body []byte) (map[string]json.RawMessage, *reply) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return nil, new(namedError(http.StatusBadRequest, "bad_request", "The request body must be a JSON object"))
	}
	return fields, nil
}

func parseDays(body []byte) (int, *reply) {
	fields, refused := parseFields(body)
	if refused != nil {
		return 0, refused
	}
	raw, ok := fields["days"]
	if !ok {
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
func isInteger(raw json.RawMessage) bool {
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
	fields, refused := parseFields(body)
	if refused != nil {
		return nil, refused
	}
	raw, ok := fields["metadata"]
	if !ok {
		return nil, new(invalid("Parameter metadata is required"))
	}
	var md map[string]any
	if err := json.Unmarshal(raw, &md); err != nil || md == nil {
		return nil, new(invalid("Parameter metadata must be an object"))
	}
	if len(md) > MaxMetadataKeys {
		return nil, new(invalid(fmt.Sprintf("Metadata can have at most %d keys", MaxMetadataKeys)))
	}
	for _, k := range slices.Sorted(maps.Keys(md)) {
		if utf8.RuneCountInString(k) > MaxMetadataKey {
			return nil, new(invalid(fmt.Sprintf("Metadata keys can be at most %d characters", MaxMetadataKey)))
		}
		if v, ok := md[k].(string); ok && utf8.RuneCountInString(v) > MaxMetadataValue {
			return nil, new(invalid(fmt.Sprintf("Metadata value for key %q can be at most %d characters", k, MaxMetadataValue)))
		}
	}
	return md, nil
}

func invalid(message string) reply {
	return apiError(http.StatusUnprocessableEntity, message)
}

package input

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Limits on the values of a row.
const (
	maxIDLen = 64
	minDays  = 1
	maxDays  = 1095
)

// checker validates decoded rows. ScanFile and Rows both go through it, so
// a row is sent exactly as it was checked.
type checker struct {
	seen   seenIDs
	noNull bool     // refuse a null metadata value (--metadata merge)
	walk   metaWalk // memory for checking metadata objects
}

func newChecker() *checker { return new(checker) }

// check returns the row, or the problems that keep it from being one (all
// of them, in a stable order).
func (c *checker) check(raw rawRow) (Row, []fault) {
	if len(raw.probs) > 0 {
		return Row{}, raw.probs
	}
	row := Row{Line: raw.line, Extra: raw.extra}
	var probs []fault
	add := func(f fault) {
		if f.msg != "" {
			probs = append(probs, f)
		}
	}
	id, f := membershipID(raw.id, raw.jsonValues)
	add(f)
	row.MembershipID = id
	switch {
	case raw.days.set && raw.meta.set:
		add(faultOf("row has both days and metadata; give exactly one"))
	case raw.days.set:
		row.Action = AddFreeDays
		row.Days, f = days(raw.days, raw.jsonValues)
		add(f)
	case raw.meta.set:
		row.Action = UpdateMetadata
		row.Metadata, f = c.metadata(raw.meta, raw.jsonValues)
		add(f)
	default:
		add(faultOf("row has neither days nor metadata; give exactly one"))
	}
	if id != "" && row.Action != "" {
		if first := c.seen.add(id, row.Action, raw.line); first != 0 {
			add(faultf("membership_id already appears on an earlier line for the same action",
				"%s already appears on line %d for %s", id, first, row.Action))
		}
	}
	if probs != nil {
		return Row{}, probs
	}
	return row, nil
}

// membershipID returns the ID, or why it is not a valid one.
func membershipID(v rawValue, isJSON bool) (string, fault) {
	s := v.text
	if isJSON && v.set {
		if s == "" || s[0] != '"' {
			return "", faultf("membership_id must be a string", "membership_id must be a string, got %s", cut(s))
		}
		s = unquote(s)
	}
	switch {
	case !v.set || s == "":
		return "", faultOf("membership_id is missing")
	case !validShape(s):
		return "", faultf("membership_id must be mem_ followed by letters and digits",
			"membership_id %s must be mem_ followed by letters and digits", shortQuote(s))
	case len(s) > maxIDLen:
		return "", faultf(fmt.Sprintf("membership_id is longer than %d characters", maxIDLen),
			"membership_id %s is longer than %d characters", shortQuote(s), maxIDLen)
	}
	return s, fault{}
}

// ValidID reports whether id is a membership ID as an input row must give
// it: ^mem_[A-Za-z0-9]+$, at most 64 characters. Nothing else can change
// the path of a request.
func ValidID(id string) bool {
	return validShape(id) && len(id) <= maxIDLen
}

// validShape reports whether s matches ^mem_[A-Za-z0-9]+$ (any length).
func validShape(s string) bool {
	rest, ok := strings.CutPrefix(s, "mem_")
	if !ok || rest == "" {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// days returns the number of days, or why the value is not one. In CSV the
// cell, in JSONL the JSON text, must be plain ASCII digits.
func days(v rawValue, isJSON bool) (int, fault) {
	n, ok := 0, len(v.text) > 0
	for i := 0; ok && i < len(v.text); i++ {
		c := v.text[i]
		ok = '0' <= c && c <= '9'
		if n <= maxDays { // stops growing long before it could overflow
			n = n*10 + int(c-'0')
		}
	}
	if ok && minDays <= n && n <= maxDays {
		return n, fault{}
	}
	got := shortQuote(v.text)
	if isJSON {
		got = cut(v.text)
	}
	kind := fmt.Sprintf("days must be a whole number from %d to %d", minDays, maxDays)
	return 0, faultf(kind, "%s, got %s", kind, got)
}

// CheckDays validates a number of free days as an input row's days cell
// is validated: plain digits, 1 to 1095.
func CheckDays(s string) (int, error) {
	n, f := days(rawValue{text: s, set: true}, false)
	if f.msg != "" {
		return 0, errors.New(f.msg)
	}
	return n, nil
}

// CheckMetadata validates a metadata object as an input row's metadata
// is validated, and returns it compacted. noNull refuses a null value
// (--metadata merge, or an API whose update merges).
func CheckMetadata(s string, noNull bool) (json.RawMessage, error) {
	c := &checker{noNull: noNull}
	m, f := c.metadata(rawValue{text: s, set: true}, false)
	if f.msg != "" {
		return nil, errors.New(f.msg)
	}
	return m, nil
}

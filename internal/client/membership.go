package client

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"

	"bulk/internal/jsontext"
)

// Membership is the part of a v2 membership object bulk reads. Timestamps
// are Unix seconds; nil means null.
type Membership struct {
	ID                 string
	Status             string
	Valid              bool
	Email              string
	Metadata           json.RawMessage // the object as the API sent it; nil when null
	ExpiresAt          *int64
	RenewalPeriodStart *int64
	RenewalPeriodEnd   *int64
	CreatedAt          *int64
	HTTPStatus         int // status of the answer it came in
}

// decodeMembership reads a membership object from an answer's body.
//
// It behaves as json.Unmarshal into a struct of wireMembership's fields,
// tagged "id", "status", "valid", "email", "metadata" (a json.RawMessage)
// and the timestamps' names: it accepts the same bodies, reads the same
// values and fails with the same errors. Keys match fields regardless of
// case, the last of repeated keys wins, null leaves a string or bool field
// as it was, a value of the wrong type is a *json.UnmarshalTypeError and
// invalid JSON a *json.SyntaxError. Unknown fields are ignored.
//
// Timestamps are the v2 integer seconds, and it is lenient about what a
// newer API answers instead: a float with no fraction, a numeric string or
// an RFC 3339 string.
func decodeMembership(body []byte) (*Membership, error) {
	d := decoder{scanner: scanner{data: body}}
	if !d.document() {
		return nil, fmt.Errorf("decode membership: %w", syntaxError(body))
	}
	if err := d.err(); err != nil {
		return nil, fmt.Errorf("decode membership: %w", err)
	}
	if d.w.ID == "" {
		return nil, errors.New("decode membership: no id in answer")
	}
	return d.w.membership(), nil
}

// syntaxError describes why body, which the scanner refused, is not JSON,
// in encoding/json's words (it runs only on that failure).
func syntaxError(body []byte) error {
	var v json.RawMessage
	if err := json.Unmarshal(body, &v); err != nil {
		return err
	}
	return errors.New("invalid JSON") // not reached: both refuse the same text
}

// wireMembership is the object as it travels, field by field as decoded.
// Its name is the one type errors give, as encoding/json names the struct
// it decodes into.
type wireMembership struct {
	ID                 string
	Status             string
	Valid              bool
	Email              string
	Metadata           []byte // the raw value, inside the body
	ExpiresAt          seconds
	RenewalPeriodStart seconds
	RenewalPeriodEnd   seconds
	CreatedAt          seconds
}

// seconds is a decoded timestamp; set is false for null.
type seconds struct {
	v   int64
	set bool
}

// membership returns the Membership w holds. It copies the metadata out of
// the body, and does not keep the body.
func (w *wireMembership) membership() *Membership {
	// One allocation holds the Membership and the timestamps it points to.
	a := new(struct {
		m     Membership
		times [4]int64
	})
	m := &a.m
	m.ID, m.Status, m.Valid, m.Email = w.ID, w.Status, w.Valid, w.Email
	if len(w.Metadata) > 0 && string(w.Metadata) != "null" {
		m.Metadata = append(json.RawMessage(nil), w.Metadata...)
	}
	m.ExpiresAt = w.ExpiresAt.store(&a.times[0])
	m.RenewalPeriodStart = w.RenewalPeriodStart.store(&a.times[1])
	m.RenewalPeriodEnd = w.RenewalPeriodEnd.store(&a.times[2])
	m.CreatedAt = w.CreatedAt.store(&a.times[3])
	return m
}

// store puts s in *p and returns p, or returns nil for null.
func (s seconds) store(p *int64) *int64 {
	if !s.set {
		return nil
	}
	*p = s.v
	return p
}

// field is a member of the object decodeMembership reads.
type field int

const (
	fieldUnknown field = iota
	fieldID
	fieldStatus
	fieldValid
	fieldEmail
	fieldMetadata
	fieldExpiresAt
	fieldRenewalPeriodStart
	fieldRenewalPeriodEnd
	fieldCreatedAt
	numFields
)

var fieldNames = [numFields]string{
	fieldID:                 "id",
	fieldStatus:             "status",
	fieldValid:              "valid",
	fieldEmail:              "email",
	fieldMetadata:           "metadata",
	fieldExpiresAt:          "expires_at",
	fieldRenewalPeriodStart: "renewal_period_start",
	fieldRenewalPeriodEnd:   "renewal_period_end",
	fieldCreatedAt:          "created_at",
}

// lookupField returns the field key names. Like encoding/json, it prefers
// an exact match and otherwise matches under Unicode simple case folding
// (so "ID" and "\u017ftatus", with a long s, are fields too).
func lookupField(key []byte) field {
	switch string(key) {
	case "id":
		return fieldID
	case "status":
		return fieldStatus
	case "valid":
		return fieldValid
	case "email":
		return fieldEmail
	case "metadata":
		return fieldMetadata
	case "expires_at":
		return fieldExpiresAt
	case "renewal_period_start":
		return fieldRenewalPeriodStart
	case "renewal_period_end":
		return fieldRenewalPeriodEnd
	case "created_at":
		return fieldCreatedAt
	}
	// The names are lower-case ASCII, so only a key with an upper-case
	// letter or a byte outside ASCII can fold to one of them.
	for _, c := range key {
		if 'A' <= c && c <= 'Z' || c >= 0x80 {
			for f := fieldID; f < numFields; f++ {
				if strings.EqualFold(string(key), fieldNames[f]) {
					return f
				}
			}
			break
		}
	}
	return fieldUnknown
}

// decoder reads a membership object into w.
type decoder struct {
	scanner
	w wireMembership
	// typeErr is the first value of the wrong type; decoding goes on past
	// it. stopErr is a timestamp that could not be read; nothing after it
	// is decoded. As with encoding/json, stopErr wins over typeErr, and
	// invalid JSON anywhere over both.
	typeErr, stopErr error
}

func (d *decoder) err() error {
	if d.stopErr != nil {
		return d.stopErr
	}
	return d.typeErr
}

// document reads the whole body: one value with nothing but white space
// around it. It reports whether the body is valid JSON.
func (d *decoder) document() bool {
	var ok bool
	if d.next() == '{' {
		ok = d.object()
	} else {
		ok = d.otherValue(wireType(), "", 0)
	}
	return ok && d.next() == 0 && d.pos == len(d.data)
}

// object reads the object at pos into w.
func (d *decoder) object() bool {
	d.pos++ // {
	if d.next() == '}' {
		d.pos++
		return true
	}
	var buf [32]byte
	for {
		if d.next() != '"' {
			return false
		}
		raw, plain, ok := d.str()
		if !ok {
			return false
		}
		key := raw
		if !plain {
			key = jsontext.AppendUnescaped(buf[:0], raw)
		}
		f := lookupField(key)
		if d.next() != ':' {
			return false
		}
		d.pos++
		if d.stopErr != nil {
			f = fieldUnknown
		}
		if !d.value(f) {
			return false
		}
		switch d.next() {
		case ',':
			d.pos++
		case '}':
			d.pos++
			return true
		default:
			return false
		}
	}
}

// value reads the value at pos into field f of w.
func (d *decoder) value(f field) bool {
	c := d.next()
	switch f {
	case fieldUnknown:
		return d.skipValue(1)
	case fieldID, fieldStatus, fieldEmail:
		if c != '"' {
			return d.otherValue(stringType(), fieldNames[f], 1)
		}
		raw, plain, ok := d.str()
		if !ok {
			return false
		}
		switch f {
		case fieldID:
			d.w.ID = stringOf(raw, plain)
		case fieldStatus:
			d.w.Status = statusOf(raw, plain)
		case fieldEmail:
			d.w.Email = stringOf(raw, plain)
		}
		return true
	case fieldValid:
		switch c {
		case 't':
			d.w.Valid = true
			return d.literal("true")
		case 'f':
			d.w.Valid = false
			return d.literal("false")
		}
		return d.otherValue(boolType(), fieldNames[f], 1)
	case fieldMetadata:
		start := d.pos
		ok := d.skipValue(1)
		d.w.Metadata = d.data[start:d.pos]
		return ok
	}
	return d.timestamp(d.timestampField(f))
}

func (d *decoder) timestampField(f field) *seconds {
	switch f {
	case fieldExpiresAt:
		return &d.w.ExpiresAt
	case fieldRenewalPeriodStart:
		return &d.w.RenewalPeriodStart
	case fieldRenewalPeriodEnd:
		return &d.w.RenewalPeriodEnd
	}
	return &d.w.CreatedAt
}

// stringOf returns the string whose inside, as str returned it, is raw.
func stringOf(raw []byte, plain bool) string {
	if plain {
		return string(raw)
	}
	var buf [64]byte
	return string(jsontext.AppendUnescaped(buf[:0], raw))
}

// statusOf is stringOf for a status; the documented values share memory.
func statusOf(raw []byte, plain bool) string {
	if plain {
		switch string(raw) {
		case "trialing":
			return "trialing"
		case "active":
			return "active"
		case "past_due":
			return "past_due"
		case "completed":
			return "completed"
		case "canceled":
			return "canceled"
		case "expired":
			return "expired"
		case "unresolved":
			return "unresolved"
		}
	}
	return stringOf(raw, plain)
}

// otherValue moves past a value at pos that is not what the field (or the
// top level, for an empty name) expects, and notes a type error unless it
// is null: null leaves a string, a bool or the top-level struct as it was.
// The errors are encoding/json's, offsets included.
func (d *decoder) otherValue(t reflect.Type, name string, depth int) bool {
	c := d.next()
	start := d.pos
	if !d.skipValue(depth) {
		return false
	}
	var what string
	offset := d.pos // after the value, for a literal
	switch c {
	case 'n':
		return true
	case '{':
		what, offset = "object", start+1
	case '[':
		what, offset = "array", start+1
	case '"':
		what = "string"
	case 't', 'f':
		what = "bool"
	default:
		what = "number"
	}
	if d.typeErr == nil {
		e := &json.UnmarshalTypeError{Value: what, Type: t, Offset: int64(offset)}
		if name != "" {
			e.Struct, e.Field = "wireMembership", name
		}
		d.typeErr = e
	}
	return true
}

func wireType() reflect.Type   { return reflect.TypeFor[wireMembership]() }
func stringType() reflect.Type { return reflect.TypeFor[string]() }
func boolType() reflect.Type   { return reflect.TypeFor[bool]() }

// timestamp reads the timestamp at pos into *t.
func (d *decoder) timestamp(t *seconds) bool {
	c := d.next()
	start := d.pos
	switch {
	case c == 'n':
		*t = seconds{}
		return d.literal("null")
	case c == '"':
		raw, plain, ok := d.str()
		if !ok {
			return false
		}
		s := raw
		if !plain {
			var buf [64]byte
			s = jsontext.AppendUnescaped(buf[:0], raw)
		}
		v, err := timestampFromString(s)
		d.setTimestamp(t, v, err)
		return true
	case c == '-' || isDigit(c):
		if !d.number() {
			return false
		}
		text := d.data[start:d.pos]
		v, ok := timestampFromNumber(text)
		if !ok {
			d.setTimestamp(t, 0, notTimestamp(text))
			return true
		}
		d.setTimestamp(t, v, nil)
		return true
	}
	if !d.skipValue(1) {
		return false
	}
	d.setTimestamp(t, 0, notTimestamp(d.data[start:d.pos]))
	return true
}

func (d *decoder) setTimestamp(t *seconds, v int64, err error) {
	if err != nil {
		d.stopErr = err
		return
	}
	*t = seconds{v: v, set: true}
}

func notTimestamp(raw []byte) error {
	return fmt.Errorf("timestamp %s: not a number or string", raw)
}

// timestampFromNumber reads a JSON number: an integer, or a float with no
// fraction small enough to be exact.
func timestampFromNumber(text []byte) (int64, bool) {
	if i, err := strconv.ParseInt(string(text), 10, 64); err == nil {
		return i, true
	}
	if f, err := strconv.ParseFloat(string(text), 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int64(f), true
	}
	return 0, false
}

// timestampFromString reads a timestamp sent as a string: a JSON number as
// timestampFromNumber reads it, a decimal integer (which may have a sign or
// leading zeros) or an RFC 3339 time.
func timestampFromString(s []byte) (int64, error) {
	if isNumber(s) {
		if i, ok := timestampFromNumber(s); ok {
			return i, nil
		}
	}
	if i, err := strconv.ParseInt(string(s), 10, 64); err == nil {
		return i, nil
	}
	str := string(s)
	ts, err := time.Parse(time.RFC3339, str)
	if err != nil {
		return 0, fmt.Errorf("timestamp %q: %w", str, err)
	}
	return ts.Unix(), nil
}

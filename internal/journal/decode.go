package journal

import (
	"cmp"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/bits"
	"unicode/utf8"
)

// The fast decoder reads lines in the exact form appendRecord writes:
// known keys in its order, no whitespace, integers without fraction or
// exponent. Anything else (an unknown key, null where a string belongs, an
// invalid string, a line someone edited) goes to encoding/json, so both
// always agree on what a line means.

// Fields by kind; the constants index rawRecord's arrays.
const (
	sType = iota
	sRun
	sFile
	sSHA256
	sAction
	sID
	sInput
	sPayload
	sKey
	sStatus
	sErr
	sAPI
	sVersion
	sMStatus
	sWarn
	numStrings
)

const (
	iAt = iota
	iPID
	iLine
	iDays
	iHTTP
	iAttempts
	numInts
)

const (
	pPrevStart = iota
	pPrevEnd
	pStart
	pEnd
	numPtrs
)

const (
	kindString = iota
	kindInt
	kindPtr
	kindBool
)

// span is the content of a JSON string within a line, quotes excluded.
type span struct {
	lo, hi int
	slow   bool // escapes or invalid UTF-8: decode with encoding/json
}

// rawRecord is a parsed line that still points into the line's bytes.
// Only the fields flagged in hasStr and hasPtr are set.
type rawRecord struct {
	hasStr uint16
	hasPtr uint8
	before bool
	ints   [numInts]int64
	strs   [numStrings]span
	ptrs   [numPtrs]int64
}

// field is a known key, in the order appendRecord writes them.
type field struct {
	kind, index int
	size        int       // len(`"key":`)
	words       [4]uint64 // `"key":` as little-endian words, the last one zero-padded
	nwords      int
	mask0       uint64 // the mask of the key's bytes in the first word
	last        uint64 // and in the last word
}

const numFields = 26

var fields = func() (fs [numFields]field) {
	for k, f := range []struct {
		key         string
		kind, index int
	}{
		{"t", kindString, sType},
		{"at", kindInt, iAt},
		{"run", kindString, sRun},
		{"file", kindString, sFile},
		{"sha256", kindString, sSHA256},
		{"pid", kindInt, iPID},
		{"api", kindString, sAPI},
		{"version", kindString, sVersion},
		{"action", kindString, sAction},
		{"id", kindString, sID},
		{"line", kindInt, iLine},
		{"input", kindString, sInput},
		{"days", kindInt, iDays},
		{"payload", kindString, sPayload},
		{"key", kindString, sKey},
		{"status", kindString, sStatus},
		{"http", kindInt, iHTTP},
		{"err", kindString, sErr},
		{"before", kindBool, 0},
		{"prev_start", kindPtr, pPrevStart},
		{"prev_end", kindPtr, pPrevEnd},
		{"start", kindPtr, pStart},
		{"end", kindPtr, pEnd},
		{"attempts", kindInt, iAttempts},
		{"mstatus", kindString, sMStatus},
		{"warn", kindString, sWarn},
	} {
		q := `"` + f.key + `":`
		fs[k] = field{kind: f.kind, index: f.index, size: len(q)}
		fs[k].mask0 = ^uint64(0) >> (64 - 8*min(8, len(q)))
		for ; q != ""; q = q[min(8, len(q)):] {
			fs[k].words[fs[k].nwords] = word(q)
			fs[k].nwords++
			fs[k].last = ^uint64(0) >> (64 - 8*min(8, len(q)))
		}
	}
	return fs
}()

// word returns up to 8 bytes of s as a little-endian word, zero-padded.
func word[S ~string | ~[]byte](s S) uint64 {
	var b [8]byte
	copy(b[:], s)
	return binary.LittleEndian.Uint64(b[:])
}

// at returns the word at b[i:], zero-padded past the end of b.
func at(b []byte, i int) uint64 {
	if len(b)-i >= 8 {
		return binary.LittleEndian.Uint64(b[i:])
	}
	return word(b[i:])
}

// matchesRest reports whether b[i:] goes on like the key of f, whose
// first word is known to match.
func (f *field) matchesRest(b []byte, i int) bool {
	if len(b)-i < f.size {
		return false
	}
	n := f.nwords - 1
	for k := 1; k < n; k++ {
		if binary.LittleEndian.Uint64(b[i+8*k:]) != f.words[k] {
			return false
		}
	}
	return at(b, i+8*n)&f.last == f.words[n]
}

// parseFast parses b (one line without its newline) into r; without
// values it only checks the integers. It returns false when the line is
// not in appendRecord's form; the line may still be valid JSON. It is the
// hot loop of Open and Lookup, so it does in line what could be helpers.
func parseFast(b []byte, r *rawRecord, values bool) bool {
	r.hasStr, r.hasPtr, r.before, r.ints = 0, 0, false, [numInts]int64{}
	if len(b) < 2 || b[0] != '{' {
		return false
	}
	if len(b) == 2 {
		return b[1] == '}'
	}
	pos := 0
	for i := 1; ; {
		// The key: the next of the known keys, in order.
		w := at(b, i)
		for pos < numFields && w&fields[pos].mask0 != fields[pos].words[0] {
			pos++
		}
		if pos == numFields || fields[pos].nwords > 1 && !fields[pos].matchesRest(b, i) {
			return false
		}
		f := &fields[pos]
		pos++
		i += f.size
		if i >= len(b) {
			return false
		}
		// The value.
		switch x := f.index; f.kind {
		case kindString:
			if b[i] != '"' {
				return false
			}
			j := nextSpecial(b, i+1)
			if j < len(b) && b[j] == '"' {
				r.strs[x] = span{lo: i + 1, hi: j}
			} else if r.strs[x], j = scanString(b, i+1, j); j < 0 {
				return false
			}
			r.hasStr |= 1 << x
			i = j + 1
		case kindBool:
			switch {
			case hasLiteral(b, i, "true"):
				r.before = true
				i += 4
			case hasLiteral(b, i, "false"):
				i += 5
			default:
				return false
			}
		default: // kindInt, kindPtr
			if f.kind == kindPtr && hasLiteral(b, i, "null") {
				i += 4
				break
			}
			neg := b[i] == '-'
			start := i
			if neg {
				start++
			}
			i = start + digits(b, start)
			n := i - start
			if n == 0 || n > 19 || n > 1 && b[start] == '0' {
				return false
			}
			if !values && n < 19 && math.MaxInt == math.MaxInt64 {
				break
			}
			u := parseDigits(b[start:i])
			if u > math.MaxInt64+1 || !neg && u > math.MaxInt64 {
				return false
			}
			v := int64(u)
			if neg {
				v = -v
			}
			if f.kind == kindPtr {
				r.ptrs[x] = v
				r.hasPtr |= 1 << x
			} else if r.ints[x] = v; x != iAt && int64(int(v)) != v {
				return false
			}
		}
		// What follows.
		if i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i++
		case '}':
			return i+1 == len(b)
		default:
			return false
		}
	}
}

func hasLiteral(b []byte, i int, lit string) bool {
	return len(b)-i >= len(lit) && string(b[i:i+len(lit)]) == lit
}

// scanString reads on through a JSON string whose content starts at lo and
// whose first special byte is at j (see nextSpecial). It returns the span
// and the index of the closing quote, or -1 if the string is invalid.
func scanString(b []byte, lo, j int) (span, int) {
	s := span{lo: lo}
	nonASCII := false
	for ; j < len(b); j = nextSpecial(b, j) {
		switch c := b[j]; {
		case c == '"':
			s.hi = j
			if nonASCII && !s.slow && !utf8.Valid(b[s.lo:s.hi]) {
				s.slow = true
			}
			return s, j
		case c == '\\':
			n := escapeLen(b[j:])
			if n == 0 {
				return s, -1
			}
			s.slow = true
			j += n
		case c >= utf8.RuneSelf:
			nonASCII = true
			j++
		default: // a control character
			return s, -1
		}
	}
	return s, -1
}

const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// nextSpecial returns the index of the first byte from b[j:] that ends the
// fast path through a string (see strSpecial), or len(b). It looks at
// eight bytes at a time: in each word, the lowest byte flagged is a quote,
// a backslash, a control character or a non-ASCII byte (bytes above it may
// be flagged wrongly by borrows, and are not looked at).
func nextSpecial(b []byte, j int) int {
	for ; j+8 <= len(b); j += 8 {
		x := binary.LittleEndian.Uint64(b[j:])
		q, bs := x^(ones*'"'), x^(ones*'\\')
		m := ((q-ones)&^q | (bs-ones)&^bs | (x-ones*0x20)&^x | x) & highs
		if m != 0 {
			return j + bits.TrailingZeros64(m)>>3
		}
	}
	for ; j < len(b) && !strSpecial[b[j]]; j++ {
	}
	return j
}

// digits returns how many ASCII digits start b[i:], looking at eight
// bytes at a time.
func digits(b []byte, i int) int {
	n := 0
	for ; len(b)-i >= 8; i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		// A byte is a digit when its high nibble is 3 both as it is and
		// plus 6. Carries only flag bytes above a non-digit.
		m := (x&(ones*0xF0) ^ ones*0x30) | ((x+ones*6)&(ones*0xF0) ^ ones*0x30)
		if m != 0 {
			m = ((m &^ highs) + ^highs&(ones*0x7F) | m) & highs
			return n + bits.TrailingZeros64(m)>>3
		}
		n += 8
	}
	for ; i < len(b) && b[i]-'0' <= 9; i++ {
		n++
	}
	return n
}

// escapeLen returns the length of the valid JSON escape at the start of b,
// or 0.
func escapeLen(b []byte) int {
	if len(b) < 2 {
		return 0
	}
	switch b[1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		return 2
	case 'u':
		if len(b) < 6 {
			return 0
		}
		for _, c := range b[2:6] {
			if !isHex(c) {
				return 0
			}
		}
		return 6
	}
	return 0
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// parseDigits returns the value of at most 19 ASCII digits, taking eight
// at a time.
func parseDigits(d []byte) uint64 {
	var u uint64
	for ; len(d) >= 8; d = d[8:] {
		x := binary.LittleEndian.Uint64(d) - ones*'0'
		x = (x*10 + x>>8) & 0x00FF00FF00FF00FF
		x = (x*100 + x>>16) & 0x0000FFFF0000FFFF
		x = (x*10000 + x>>32) & 0xFFFFFFFF
		u = u*100000000 + x
	}
	for _, c := range d {
		u = u*10 + uint64(c-'0')
	}
	return u
}

// strSpecial marks the bytes that end the fast path through a string.
var strSpecial = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	for c := utf8.RuneSelf; c < 256; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// decodeRecord decodes one line (without its newline).
func decodeRecord(line []byte) (Record, error) {
	var r Record
	err := decode(line, &r)
	return r, err
}

// decode decodes one line (without its newline) into *r, which must be
// zero.
func decode(line []byte, r *Record) error {
	var raw rawRecord
	if !parseFast(line, &raw, true) {
		rec, err := decodeSlow(line)
		*r = rec
		return err
	}
	return raw.record(line, r)
}

func decodeSlow(line []byte) (Record, error) {
	var r struct {
		Record
		legacyDates
	}
	if err := json.Unmarshal(line, &r); err != nil {
		return Record{}, err
	}
	r.legacyDates.apply(&r.Record)
	return r.Record, nil
}

// legacyDates are the date fields of journals written before bulk spoke
// the Current API, when every campaign was a v2 one. The date free days
// moved was renewal_period_end, else expires_at; the period's start was
// not recorded, so it stays unknown (nil): settling such a record against
// a membership that has a start now gives "unknown", the safe side.
type legacyDates struct {
	PrevExpires *int64 `json:"prev_expires_at"`
	PrevRenewal *int64 `json:"prev_renewal_period_end"`
	Expires     *int64 `json:"expires_at"`
	Renewal     *int64 `json:"renewal_period_end"`
}

func (l legacyDates) apply(r *Record) {
	if r.PrevEnd == nil {
		r.PrevEnd = cmp.Or(l.PrevRenewal, l.PrevExpires)
	}
	if r.End == nil {
		r.End = cmp.Or(l.Renewal, l.Expires)
	}
}

// record builds the Record. Its strings share one copy of the part of the
// line that holds them; the common constant values are not copied at all.
func (raw *rawRecord) record(line []byte, r *Record) error {
	var strs [numStrings]string
	lo, hi := len(line), 0 // what to copy
	for x := range numStrings {
		s := raw.strs[x]
		switch {
		case raw.hasStr&(1<<x) == 0:
		case s.slow:
			v, err := unquote(line[s.lo-1 : s.hi+1])
			if err != nil {
				return err
			}
			strs[x] = v
		default:
			if c := constant(x, line[s.lo:s.hi]); c != "" {
				strs[x] = c
			} else {
				lo, hi = min(lo, s.lo), max(hi, s.hi)
			}
		}
	}
	if lo < hi {
		own := string(line[lo:hi])
		for x := range numStrings {
			if s := raw.strs[x]; raw.hasStr&(1<<x) != 0 && !s.slow && strs[x] == "" && s.lo < s.hi {
				strs[x] = own[s.lo-lo : s.hi-lo]
			}
		}
	}
	*r = Record{
		Type: strs[sType], At: raw.ints[iAt], Run: strs[sRun],
		File: strs[sFile], SHA256: strs[sSHA256], PID: int(raw.ints[iPID]),
		API: strs[sAPI], Version: strs[sVersion], MStatus: strs[sMStatus], Warn: strs[sWarn],
		Action: strs[sAction], ID: strs[sID], Line: int(raw.ints[iLine]), Input: strs[sInput],
		Days: int(raw.ints[iDays]), Payload: strs[sPayload], Key: strs[sKey], Status: strs[sStatus],
		HTTP: int(raw.ints[iHTTP]), Err: strs[sErr], Before: raw.before, Attempts: int(raw.ints[iAttempts]),
	}
	if raw.hasPtr != 0 {
		v := raw.ptrs // one allocation for all four
		ptr := func(x int) *int64 {
			if raw.hasPtr&(1<<x) == 0 {
				return nil
			}
			return &v[x]
		}
		r.PrevStart, r.PrevEnd = ptr(pPrevStart), ptr(pPrevEnd)
		r.Start, r.End = ptr(pStart), ptr(pEnd)
	}
	return nil
}

// constant returns the value of string field x as a constant, if it is one
// of the values records repeat, or "".
func constant(x int, b []byte) string {
	switch x {
	case sType:
		switch string(b) {
		case TypeIntent:
			return TypeIntent
		case TypeOutcome:
			return TypeOutcome
		case TypeRun:
			return TypeRun
		}
	case sAction:
		switch string(b) {
		case "add_free_days":
			return "add_free_days"
		case "update_metadata":
			return "update_metadata"
		}
	case sStatus:
		switch string(b) {
		case StatusApplied:
			return StatusApplied
		case StatusFailed:
			return StatusFailed
		case StatusUnknown:
			return StatusUnknown
		case StatusNotApplied:
			return StatusNotApplied
		}
	}
	return ""
}

// unquote decodes a JSON string token.
func unquote(b []byte) (string, error) {
	var s string
	err := json.Unmarshal(b, &s)
	return s, err
}

// keyFields returns what the index needs from a line: the record's type,
// action and membership id. It checks the whole line and the record's
// shape. Without escapes, action and id alias the line.
func keyFields(line []byte, raw *rawRecord) (typ string, action, id []byte, err error) {
	if !parseFast(line, raw, false) {
		r, err := decodeSlow(line)
		if err != nil {
			return "", nil, nil, err
		}
		return r.Type, []byte(r.Action), []byte(r.ID), checkShape(r.Type, r.Action != "", r.ID != "")
	}
	t, err := raw.bytes(line, sType)
	if err != nil {
		return "", nil, nil, err
	}
	typ = constant(sType, t)
	if typ == "" && len(t) > 0 {
		typ = string(t)
	}
	if typ == TypeIntent || typ == TypeOutcome {
		if action, err = raw.bytes(line, sAction); err == nil {
			id, err = raw.bytes(line, sID)
		}
		if err != nil {
			return "", nil, nil, err
		}
	}
	return typ, action, id, checkShape(typ, len(action) > 0, len(id) > 0)
}

// bytes returns a string field's content, aliasing the line when the
// field has no escapes.
func (raw *rawRecord) bytes(line []byte, x int) ([]byte, error) {
	if raw.hasStr&(1<<x) == 0 {
		return nil, nil
	}
	s := raw.strs[x]
	if !s.slow {
		return line[s.lo:s.hi], nil
	}
	v, err := unquote(line[s.lo-1 : s.hi+1])
	return []byte(v), err
}

var errShape = errors.New("not a journal record")

// checkShape rejects records the journal never writes.
func checkShape(typ string, hasAction, hasID bool) error {
	switch typ {
	case TypeRun:
		return nil
	case TypeIntent, TypeOutcome:
		if !hasAction || !hasID {
			return fmt.Errorf("%w: %s record without action or id", errShape, typ)
		}
		return nil
	case "":
		return fmt.Errorf("%w: no record type", errShape)
	}
	return fmt.Errorf("%w: unknown record type %q", errShape, typ)
}

package journal

import (
	"bulk/internal/outcome"
	"cmp"
)

// fastLine reads an intent or outcome line in the form Append writes it
// (see leanForm) and reports whether it could. Such lines are nearly all
// of a journal: opening a million-row campaign reads two million, and
// checking each row against it reads them again, which takes about 9 s
// with encoding/json alone and 1.5 s with this (BenchmarkOpen1M and
// BenchmarkOpen1MEncodingJSON; BenchmarkDecode: an intent and its outcome
// in 0.75 µs instead of 5). It takes only the plainest form of that JSON:
// line's short keys in their order, each at most once, no white space,
// strings of printable ASCII without escapes, integers of at most 18
// digits, true. Anything else, run records and lines of older journals
// among them, is left to encoding/json, so what a line means never depends
// on which of the two read it: FuzzDecodeLine checks that they agree.
//
// It copies nothing: raw points into b until record builds the Record.
func fastLine(b []byte, raw *rawLine) bool {
	raw.has, raw.n = 0, [numLean]int64{}
	if !fastLines || len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return false
	}
	i, end := 1, len(b)-1
	next := 0 // the first field the next key may name
	for i < end {
		k0, k1, ok := plainString(b, i)
		if !ok || k1+1 >= end || b[k1+1] != ':' {
			return false
		}
		f := leanField(b[k0:k1])
		if f < next {
			return false // unknown, repeated or out of order
		}
		next = f + 1
		if i, ok = raw.set(f, b, k1+2); !ok {
			return false
		}
		if i < end {
			if b[i] != ',' || i+1 == end {
				return false
			}
			i++
		}
	}
	return i == end && raw.has&(1<<fT) != 0 && (raw.is(b, fT, leanIntent) || raw.is(b, fT, leanOutcome))
}

// fastLines is a variable for benchmarks: false leaves every line to
// encoding/json.
var fastLines = true

// The fields of line that fastLine reads, in their order.
const (
	fT = iota
	fAt
	fA
	fID
	fRun
	fIn
	fL
	fD
	fK
	fSt
	fH
	fErr
	fB
	fPS
	fPE
	fS
	fE
	fN
	fMS
	fW
	numLean
)

// rawLine is a line as fastLine found it: for each field it has, where
// its string is in the line (quotes excluded) or its integer.
type rawLine struct {
	has          uint32
	lo           [numLean]int32 // string fields: content from lo to hi
	hi           [numLean]int32
	n            [numLean]int64 // integer fields, and B (1)
	strLo, strHi int32          // the part of the line that holds the strings
}

// leanField returns the field of a short key, or -1.
func leanField(key []byte) int {
	switch string(key) {
	case "t":
		return fT
	case "at":
		return fAt
	case "a":
		return fA
	case "id":
		return fID
	case "run":
		return fRun
	case "in":
		return fIn
	case "l":
		return fL
	case "d":
		return fD
	case "k":
		return fK
	case "st":
		return fSt
	case "h":
		return fH
	case "err":
		return fErr
	case "b":
		return fB
	case "ps":
		return fPS
	case "pe":
		return fPE
	case "s":
		return fS
	case "e":
		return fE
	case "n":
		return fN
	case "ms":
		return fMS
	case "w":
		return fW
	}
	return -1
}

// stringFields are the fields that hold strings, as bits.
const stringFields = 1<<fT | 1<<fA | 1<<fID | 1<<fRun | 1<<fIn | 1<<fK | 1<<fSt | 1<<fErr | 1<<fMS | 1<<fW

func isStringField(f int) bool { return stringFields&(1<<f) != 0 }

// set reads the value of field f at b[i:] and returns the index after it.
func (raw *rawLine) set(f int, b []byte, i int) (int, bool) {
	switch {
	case f == fB:
		if len(b)-i < 4 || string(b[i:i+4]) != "true" {
			return 0, false
		}
		raw.n[f] = 1
		i += 4
	case isStringField(f):
		lo, hi, ok := plainString(b, i)
		if !ok {
			return 0, false
		}
		raw.lo[f], raw.hi[f] = int32(lo), int32(hi)
		i = hi + 1
	default:
		var ok bool
		if raw.n[f], i, ok = plainInt(b, i); !ok {
			return 0, false
		}
	}
	raw.has |= 1 << f
	return i, true
}

// plainString reads a JSON string of printable ASCII without escapes at
// b[i:] and returns where its content starts and ends (its closing
// quote).
func plainString(b []byte, i int) (lo, hi int, ok bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, 0, false
	}
	for j := i + 1; j < len(b); j++ {
		switch c := b[j]; {
		case c == '"':
			return i + 1, j, true
		case c < 0x20 || c >= 0x7f || c == '\\':
			return 0, 0, false
		}
	}
	return 0, 0, false
}

// plainInt reads an integer of at most 18 digits, without a leading zero,
// at b[i:], and returns it and the index after it.
func plainInt(b []byte, i int) (int64, int, bool) {
	neg := i < len(b) && b[i] == '-'
	if neg {
		i++
	}
	start := i
	var n int64
	for ; i < len(b) && '0' <= b[i] && b[i] <= '9'; i++ {
		n = n*10 + int64(b[i]-'0')
	}
	if d := i - start; d == 0 || d > 18 || d > 1 && b[start] == '0' {
		return 0, 0, false
	}
	if neg {
		n = -n
	}
	return n, i, true
}

func (raw *rawLine) is(b []byte, f int, s string) bool {
	return string(b[raw.lo[f]:raw.hi[f]]) == s
}

// bytes returns string field f, aliasing b, or nil.
func (raw *rawLine) bytes(b []byte, f int) []byte {
	if raw.has&(1<<f) == 0 {
		return nil
	}
	return b[raw.lo[f]:raw.hi[f]]
}

// kind returns the line's loc kind.
func (raw *rawLine) kind(b []byte) uint64 {
	switch {
	case raw.is(b, fT, leanIntent):
		return kindIntent
	case raw.has&(1<<fL) == 0:
		return kindPartial
	}
	return kindOutcome
}

// key returns the line's action and membership, aliasing b.
func (raw *rawLine) key(b []byte) (action, id []byte) {
	if action = raw.bytes(b, fA); len(action) == 0 {
		action = []byte(defaultAction)
	}
	return action, raw.bytes(b, fID)
}

// record builds the line's record. Its strings are constants where they
// can be (the values most lines repeat, and id when the line's membership
// is id), and the others share one copy of the part of the line that
// holds them; its dates share one allocation.
func (raw *rawLine) record(b []byte, d *decoded, id string) {
	var strs [numLean]string
	lo, hi := int32(len(b)), int32(0)
	for f := range numLean {
		if raw.has&(1<<f) == 0 || !isStringField(f) {
			continue
		}
		s := b[raw.lo[f]:raw.hi[f]]
		if strs[f] = constant(s); strs[f] == "" && f == fID && string(s) == id {
			strs[f] = id
		}
		if strs[f] == "" && len(s) > 0 {
			lo, hi = min(lo, raw.lo[f]), max(hi, raw.hi[f])
		}
	}
	if lo < hi {
		own := string(b[lo:hi])
		for f := range numLean {
			if raw.has&(1<<f) != 0 && isStringField(f) && strs[f] == "" && raw.hi[f] > raw.lo[f] {
				strs[f] = own[raw.lo[f]-lo : raw.hi[f]-lo]
			}
		}
	}
	*d = decoded{Record: Record{
		Type: TypeIntent, At: raw.n[fAt], Action: cmp.Or(strs[fA], defaultAction), ID: strs[fID],
		Line: int(raw.n[fL]), Days: int(raw.n[fD]), Key: strs[fK], Status: outcome.Status(strs[fSt]), HTTP: int(raw.n[fH]),
		Err: strs[fErr], Before: raw.n[fB] == 1, Attempts: int(raw.n[fN]), MStatus: strs[fMS], Warn: strs[fW],
		Run: strs[fRun], Input: strs[fIn],
	}}
	if strs[fT] == leanOutcome {
		d.Type, d.partial = TypeOutcome, raw.has&(1<<fL) == 0
	}
	d.ownRun, d.ownInput = raw.has&(1<<fRun) != 0, raw.has&(1<<fIn) != 0
	if raw.has&(1<<fPS|1<<fPE|1<<fS|1<<fE) != 0 {
		dates := new([4]int64)
		for k, p := range [...]**int64{&d.PrevStart, &d.PrevEnd, &d.Start, &d.End} {
			if raw.has&(1<<(fPS+k)) != 0 {
				dates[k] = raw.n[fPS+k]
				*p = &dates[k]
			}
		}
	}
}

// constant returns s as one of the values lines repeat, or "".
func constant(s []byte) string {
	switch string(s) {
	case leanIntent:
		return leanIntent
	case leanOutcome:
		return leanOutcome
	case "update_metadata":
		return "update_metadata"
	case "applied":
		return "applied"
	case "failed":
		return "failed"
	case "unknown":
		return "unknown"
	case "not_applied":
		return "not_applied"
	case "active":
		return "active"
	}
	return ""
}

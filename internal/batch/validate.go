package batch

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"

	"bulk/internal/jsontext"
)

// checker validates decoded rows. ScanFile and Rows both go through it, so
// a row is sent exactly as it was checked.
type checker struct {
	seen   seenIDs
	noNull bool // refuse a null metadata value (--metadata merge)
}

func newChecker() *checker { return new(checker) }

// check returns the row, or the problems that keep it from being one (all
// of them, in a stable order).
func (c *checker) check(raw rawRow) (Row, []string) {
	if len(raw.probs) > 0 {
		return Row{}, raw.probs
	}
	row := Row{Line: raw.line, Extra: raw.extra}
	var probs []string
	add := func(msg string) {
		if msg != "" {
			probs = append(probs, msg)
		}
	}
	id, msg := membershipID(raw.id, raw.jsonValues)
	add(msg)
	row.MembershipID = id
	switch {
	case raw.days.set && raw.meta.set:
		add("row has both days and metadata; give exactly one")
	case raw.days.set:
		row.Action = AddFreeDays
		row.Days, msg = days(raw.days, raw.jsonValues)
		add(msg)
	case raw.meta.set:
		row.Action = UpdateMetadata
		row.Metadata, msg = c.metadata(raw.meta)
		add(msg)
	default:
		add("row has neither days nor metadata; give exactly one")
	}
	if id != "" && row.Action != "" {
		if first := c.seen.add(id, row.Action, raw.line); first != 0 {
			add(fmt.Sprintf("%s already appears on line %d for %s", id, first, row.Action))
		}
	}
	if probs != nil {
		return Row{}, probs
	}
	return row, nil
}

// membershipID returns the ID, or why it is not a valid one.
func membershipID(v rawValue, isJSON bool) (string, string) {
	s := v.text
	if isJSON && v.set {
		if s == "" || s[0] != '"' {
			return "", "membership_id must be a string, got " + cut(s)
		}
		s = jsontext.Unescape(s[1 : len(s)-1])
	}
	switch {
	case !v.set || s == "":
		return "", "membership_id is missing"
	case !validID(s):
		return "", fmt.Sprintf("membership_id %s must be mem_ followed by letters and digits", shortQuote(s))
	case len(s) > maxIDLen:
		return "", fmt.Sprintf("membership_id %s is longer than %d characters", shortQuote(s), maxIDLen)
	}
	return s, ""
}

// validID reports whether s matches ^mem_[A-Za-z0-9]+$ (any length).
func validID(s string) bool {
	if len(s) <= len("mem_") || s[:len("mem_")] != "mem_" {
		return false
	}
	for i := len("mem_"); i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// days returns the number of days, or why the value is not one. In CSV the
// cell, in JSONL the JSON text, must be plain ASCII digits.
func days(v rawValue, isJSON bool) (int, string) {
	n, ok := 0, len(v.text) > 0
	for i := 0; ok && i < len(v.text); i++ {
		c := v.text[i]
		ok = '0' <= c && c <= '9'
		if n <= maxDays { // stops growing long before it could overflow
			n = n*10 + int(c-'0')
		}
	}
	if ok && minDays <= n && n <= maxDays {
		return n, ""
	}
	got := shortQuote(v.text)
	if isJSON {
		got = cut(v.text)
	}
	return 0, fmt.Sprintf("days must be a whole number from %d to %d, got %s", minDays, maxDays, got)
}

// metadata returns the compacted object, or why the value is not a valid
// metadata object.
func (c *checker) metadata(v rawValue) (json.RawMessage, string) {
	b := []byte(v.text)
	if !jsontext.Valid(b) {
		return nil, "metadata is not valid JSON: " + jsonError(b)
	}
	if k := jsonKind(b); k != "an object" {
		return nil, "metadata must be a JSON object, got " + k
	}
	if msg := c.object(b, true); msg != "" {
		return nil, msg
	}
	var out bytes.Buffer
	out.Grow(len(b))
	json.Compact(&out, b)
	return out.Bytes(), ""
}

// object checks the keys and values of a metadata object, the top-level
// one or one nested in it.
func (c *checker) object(b []byte, top bool) (msg string) {
	var keys keySet
	n := 0
	jsontext.ObjectMembers(b, func(q, val []byte) bool {
		key := unquoteBytes(q)
		switch n++; {
		case top && n > maxMetaKeys:
			msg = fmt.Sprintf("metadata has more than %d keys", maxMetaKeys)
		case utf8.RuneCount(key) > maxKeyRunes:
			msg = fmt.Sprintf("metadata key %s is longer than %d characters", shortQuote(string(key)), maxKeyRunes)
		case !keys.add(key):
			msg = fmt.Sprintf("metadata has the key %s twice", shortQuote(string(key)))
		case top && c.noNull && string(val) == "null":
			msg = fmt.Sprintf("metadata key %s is null: the API documents no way to delete one key", shortQuote(string(key)))
		default:
			msg = c.value(val, key)
		}
		return msg == ""
	})
	return msg
}

// value checks a metadata value at any depth; at is the nearest key.
func (c *checker) value(b []byte, at []byte) (msg string) {
	switch b[0] {
	case '{':
		return c.object(b, false)
	case '[':
		jsontext.ArrayElements(b, func(val []byte) bool {
			msg = c.value(val, at)
			return msg == ""
		})
	case '"':
		if quotedRunes(b) > maxStringRunes {
			return fmt.Sprintf("metadata value at key %s is longer than %d characters", shortQuote(string(at)), maxStringRunes)
		}
	}
	return msg
}

// seenIDs finds duplicate rows without keeping the IDs. For each
// membership it keeps a hash of the ID (FNV-1a, then mixed; the low bits
// hold flags) and the first line of the first action seen for it: 12 bytes
// a membership, in sorted shards that grow a quarter at a time, so a
// million memberships take about 14 MiB (a Go map of the same would take
// 36). The first line of the other action, for the rarer membership that
// has rows of both, goes in a map beside.
//
// Two IDs with the same hash would be taken for one: with a million
// distinct IDs the chance of that is under 1 in a million, and it could
// only refuse a file (as a duplicate), never send a wrong row.
type seenIDs struct {
	shards [1 << seenShardBits]seenShard // by the top bits of the hash
	second map[uint64]uint32             // first line of the second action seen
	n      int                           // distinct memberships
}

// seenShard is sorted by hash.
type seenShard []seenEntry

// seenEntry is 12 bytes: a 64-bit key (hash | flags) as two halves, and the
// first line of the first action seen.
type seenEntry struct {
	hi, lo, line uint32
}

func (e seenEntry) key() uint64 { return uint64(e.hi)<<32 | uint64(e.lo) }

const (
	seenShardBits = 14
	seenDays      = 1 << 0 // flag: an add_free_days row was seen
	seenMeta      = 1 << 1 // flag: an update_metadata row was seen
	seenMetaFirst = 1 << 2 // flag: lines holds the update_metadata line
	seenFlags     = 1<<3 - 1
)

// add records the row and returns the line of an earlier row for the same
// membership and action, or 0.
func (s *seenIDs) add(id string, a Action, line int) int {
	h := idHash(id) &^ seenFlags
	shard := &s.shards[h>>(64-seenShardBits)]
	flag, first := uint64(seenDays), uint64(0)
	if a == UpdateMetadata {
		flag, first = seenMeta, seenMetaFirst
	}
	l := uint32(min(line, math.MaxUint32))
	i, found := shard.search(h)
	if !found {
		shard.insert(i, h|flag|first, l)
		s.n++
		return 0
	}
	e := &(*shard)[i]
	switch {
	case uint64(e.lo)&flag == 0:
		e.lo |= uint32(flag)
		if s.second == nil {
			s.second = map[uint64]uint32{}
		}
		s.second[h] = l
	case uint64(e.lo)&seenMetaFirst == first:
		return int(e.line)
	default:
		return int(s.second[h])
	}
	return 0
}

// idHash is FNV-1a of id, mixed (murmur3's finaliser) so that its bits
// spread IDs evenly over and within the shards.
func idHash(id string) uint64 {
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		h ^= uint64(id[i])
		h *= 1099511628211
	}
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return h
}

// search finds h (flags clear) in the shard, or where it would go. Hashes
// are uniform, so it starts where h would sit if they were evenly spaced
// and walks from there: a few steps.
func (sh seenShard) search(h uint64) (int, bool) {
	n := len(sh)
	i := int((h << seenShardBits >> 32) * uint64(n) >> 32)
	for i > 0 && sh[i-1].key()&^seenFlags >= h {
		i--
	}
	for i < n && sh[i].key()&^seenFlags < h {
		i++
	}
	return i, i < n && sh[i].key()&^seenFlags == h
}

// insert inserts an entry at i, growing the shard by a quarter when full.
func (sh *seenShard) insert(i int, key uint64, line uint32) {
	if len(*sh) == cap(*sh) {
		*sh = append(make(seenShard, 0, cap(*sh)+max(8, cap(*sh)/4)), *sh...)
	}
	*sh = slices.Insert(*sh, i, seenEntry{uint32(key >> 32), uint32(key), line})
}

package input

import (
	"hash/maphash"
	"math"
	"slices"
)

// seenIDs finds duplicate rows without keeping the IDs. For each
// membership it keeps a hash of the ID (hash/maphash; the low bits
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

// idHash is a hash of id whose bits spread IDs evenly over and within the
// shards. The table lives in one process's memory only, so the seed may
// differ from run to run.
func idHash(id string) uint64 { return maphash.String(idSeed, id) }

var idSeed = maphash.MakeSeed()

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

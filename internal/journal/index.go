package journal

import "math/bits"

// index maps a key's hash to where its latest record is (see loc).
//
// The keys found on Open go into an open-addressing table sized for them
// once they are all known: about 21 bytes a key, half of what a Go map
// takes, and a single cache miss for most lookups. Keys first appended
// after Open go to a map, which grows without copying everything.
type index struct {
	slots []indexEntry // linear probing; val 0 marks an empty slot
	later map[uint64]uint64
	far   map[uint64]int64 // intents too far back for a loc to hold
	n     int              // keys in slots
}

// indexEntry is a key and its loc, which is never 0.
type indexEntry struct{ key, val uint64 }

// A loc is a record's offset in the file, its kind, and for a partial
// outcome how many bytes before it its intent starts, in one word:
//
//	offset (40 bits) | back (22 bits) | kind (2 bits)
//
// An intent more than 4 MiB back (a row that waited long for its outcome)
// is kept in index.far instead, with back 0. While the index is built,
// back = backPrevious means "the key's record before this one".
const (
	kindIntent  = 1
	kindOutcome = 2
	kindPartial = 3 // an outcome that completes its intent

	kindBits     = 2
	backBits     = 22
	offsetShift  = kindBits + backBits
	maxOffset    = 1<<(64-offsetShift) - 1 // 1 TiB
	backPrevious = 1<<backBits - 1
)

type loc uint64

func makeLoc(off int64, kind, back uint64) loc {
	return loc(uint64(off)<<offsetShift | back<<kindBits | kind)
}

func (l loc) offset() int64 { return int64(l >> offsetShift) }
func (l loc) kind() uint64  { return uint64(l) & (1<<kindBits - 1) }
func (l loc) back() uint64  { return uint64(l) >> kindBits & (1<<backBits - 1) }

// kindOf returns the loc kind of a record, 0 for a run record.
func kindOf(d *decoded) uint64 {
	switch {
	case d.Type == TypeIntent:
		return kindIntent
	case d.Type == TypeOutcome && d.partial:
		return kindPartial
	case d.Type == TypeOutcome:
		return kindOutcome
	}
	return 0
}

// partialLoc returns the loc of a partial outcome at off whose key's
// previous record is prev, its intent. When the intent is too far back
// for the loc, ok is false and the caller keeps the intent's offset in
// far. A partial outcome after anything else than an intent has none
// (back 0, nothing in far): Lookup reports it.
func partialLoc(off int64, prev loc) (l loc, ok bool) {
	if prev.kind() != kindIntent {
		return makeLoc(off, kindPartial, 0), true
	}
	back := uint64(off - prev.offset())
	if back >= backPrevious {
		return makeLoc(off, kindPartial, 0), false
	}
	return makeLoc(off, kindPartial, back), true
}

func (x *index) len() int { return x.n + len(x.later) }

func (x *index) get(key uint64) (loc, bool) {
	if e := x.slot(key); e != nil && e.val != 0 {
		return loc(e.val), true
	}
	v, ok := x.later[key]
	return loc(v), ok
}

// intentOf returns the offset of the intent a partial outcome completes,
// or -1 if it has none.
func (x *index) intentOf(key uint64, l loc) int64 {
	if b := l.back(); b != 0 {
		return l.offset() - int64(b)
	}
	if off, ok := x.far[key]; ok {
		return off
	}
	return -1
}

// set records val as key's latest record, and returns whether it did: a
// key not in the table is added to the map only when addNew is set.
func (x *index) set(key uint64, val loc, addNew bool) bool {
	if e := x.slot(key); e != nil && e.val != 0 {
		e.val = uint64(val)
	} else if _, ok := x.later[key]; ok || addNew {
		if x.later == nil {
			x.later = make(map[uint64]uint64)
		}
		x.later[key] = uint64(val)
	} else {
		return false
	}
	delete(x.far, key)
	return true
}

// setFar keeps the offset of the intent of key's latest record, a partial
// outcome whose loc cannot say where it is.
func (x *index) setFar(key uint64, intent int64) {
	if x.far == nil {
		x.far = make(map[uint64]int64)
	}
	x.far[key] = intent
}

// slot returns key's slot in the table, or the empty slot where it would
// go, or nil if there is no table.
func (x *index) slot(key uint64) *indexEntry {
	if len(x.slots) == 0 {
		return nil
	}
	// FNV-1a leaves the top bits of similar ids alike: mix them first.
	i, _ := bits.Mul64(mix(key), uint64(len(x.slots)))
	for {
		e := &x.slots[i]
		if e.val == 0 || e.key == key {
			return e
		}
		if i++; i == uint64(len(x.slots)) {
			i = 0
		}
	}
}

// mix is the finalizer of MurmurHash3.
func mix(h uint64) uint64 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	return h ^ h>>33
}

// indexBuilder collects the entries of a journal in file order and builds
// its index.
type indexBuilder struct {
	blocks [][]indexEntry
	n      int
}

const blockLen = 1 << 16

func (ib *indexBuilder) add(es []indexEntry) {
	for len(es) > 0 {
		if len(ib.blocks) == 0 || len(ib.blocks[len(ib.blocks)-1]) == blockLen {
			ib.blocks = append(ib.blocks, make([]indexEntry, 0, blockLen))
		}
		last := &ib.blocks[len(ib.blocks)-1]
		k := min(len(es), blockLen-len(*last))
		*last = append(*last, es[:k]...)
		es = es[k:]
		ib.n += k
	}
}

// build returns the index of the entries added, the last entry of a key
// winning. A partial outcome whose back is backPrevious completes the
// key's entry before it. It consumes the builder.
func (ib *indexBuilder) build() index {
	var x index
	if ib.n > 0 {
		x.slots = make([]indexEntry, ib.n+ib.n/3+1) // at most 3/4 full
	}
	for i, blk := range ib.blocks {
		for _, en := range blk {
			e := x.slot(en.key)
			if e.val == 0 {
				x.n++
			}
			val, far := loc(en.val), int64(-1)
			if val.kind() == kindPartial && val.back() == backPrevious {
				var ok bool
				if val, ok = partialLoc(val.offset(), loc(e.val)); !ok {
					far = loc(e.val).offset()
				}
			}
			*e = indexEntry{en.key, uint64(val)}
			if far >= 0 {
				x.setFar(en.key, far)
			} else {
				delete(x.far, en.key)
			}
		}
		ib.blocks[i] = nil
	}
	*ib = indexBuilder{}
	return x
}

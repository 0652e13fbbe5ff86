package journal

import "math/bits"

// index maps a key's hash to the offset and type of its latest record.
//
// The keys found on Open go into an open-addressing table sized for them
// once they are all known: about 21 bytes a key, half of what a Go map
// takes, and a single cache miss for most lookups. Keys first appended
// after Open go to a map, which grows without copying everything.
type index struct {
	slots []indexEntry // linear probing; val 0 marks an empty slot
	later map[uint64]uint64
	n     int // keys in slots
}

// indexEntry is a key and its index value, which is never 0: the low bits
// hold a record type code.
type indexEntry struct{ key, val uint64 }

func (x *index) len() int { return x.n + len(x.later) }

func (x *index) get(key uint64) (uint64, bool) {
	if e := x.slot(key); e != nil && e.val != 0 {
		return e.val, true
	}
	v, ok := x.later[key]
	return v, ok
}

// set records val as key's latest record; a key not in the table is added
// to the map only when addNew is set.
func (x *index) set(key, val uint64, addNew bool) {
	if e := x.slot(key); e != nil && e.val != 0 {
		e.val = val
		return
	}
	if _, ok := x.later[key]; !ok && !addNew {
		return
	}
	if x.later == nil {
		x.later = make(map[uint64]uint64)
	}
	x.later[key] = val
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
// winning. It consumes the builder.
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
			*e = en
		}
		ib.blocks[i] = nil
	}
	*ib = indexBuilder{}
	return x
}

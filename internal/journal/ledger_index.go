package journal

import (
	"cmp"
	"slices"
)

// ledgerIndex holds, per membership, its earliest entry and the earliest
// entry by another campaign than that one's, which answer Other for every
// campaign: the first unless it is the asking campaign's own, and then
// the other.
//
// A membership is known by the 64-bit FNV-1a hash of "\x00" + its id. The
// memberships found on open are kept in a slice sorted by hash, 24 bytes
// each (a Go map takes twice that); the few that another campaign
// extended too have their other entry in a map, and memberships first
// recorded after open are in a map of their own.
type ledgerIndex struct {
	sorted []ledgerMember         // by hash
	others map[uint64]ledgerRef   // the other entry of a sorted member, if any
	later  map[uint64]*ledgerRefs // memberships first recorded after open
	inputs map[string]*ledgerRefs // by input SHA-256

	campaigns []string
	campIdx   map[string]uint32
}

// ledgerRef is an entry of the index, its membership aside.
type ledgerRef struct {
	at   int64 // Unix milliseconds
	camp uint32
	days int32
}

type ledgerMember struct {
	hash  uint64
	first ledgerRef
}

// ledgerRefs are the earliest entry of a membership or input, and the
// earliest by another campaign than that one's.
type ledgerRefs struct {
	first, other ledgerRef
	hasOther     bool
}

const noCampaign = ^uint32(0)

func newLedgerIndex() ledgerIndex {
	return ledgerIndex{
		others: make(map[uint64]ledgerRef), later: make(map[uint64]*ledgerRefs),
		inputs: make(map[string]*ledgerRefs), campIdx: make(map[string]uint32),
	}
}

func (x *ledgerIndex) len() int { return len(x.sorted) + len(x.later) }

// campaignIndex returns the number of campaign, or noCampaign.
func (x *ledgerIndex) campaignIndex(name string) uint32 {
	if n, ok := x.campIdx[name]; ok {
		return n
	}
	return noCampaign
}

// ref returns the entry of line r, numbering its campaign if it is new.
func (x *ledgerIndex) ref(r *ledgerLine) ledgerRef {
	n, ok := x.campIdx[r.C]
	if !ok {
		n = uint32(len(x.campaigns))
		x.campaigns = append(x.campaigns, r.C)
		x.campIdx[r.C] = n
	}
	return ledgerRef{at: r.At, camp: n, days: int32(r.D)}
}

// load adds the lines of the file, in file order, to an empty index.
func (x *ledgerIndex) load(lines []ledgerMember) {
	// A stable sort keeps a membership's entries in file order, which
	// merge needs to break ties.
	slices.SortStableFunc(lines, func(a, b ledgerMember) int { return cmp.Compare(a.hash, b.hash) })
	out := lines[:0]
	for i := 0; i < len(lines); {
		refs := ledgerRefs{first: lines[i].first}
		h := lines[i].hash
		for i++; i < len(lines) && lines[i].hash == h; i++ {
			refs.merge(lines[i].first)
		}
		out = append(out, ledgerMember{h, refs.first})
		if refs.hasOther {
			x.others[h] = refs.other
		}
	}
	x.sorted = out
}

// add adds a line that follows every line added so far.
func (x *ledgerIndex) add(r *ledgerLine) {
	e := x.ref(r)
	if r.Input != "" {
		mergeInto(x.inputs, r.Input, e)
		return
	}
	h := hashID(r.ID)
	i, found := x.find(h)
	if !found {
		mergeInto(x.later, h, e)
		return
	}
	other, has := x.others[h]
	refs := ledgerRefs{x.sorted[i].first, other, has}
	refs.merge(e)
	x.sorted[i].first = refs.first
	if refs.hasOther {
		x.others[h] = refs.other
	}
}

func mergeInto[K comparable](m map[K]*ledgerRefs, k K, e ledgerRef) {
	if refs := m[k]; refs != nil {
		refs.merge(e)
	} else {
		m[k] = &ledgerRefs{first: e}
	}
}

func (x *ledgerIndex) find(h uint64) (int, bool) {
	return slices.BinarySearchFunc(x.sorted, h, func(m ledgerMember, h uint64) int { return cmp.Compare(m.hash, h) })
}

// member returns the entries of the membership id.
func (x *ledgerIndex) member(id string) (ledgerRefs, bool) {
	h := hashID(id)
	if i, ok := x.find(h); ok {
		other, has := x.others[h]
		return ledgerRefs{x.sorted[i].first, other, has}, true
	}
	if refs := x.later[h]; refs != nil {
		return *refs, true
	}
	return ledgerRefs{}, false
}

// merge adds e, recorded after the entries merged so far.
func (refs *ledgerRefs) merge(e ledgerRef) {
	first := &refs.first
	if e.at < first.at {
		if e.camp != first.camp {
			refs.other, refs.hasOther = *first, true
		}
		*first = e
		return
	}
	if e.camp != first.camp && (!refs.hasOther || e.at < refs.other.at) {
		refs.other, refs.hasOther = e, true
	}
}

// pick returns the earliest entry by a campaign other than camp.
func (refs *ledgerRefs) pick(camp uint32) (ledgerRef, bool) {
	if refs.first.camp != camp {
		return refs.first, true
	}
	return refs.other, refs.hasOther
}

// hashID is the hash a ledger index sorts by (see hashKey).
func hashID(id string) uint64 { return hashKey("", id) }

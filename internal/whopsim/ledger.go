package whopsim

// ledgerBlock is how many entries one block of the ledger holds.
const ledgerBlock = 1024

// ledger is the list of changes the server applied, in order. It grows by
// whole blocks, so an append never copies the entries already held, however
// long the ledger gets.
type ledger struct {
	blocks [][]LedgerEntry
	n      int
}

func (l *ledger) add(e LedgerEntry) {
	if l.n%ledgerBlock == 0 {
		l.blocks = append(l.blocks, make([]LedgerEntry, 0, ledgerBlock))
	}
	last := &l.blocks[len(l.blocks)-1]
	*last = append(*last, e)
	l.n++
}

// copyAll returns a deep copy of every entry, in order.
func (l *ledger) copyAll() []LedgerEntry {
	out := make([]LedgerEntry, 0, l.n)
	for _, block := range l.blocks {
		for _, e := range block {
			out = append(out, e.clone())
		}
	}
	return out
}

package journal

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLargeLedgerReadsMembershipsWhenAsked: a ledger over lazyLedgerSize
// answers InputRunBy from open, and Other, Record and Len from its whole
// file once first asked; a damaged membership line, which open did not
// read, makes every answer about memberships an error (never "not
// extended"), and Record refuses to append.
func TestLargeLedgerReadsMembershipsWhenAsked(t *testing.T) {
	const entries = 80_000
	for _, damaged := range []bool{false, true} {
		dir := t.TempDir()
		path := filepath.Join(dir, ledgerName)
		if err := writeBigLedger(path, entries, 10); err != nil {
			t.Fatal(err)
		}
		sha := strings.Repeat("ab", 32)
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
		if err != nil {
			t.Fatal(err)
		}
		tail := `{"input":"` + sha + `","c":"nov","at":1767225600000}` + "\n"
		if damaged {
			tail = `{"id":"mem_broken","c":` + "\n" + tail
		}
		f.WriteString(tail + `{"id":"mem_last","c":"nov","d":7,"at":1767225600001}` + "\n")
		f.Close()
		if fi, _ := os.Stat(path); fi.Size() <= lazyLedgerSize {
			t.Fatalf("ledger of %d bytes: not over %d, the test tests nothing", fi.Size(), lazyLedgerSize)
		}
		l, err := OpenLedger(dir, false)
		if err != nil {
			t.Fatalf("damaged=%v: open: %v", damaged, err)
		}
		if c, _, ok := l.InputRunBy(sha, "dec"); !ok || c != "nov" {
			t.Errorf("damaged=%v: InputRunBy = %q, %v; want nov", damaged, c, ok)
		}
		e, ok, err := l.Other(bigID(5), "nobody")
		var ce *CorruptError
		switch {
		case damaged && (!errors.As(err, &ce) || ok):
			t.Errorf("Other on a damaged large ledger = %v, %v; want a *CorruptError", ok, err)
		case !damaged && (err != nil || !ok || e.ID != bigID(5)):
			t.Errorf("Other(%s) = %+v, %v, %v", bigID(5), e, ok, err)
		}
		if !damaged {
			if _, ok, _ := l.Other("mem_last", "dec"); !ok {
				t.Error("Other does not know the last line")
			}
			if n := l.Len(); n != entries-10+1 {
				t.Errorf("Len() = %d, want %d", n, entries-10+1)
			}
		}
		err = l.Record(LedgerEntry{ID: "mem_new", Campaign: "dec", Days: 7})
		if damaged != (err != nil) {
			t.Errorf("damaged=%v: Record: %v", damaged, err)
		}
		l.Close()
	}
}

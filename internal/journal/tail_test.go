package journal

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestOpenTail(t *testing.T) {
	dir := t.TempDir()
	tail, err := OpenTail(dir, "c")
	if err != nil || tail.OK {
		t.Fatalf("empty campaign: %+v, %v", tail, err)
	}
	tail.Close()

	j, err := Open(dir, "c", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := OpenTail(dir, "c"); !errors.As(err, new(*LockedError)) {
		t.Errorf("OpenTail while a run holds the lock: %v, want *LockedError", err)
	}
	j.Append(Record{Type: TypeIntent, Run: "r", Action: "add_free_days", ID: "mem_a", Days: 1}, false)
	done := Record{Type: TypeRun, Run: "r", Status: StatusComplete, File: "x.report.csv", SHA256: "abc", Input: "def"}
	j.Append(done, true)
	j.Close()

	tail, err = OpenTail(dir, "c")
	if err != nil {
		t.Fatal(err)
	}
	if !tail.OK || tail.Last.Status != StatusComplete || tail.Last.File != "x.report.csv" || tail.Last.Input != "def" {
		t.Errorf("last record %+v, ok %v", tail.Last, tail.OK)
	}
	if _, err := Open(dir, "c", Options{}); !errors.As(err, new(*LockedError)) {
		t.Errorf("Open while the tail holds the lock: %v, want *LockedError", err)
	}
	tail.Close()

	// A torn last record means a run was cut off after it: no tail.
	f, _ := os.OpenFile(filepath.Join(dir, "c.journal"), os.O_APPEND|os.O_WRONLY, 0)
	f.WriteString(`{"t":"intent","at":1,"run":"r2","act`)
	f.Close()
	tail, err = OpenTail(dir, "c")
	if err != nil || tail.OK {
		t.Errorf("torn journal: %+v, %v; want no last record", tail, err)
	}
	tail.Close()
}

package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
)

// Kinds of input rows.
const (
	metadataRows = "metadata" // one POST per row
	daysRows     = "days"     // a GET, then a POST, per row
)

// rowsFile writes (once) a CSV of n rows of one kind and returns its path.
// Membership IDs are distinct and of ordinary memberships: the simulator
// creates each on first sight, extendable.
func (b *bench) rowsFile(kind string, n int) (string, error) {
	dir := filepath.Join(b.dir, "input")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%d.csv", kind, n))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return "", err
	}
	w := bufio.NewWriterSize(f, 1<<20)
	fmt.Fprintln(w, "membership_id,days,metadata,ticket")
	for i := range n {
		switch kind {
		case metadataRows:
			fmt.Fprintf(w, "mem_B%08d,,\"{\"\"comp_campaign\"\":\"\"bench\"\",\"\"row\"\":%d}\",T-%d\n", i, i, i)
		default:
			fmt.Fprintf(w, "mem_B%08d,%d,,T-%d\n", i, 1+i%30, i)
		}
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Close(); err != nil {
		return "", err
	}
	return path, os.Rename(tmp, path)
}

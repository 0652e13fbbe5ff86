package report

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestWriteFileAtomic(t *testing.T) {
	tests := []struct {
		name string
		old  []byte // nil: no file before
		data string
	}{
		{"new file", nil, "hello\n"},
		{"replaces", []byte("old content, longer than the new\n"), "new\n"},
		{"empty", []byte("old\n"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f.json")
			if tt.old != nil {
				if err := os.WriteFile(path, tt.old, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := WriteFileAtomic(path, []byte(tt.data), 0o600); err != nil {
				t.Fatal(err)
			}
			assertContent(t, path, tt.data)
			if got := dirNames(t, dir); !slices.Equal(got, []string{"f.json"}) {
				t.Errorf("dir holds %q, want only f.json", got)
			}
		})
	}
}

func TestWriteFileAtomicFailure(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "f"), []byte("x"), 0o600); err == nil {
		t.Error("write into a missing directory: got nil error")
	}
	target := filepath.Join(dir, "d")
	if err := os.Mkdir(target, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, "keep"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(target, []byte("x"), 0o600); err == nil {
		t.Error("replace a non-empty directory: got nil error")
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{"d"}) {
		t.Errorf("dir holds %q after failures, want only d", got)
	}
}

// deadPID is the pid of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// A run removes the temporary files of its report that a killed run left,
// and nothing else: not a live writer's, not another report's, not a file
// that only looks alike.
func TestRemoveStaleTemps(t *testing.T) {
	dead, self := strconv.Itoa(deadPID(t)), strconv.Itoa(os.Getpid())
	old, hours := -2*time.Minute, -2*time.Hour
	tests := []struct {
		name    string
		age     time.Duration
		removed bool
	}{
		{".r.csv.tmp-" + dead + "-123", old, true},
		{".r.csv.tmp-" + dead + "-124", -10 * time.Second, false}, // written to a moment ago
		{".r.csv.tmp-" + self + "-125", old, false},               // its writer is alive
		{".r.csv.tmp-126", hours, true},                           // an older bulk's name, no pid
		{".r.csv.tmp-127", old, false},
		{".other.csv.tmp-" + dead + "-128", old, false},
		{".r.csv.tmp-" + dead + "-12x", old, false},
		{".r.csv.tmp-" + dead + "-", old, false},
		{".r.csv.tmp-x" + dead + "-129", old, false},
		{"r.csv", old, false},
		{"r.csv.tmp-" + dead + "-130", old, false},
	}
	dir := t.TempDir()
	var want []string
	for _, tt := range tests {
		p := filepath.Join(dir, tt.name)
		if err := os.WriteFile(p, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		at := time.Now().Add(tt.age)
		if err := os.Chtimes(p, at, at); err != nil {
			t.Fatal(err)
		}
		if tt.removed {
			want = append(want, p)
		}
	}
	got, err := RemoveStaleTemps(filepath.Join(dir, "r.csv"))
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("removed %q, want %q", got, want)
	}
	for _, tt := range tests {
		_, err := os.Stat(filepath.Join(dir, tt.name))
		if gone := err != nil; gone != tt.removed {
			t.Errorf("%s: removed %v, want %v", tt.name, gone, tt.removed)
		}
	}
}

// createTemp's names are the ones RemoveStaleTemps looks for, with this
// process's pid in them: left alone while it runs.
func TestTempNamesCarryThePID(t *testing.T) {
	dir := t.TempDir()
	f, err := createTemp(filepath.Join(dir, "r.csv"), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer discard(f)
	prefix := ".r.csv.tmp-" + strconv.Itoa(os.Getpid()) + "-"
	if base := filepath.Base(f.Name()); !strings.HasPrefix(base, prefix) || !digits(strings.TrimPrefix(base, prefix)) {
		t.Errorf("temporary file %s, want %s<digits>", base, prefix)
	}
	old := time.Now().Add(-time.Hour)
	os.Chtimes(f.Name(), old, old)
	if got, err := RemoveStaleTemps(filepath.Join(dir, "r.csv")); err != nil || len(got) != 0 {
		t.Errorf("removed %q (%v) while its writer runs", got, err)
	}
}

// A missing directory has nothing to clean.
func TestRemoveStaleTempsMissingDir(t *testing.T) {
	if got, err := RemoveStaleTemps(filepath.Join(t.TempDir(), "no", "r.csv")); err != nil || got != nil {
		t.Errorf("got %q, %v; want nothing, no error", got, err)
	}
}

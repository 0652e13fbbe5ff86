package report

import (
	"bufio"
	"encoding/csv"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"bulk/internal/durable"
)

// WriteFileAtomic writes data to path so that path holds either its old
// content or all of data, even across a crash or power loss: it writes a
// hidden temporary file in the same directory with mode perm (whatever the
// umask), fsyncs and closes it, renames it over path and fsyncs the
// directory. On error the temporary file is removed and path is untouched.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	f, err := createTemp(path, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		discard(f)
		return fmt.Errorf("write %s: %w", f.Name(), err)
	}
	return commitTemp(f, path)
}

// createTemp creates the hidden temporary file that will become path,
// ".<base>.tmp-<pid>-<random>" in path's directory, with mode perm set
// explicitly so that a permissive umask cannot widen it. The pid lets a
// later run tell a file left by a dead process (RemoveStaleTemps).
func createTemp(path string, perm os.FileMode) (*os.File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, tempPrefix(base)+strconv.Itoa(os.Getpid())+"-*")
	if err != nil {
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	if err := f.Chmod(perm); err != nil {
		discard(f)
		return nil, fmt.Errorf("create %s: %w", path, err)
	}
	return f, nil
}

// commitTemp fsyncs and closes f, renames it over path and fsyncs the
// directory. On error before the rename, f is removed.
func commitTemp(f *os.File, path string) error {
	if err := f.Sync(); err != nil {
		discard(f)
		return fmt.Errorf("sync %s: %w", f.Name(), err)
	}
	if err := f.Close(); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("close %s: %w", f.Name(), err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		_ = os.Remove(f.Name())
		return fmt.Errorf("rename to %s: %w", path, err)
	}
	return durable.SyncDir(filepath.Dir(path))
}

// discard closes and removes a temporary file that will not be committed.
func discard(f *os.File) {
	_ = f.Close()
	_ = os.Remove(f.Name())
}

// tempPrefix begins the name of every temporary file that may become base.
func tempPrefix(base string) string { return "." + base + ".tmp-" }

// staleAge is how long a temporary file must have been left untouched
// before RemoveStaleTemps removes it, even when its creator is dead: a
// guard for a writer on another host sharing the directory, whose pid means
// nothing here. A file without a pid in its name (from an older bulk) must
// have been untouched for staleAgeNoPID.
const (
	staleAge      = time.Minute
	staleAgeNoPID = time.Hour
)

// RemoveStaleTemps removes the temporary files that a process killed while
// writing path left behind: files named exactly like createTemp names them
// for path, whose creator (the pid in the name) is no longer running and
// which nobody has written to for staleAge. A live writer's file, and any
// other file, is left alone. It returns the paths removed.
func RemoveStaleTemps(path string) ([]string, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("look for stale temporary files of %s: %w", path, err)
	}
	var removed []string
	for _, e := range entries {
		if !e.Type().IsRegular() || !isStaleTemp(e, base, time.Now()) {
			continue
		}
		name := filepath.Join(dir, e.Name())
		if err := os.Remove(name); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return removed, fmt.Errorf("remove stale temporary file: %w", err)
		}
		removed = append(removed, name)
	}
	return removed, nil
}

// isStaleTemp says whether e is a temporary file of base that its creator
// left behind: ".<base>.tmp-<pid>-<digits>" with pid not running, or
// ".<base>.tmp-<digits>" (no pid), untouched for long enough.
func isStaleTemp(e fs.DirEntry, base string, now time.Time) bool {
	rest, ok := strings.CutPrefix(e.Name(), tempPrefix(base))
	if !ok {
		return false
	}
	age := staleAgeNoPID
	if pid, random, found := strings.Cut(rest, "-"); found {
		n, err := strconv.Atoi(pid)
		if err != nil || n <= 0 || !digits(pid) || processAlive(n) {
			return false
		}
		rest, age = random, staleAge
	}
	if !digits(rest) {
		return false
	}
	info, err := e.Info()
	return err == nil && now.Sub(info.ModTime()) >= age
}

func digits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// tempFile is a file written under a hidden temporary name beside path
// and renamed over path by commit, so that no reader ever sees it half
// written; abort removes it instead. The writers of the report and the
// retry file build on it.
type tempFile struct {
	path   string
	f      *os.File
	bw     *bufio.Writer
	csv    *csv.Writer // nil for JSON lines
	closed bool
}

func newTempFile(path string, size int) (tempFile, error) {
	f, err := createTemp(path, 0o600)
	if err != nil {
		return tempFile{}, err
	}
	return tempFile{path: path, f: f, bw: bufio.NewWriterSize(f, size)}, nil
}

// commit flushes what is buffered and renames the file over path; what
// names the file in an error.
func (t *tempFile) commit(what string) error {
	if err := t.flush(); err != nil {
		t.abort()
		return fmt.Errorf("write %s %s: %w", what, t.path, err)
	}
	t.closed = true
	return commitTemp(t.f, t.path)
}

func (t *tempFile) flush() error {
	if t.csv != nil {
		t.csv.Flush()
		if err := t.csv.Error(); err != nil {
			return err
		}
	}
	return t.bw.Flush()
}

// abort removes the temporary file, leaving path as it was. It does
// nothing after commit or a previous abort.
func (t *tempFile) abort() {
	if t.closed {
		return
	}
	t.closed = true
	discard(t.f)
}

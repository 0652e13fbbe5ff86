package report

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
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

// createTemp creates the hidden temporary file that will become path, with
// mode perm set explicitly so that a permissive umask cannot widen it.
func createTemp(path string, perm os.FileMode) (*os.File, error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
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
	return syncDir(filepath.Dir(path))
}

// discard closes and removes a temporary file that will not be committed.
func discard(f *os.File) {
	_ = f.Close()
	_ = os.Remove(f.Name())
}

// syncDir makes a rename in dir durable. Filesystems and platforms that
// cannot fsync a directory are not an error.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	err = d.Sync()
	closeErr := d.Close()
	if err != nil && !errors.Is(err, syscall.EINVAL) && !errors.Is(err, syscall.ENOTSUP) {
		return fmt.Errorf("sync directory %s: %w", dir, err)
	}
	if closeErr != nil {
		return fmt.Errorf("sync directory %s: %w", dir, closeErr)
	}
	return nil
}

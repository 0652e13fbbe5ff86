// Package durable makes changes to the file system survive a crash or a
// power loss. It holds the one rule bulk follows for directories: a
// created or renamed entry is durable only once its directory is fsynced.
package durable

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// SyncDir fsyncs the directory dir, making the entries created, renamed or
// removed in it durable. A file system that cannot fsync a directory
// (EINVAL, ENOTSUP: some network and FUSE file systems) is not an error:
// nothing more can be done there, and refusing would refuse the file
// system altogether.
func SyncDir(dir string) error {
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

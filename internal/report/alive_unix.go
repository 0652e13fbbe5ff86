//go:build unix

package report

import (
	"errors"
	"syscall"
)

// processAlive says whether a process with this pid runs on this host
// (signal 0 checks without signalling; EPERM means it runs as another user).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}

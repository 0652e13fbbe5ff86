package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"
)

// LockedError reports that another process holds the campaign's lock.
// PID, Started and Host come from the lock file and are zero when the
// holder has not written them yet.
type LockedError struct {
	Campaign string
	Path     string // the lock file
	PID      int
	Started  time.Time
	Host     string
}

func (e *LockedError) Error() string {
	if e.PID == 0 {
		return fmt.Sprintf("campaign %q is in use by another process (lock %s)", e.Campaign, e.Path)
	}
	msg := fmt.Sprintf("campaign %q is in use by pid %d", e.Campaign, e.PID)
	if host, _ := os.Hostname(); e.Host != "" && e.Host != host {
		msg += " on " + e.Host
	}
	if !e.Started.IsZero() {
		msg += " since " + e.Started.UTC().Format(time.RFC3339)
	}
	return msg
}

// lockInfo is the content of a lock file: who holds it.
type lockInfo struct {
	PID      int       `json:"pid"`
	Host     string    `json:"host"`
	Started  time.Time `json:"started"`
	Campaign string    `json:"campaign"`
}

// lockCampaign takes the exclusive lock on the campaign's lock file in d.
// The kernel releases it when the returned file is closed or the process
// dies, so a lock file left behind by a killed run blocks nobody; the file
// is never removed, since removing it would let two runs lock two
// different files.
func lockCampaign(d *stateDir, campaign string) (*os.File, error) {
	f, err := d.open(campaign+".lock", whatLock, os.O_RDWR|os.O_CREATE)
	if err != nil {
		return nil, err
	}
	path := f.Name()
	if err := flock(f); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, lockedBy(f, campaign)
		}
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	if err := writeLockInfo(f, campaign); err != nil {
		f.Close()
		return nil, fmt.Errorf("write lock %s: %w", path, err)
	}
	return f, nil
}

func flock(f *os.File) error {
	for {
		err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err != syscall.EINTR {
			return err
		}
	}
}

func writeLockInfo(f *os.File, campaign string) error {
	host, _ := os.Hostname()
	info := lockInfo{PID: os.Getpid(), Host: host, Started: time.Now().UTC().Truncate(time.Second), Campaign: campaign}
	b, err := json.Marshal(info)
	if err != nil {
		return err
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt(append(b, '\n'), 0); err != nil {
		return err
	}
	return f.Sync()
}

// lockedBy reads the holder of a lock from its file, f. The holder writes
// its details just after taking the lock, so a briefly empty file is
// retried.
func lockedBy(f *os.File, campaign string) *LockedError {
	e := &LockedError{Campaign: campaign, Path: f.Name()}
	buf := make([]byte, 4<<10)
	for try := 0; try < 10; try++ {
		var info lockInfo
		n, err := f.ReadAt(buf, 0)
		if (err == nil || err == io.EOF) && json.Unmarshal(buf[:n], &info) == nil && info.PID != 0 {
			e.PID, e.Host, e.Started = info.PID, info.Host, info.Started
			return e
		}
		time.Sleep(10 * time.Millisecond)
	}
	return e
}

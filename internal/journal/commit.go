package journal

import (
	"fmt"
	"time"
)

// Group commit: an append that must be durable waits until some fsync that
// started after its write has finished. The first waiter to find no fsync
// running starts one covering every record written so far and the others
// wait for it, so concurrent durable appends share one fsync. All of this
// runs with j.mu held, except the fsync itself.

// waitSynced waits until the first seq records written are fsynced.
func (j *Journal) waitSynced(seq uint64) error {
	for j.synced < seq {
		if j.err != nil {
			return j.err
		}
		if j.syncing {
			j.cond.Wait()
			continue
		}
		j.syncOnce()
	}
	return nil
}

// syncOnce runs one fsync covering every record written so far.
func (j *Journal) syncOnce() {
	target := j.written
	j.syncing = true
	j.mu.Unlock()
	err := j.f.Sync()
	j.mu.Lock()
	j.syncing = false
	j.stats.Fsyncs++
	switch {
	case err != nil && j.err == nil:
		// After a failed fsync the kernel may have dropped the dirty pages:
		// what was written cannot be trusted to be on disk, so stop here.
		j.err = fmt.Errorf("sync %s: %w", j.path, err)
	case err == nil && target > j.synced:
		j.synced = target
	}
	j.cond.Broadcast()
}

// syncLoop fsyncs appends that were not durable, every interval.
func (j *Journal) syncLoop(every time.Duration) {
	defer close(j.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-j.stop:
			return
		case <-t.C:
		}
		j.mu.Lock()
		if !j.closed && !j.syncing && j.err == nil && j.synced < j.written {
			j.syncOnce()
		}
		j.mu.Unlock()
	}
}

package journal

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// The ledger is the state directory's record of every membership its
// campaigns extended, and of every input they ran: see Ledger in the
// package documentation.

const (
	ledgerName = "ledger"
	whatLedger = "ledger"

	// sampleLines is the number of lines open reads before it estimates
	// how many the file holds.
	sampleLines = 4096

	// lazyLedgerSize: a ledger larger than this (about 60,000 entries) has
	// only its input lines read on open, and its memberships when a row
	// first asks about one. A run that finds every row already done by its
	// own campaign (running a finished campaign again) never does: it saves
	// the seconds and the tens of MiB a million entries cost.
	lazyLedgerSize = 4 << 20
)

// inputPrefix begins the lines that record an input (see ledgerLine).
var inputPrefix = []byte(`{"input":`)

// LedgerEntry is one extension recorded in the ledger.
type LedgerEntry struct {
	ID       string    // membership
	Campaign string    // the campaign that extended it
	Days     int       // free days
	At       time.Time // when the extension was recorded (UTC, ms)
}

// Ledger is the state directory's record of every membership its campaigns
// extended. It knows what the file held when it was opened and what it
// has recorded since: appends by other processes after Open are in the
// file, but not in this Ledger's answers. Its methods are safe for
// concurrent use.
type Ledger struct {
	path     string
	readOnly bool
	f        *os.File // nil: read-only and the file does not exist

	wmu sync.Mutex // held while appending: one append at a time
	buf []byte     // encoding buffer, under wmu

	mu      sync.Mutex
	cond    sync.Cond // on mu: signalled when an fsync ends
	ix      ledgerIndex
	written uint64 // records written
	synced  uint64 // records covered by a finished fsync
	syncing bool
	err     error // sticky: once an append failed, nothing more is appended
	closed  bool

	// unread is the end of the whole lines open left for loadMembers to
	// read (0: none left), and unreadErr what reading them found.
	unread    int64
	unreadErr error
}

// OpenLedger opens the ledger of the state directory dir, the file
// "ledger" in it, and reads it into an index.
//
// Unless readOnly, it creates dir (mode 0700) and the ledger (mode 0600)
// if needed. Read-only, it writes nothing, and a missing directory or
// ledger is an empty ledger. A torn last line is left out; a damaged line
// before the last is refused with a *CorruptError. A state directory or
// ledger another user could have placed or could change is refused with
// an *UnsafeError, as the journal is (see Safety in the package
// documentation).
func OpenLedger(dir string, readOnly bool) (*Ledger, error) {
	l := &Ledger{path: filepath.Join(dir, ledgerName), readOnly: readOnly}
	l.cond.L = &l.mu
	l.ix = newLedgerIndex()
	if err := l.open(dir); err != nil {
		if l.f != nil {
			l.f.Close()
		}
		return nil, err
	}
	return l, nil
}

func (l *Ledger) open(dir string) error {
	d, err := openStateDir(dir, !l.readOnly)
	if err != nil || d == nil {
		return err // read-only, a missing directory is an empty ledger
	}
	defer d.close()
	flag := os.O_RDONLY
	if !l.readOnly {
		flag = os.O_RDWR | os.O_CREATE | os.O_APPEND
	}
	l.f, err = d.open(ledgerName, whatLedger, flag)
	if l.readOnly && errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	// No lock: appends are whole lines written by one write call, so the
	// file read here is whole lines, and maybe the start of one being
	// written, which walk leaves out as it leaves out a torn tail.
	fi, err := l.f.Stat()
	if err != nil {
		return err
	}
	lazy := fi.Size() > lazyLedgerSize
	var members []ledgerMember
	end, _, err := walk(l.f, l.path, -1, func(line []byte, off int64) error {
		if lazy && !bytes.HasPrefix(line, inputPrefix) {
			return nil // a membership: read by loadMembers
		}
		r, err := parseLedgerLine(line)
		if err != nil {
			return badRecord{err}
		}
		if r.Input != "" {
			l.ix.add(&r)
			return nil
		}
		if len(members) == sampleLines {
			// Make room for the rest at once, as the lines so far
			// suggest: growing by steps would copy it over and over.
			end := off + int64(len(line)) + 1
			members = slices.Grow(members, int(float64(fi.Size())/float64(end)*sampleLines*1.05))
		}
		members = append(members, ledgerMember{hashID(r.ID), l.ix.ref(&r)})
		return nil
	})
	if err != nil {
		return err
	}
	if lazy {
		l.unread = end
	} else {
		l.ix.load(members)
	}
	if !l.readOnly {
		return d.sync() // make the ledger's directory entry durable
	}
	return nil
}

// loadMembers reads the membership lines that open left, once; l.mu is
// held. A damaged line among them is a *CorruptError, returned by every
// later call: not knowing which memberships were extended, nothing may be
// extended.
func (l *Ledger) loadMembers() error {
	if l.unread == 0 || l.unreadErr != nil {
		return l.unreadErr
	}
	var members []ledgerMember
	var inputs []ledgerLine
	_, _, err := walk(l.f, l.path, l.unread, func(line []byte, _ int64) error {
		if bytes.HasPrefix(line, inputPrefix) {
			return nil // read on open
		}
		r, err := parseLedgerLine(line)
		if err != nil {
			return badRecord{err}
		}
		if r.Input != "" {
			inputs = append(inputs, r)
			return nil
		}
		members = append(members, ledgerMember{hashID(r.ID), l.ix.ref(&r)})
		return nil
	})
	if err != nil {
		l.unreadErr = err
		return err
	}
	for i := range inputs {
		l.ix.add(&inputs[i])
	}
	l.ix.load(members)
	l.unread = 0
	return nil
}

// Path returns the ledger file's path.
func (l *Ledger) Path() string { return l.path }

// Len returns the number of memberships in the ledger (those it could
// read, when it is damaged).
func (l *Ledger) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.loadMembers()
	return l.ix.len()
}

// Other returns the earliest entry for membership id by a campaign other
// than campaign, if any: the campaign's own entries are not a repeat.
// Earliest is the smallest At, and the first in the file of equal ones.
// The error is that of reading a large ledger's memberships (see
// lazyLedgerSize): then the answer is not known.
func (l *Ledger) Other(id, campaign string) (LedgerEntry, bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := l.loadMembers(); err != nil {
		return LedgerEntry{}, false, err
	}
	refs, ok := l.ix.member(id)
	if !ok {
		return LedgerEntry{}, false, nil
	}
	r, ok := refs.pick(l.ix.campaignIndex(campaign))
	if !ok {
		return LedgerEntry{}, false, nil
	}
	return LedgerEntry{ID: id, Campaign: l.ix.campaigns[r.camp], Days: int(r.days), At: time.UnixMilli(r.at).UTC()}, true, nil
}

// InputRunBy returns the earliest campaign other than campaign that ran an
// input with this SHA-256, and when it recorded it.
func (l *Ledger) InputRunBy(sha256, campaign string) (campaign2 string, at time.Time, ok bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	in, found := l.ix.inputs[sha256]
	if !found {
		return "", time.Time{}, false
	}
	r, ok := in.pick(l.ix.campaignIndex(campaign))
	if !ok {
		return "", time.Time{}, false
	}
	return l.ix.campaigns[r.camp], time.UnixMilli(r.at).UTC(), true
}

// Record appends the extension e and adds it to the index. It returns once
// the line is written and fsynced; concurrent Records of one Ledger share
// fsyncs. A zero e.At is set to now. e.ID must not be empty, e.Campaign
// must be a valid campaign name (see CheckCampaign), and e.Days at least 1.
func (l *Ledger) Record(e LedgerEntry) error {
	if e.ID == "" {
		return errors.New("ledger entry without a membership id")
	}
	if err := CheckCampaign(e.Campaign); err != nil {
		return err
	}
	if e.Days < 1 || e.Days > math.MaxInt32 {
		return fmt.Errorf("ledger entry for %s: %d days", e.ID, e.Days)
	}
	l.mu.Lock()
	err := l.loadMembers() // the index must hold the file's entries before this one
	l.mu.Unlock()
	if err != nil {
		return err
	}
	r := ledgerLine{ID: e.ID, C: e.Campaign, D: int64(e.Days), At: unixMilli(e.At)}
	return l.append(&r)
}

// RecordInput notes, durably as Record does, that campaign ran an input
// whose SHA-256 (64 lowercase hexadecimal digits) is sha256. A zero at is
// set to now.
func (l *Ledger) RecordInput(sha256, campaign string, at time.Time) error {
	if len(sha256) != 64 || !isLowerHex(sha256) {
		return fmt.Errorf("ledger: %q is not a SHA-256 in lowercase hexadecimal", sha256)
	}
	if err := CheckCampaign(campaign); err != nil {
		return err
	}
	r := ledgerLine{Input: sha256, C: campaign, At: unixMilli(at)}
	return l.append(&r)
}

func unixMilli(t time.Time) int64 {
	if t.IsZero() {
		t = time.Now()
	}
	return t.UnixMilli()
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// append writes r as one line, adds it to the index and waits for an
// fsync covering it.
func (l *Ledger) append(r *ledgerLine) error {
	l.wmu.Lock()
	l.mu.Lock()
	err := l.writable()
	l.mu.Unlock()
	if err != nil {
		l.wmu.Unlock()
		return err
	}
	l.buf = r.appendTo(l.buf[:0])
	err = l.writeLine(l.buf)
	l.mu.Lock()
	defer l.mu.Unlock()
	if err != nil {
		l.err = err
		l.wmu.Unlock()
		return err
	}
	l.written++
	seq := l.written
	l.ix.add(r)
	l.wmu.Unlock()
	return l.waitSynced(seq)
}

func (l *Ledger) writable() error {
	switch {
	case l.readOnly:
		return fmt.Errorf("ledger %s is open read-only", l.path)
	case l.closed:
		return ErrClosed
	}
	return l.err
}

// writeLine appends line to the file, holding an exclusive flock on it so
// that no other process's append or repair can come between the checks
// and the write. A torn last line (a crash's, as Open leaves it out) is
// cut off first, so that nothing is appended after it; a line written in
// part is cut off again.
func (l *Ledger) writeLine(line []byte) error {
	fd := int(l.f.Fd())
	if err := retryEINTR(func() error { return unix.Flock(fd, unix.LOCK_EX) }); err != nil {
		return fmt.Errorf("lock %s: %w", l.path, err)
	}
	defer retryEINTR(func() error { return unix.Flock(fd, unix.LOCK_UN) })
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fmt.Errorf("stat %s: %w", l.path, err)
	}
	end, err := l.goodEnd(st.Size)
	if err != nil {
		return err
	}
	if end < st.Size {
		if err := l.f.Truncate(end); err != nil {
			return fmt.Errorf("truncate torn tail of %s: %w", l.path, err)
		}
	}
	// One write call for the whole line (O_APPEND): os.File.Write makes
	// another only after a short write, which a full disk causes, and that
	// is undone below.
	if n, err := l.f.Write(line); err != nil {
		err = fmt.Errorf("append to %s: %w", l.path, err)
		if n > 0 {
			if terr := l.f.Truncate(end); terr != nil {
				err = fmt.Errorf("%w; and removing the partial line failed: %v", err, terr)
			}
		}
		return err
	}
	return nil
}

func retryEINTR(f func() error) error {
	for {
		if err := f(); err != unix.EINTR {
			return err
		}
	}
}

// goodEnd returns where the file, of size bytes, ends once a torn last
// line is cut off: a last line without its newline, or else a last line
// that does not decode (not both, as Open).
func (l *Ledger) goodEnd(size int64) (int64, error) {
	for n := min(size, 4<<10); n > 0; n = min(2*n, size) {
		buf := make([]byte, n)
		if _, err := l.f.ReadAt(buf, size-n); err != nil && err != io.EOF {
			return 0, fmt.Errorf("read %s: %w", l.path, err)
		}
		last := buf[len(buf)-1] == '\n'
		if last {
			buf = buf[:len(buf)-1]
		}
		i := bytes.LastIndexByte(buf, '\n')
		if i < 0 && n < size {
			continue // the last line starts before what was read
		}
		start := size - n + int64(i) + 1
		if !last {
			return start, nil
		}
		if _, err := parseLedgerLine(buf[i+1:]); err != nil {
			return start, nil
		}
		return size, nil
	}
	return size, nil
}

// waitSynced waits until the first seq records written are fsynced (group
// commit, as the journal's).
func (l *Ledger) waitSynced(seq uint64) error {
	for l.synced < seq {
		if l.err != nil {
			return l.err
		}
		if l.syncing {
			l.cond.Wait()
			continue
		}
		target := l.written
		l.syncing = true
		l.mu.Unlock()
		err := l.f.Sync()
		l.mu.Lock()
		l.syncing = false
		switch {
		case err != nil && l.err == nil:
			l.err = fmt.Errorf("sync %s: %w", l.path, err)
		case err == nil && target > l.synced:
			l.synced = target
		}
		l.cond.Broadcast()
	}
	return nil
}

// Close closes the ledger. Other and InputRunBy still answer from the
// index; Record and RecordInput return ErrClosed. Closing a closed Ledger
// does nothing.
func (l *Ledger) Close() error {
	l.wmu.Lock()
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		l.wmu.Unlock()
		return nil
	}
	l.closed = true
	var err error
	if l.f != nil && !l.readOnly {
		err = l.waitSynced(l.written)
	}
	l.mu.Unlock()
	l.wmu.Unlock()
	if l.f != nil {
		err = errors.Join(err, l.f.Close())
	}
	return err
}

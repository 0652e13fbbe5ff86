package journal

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"time"

	"bulk/internal/durable"
)

// Options configure Open.
type Options struct {
	// ReadOnly opens without the lock and never writes: for dry runs and
	// tools that may run beside a real run.
	ReadOnly bool
	// SyncEvery is how often appends that were not durable are fsynced in
	// the background. Zero means DefaultSyncEvery; negative turns the
	// background fsync off (Sync and Close still fsync).
	SyncEvery time.Duration
	// OpenedKeysOnly keeps the index to the keys the journal held when it
	// was opened: Lookup still sees every later record of those keys, but
	// not keys first appended by this process. A run looks each key up
	// once, before it appends anything for it, so it needs no more, and a
	// long first run of a campaign then keeps its memory flat.
	OpenedKeysOnly bool
}

// DefaultSyncEvery is the default Options.SyncEvery.
const DefaultSyncEvery = 200 * time.Millisecond

// ErrClosed is returned by calls on a closed Journal.
var ErrClosed = errors.New("journal is closed")

// Stats counts what a Journal did since Open.
type Stats struct {
	Records   int   // records in the file
	Appends   int   // records appended since Open
	Fsyncs    int   // fsyncs of the journal file since Open
	TornBytes int64 // bytes of a torn last record dropped on Open
	Unsynced  int   // records appended but not yet covered by an fsync
}

// Journal is an open campaign journal. Its methods are safe for concurrent
// use.
type Journal struct {
	path       string
	readOnly   bool
	openedOnly bool
	f          *os.File // nil: read-only and the file does not exist
	lock       *os.File // nil when read-only

	mu      sync.Mutex
	cond    sync.Cond // on mu: signalled when an fsync ends
	index   index
	runs    []runMark                // the run records, in file order
	pending map[uint64]pendingIntent // intents appended by this Journal, until their outcome
	size    int64                    // end of the last whole record
	buf     bytes.Buffer             // encoding buffer
	written uint64                   // records written
	synced  uint64                   // records covered by a finished fsync
	syncing bool
	err     error // sticky: once a write or fsync failed, nothing more is appended
	closed  bool
	stats   Stats

	reader lineReader

	stop chan struct{}
	done chan struct{}
}

// Open opens the journal of campaign in dir.
//
// Unless opt.ReadOnly, it creates dir (mode 0700) if needed, takes the
// campaign's lock or returns a *LockedError naming its holder, reads the
// journal into the index and drops a torn last record; a damaged journal
// is refused with a *CorruptError. Read-only, it takes no lock and writes
// nothing, and a missing directory or file is an empty journal. Either
// way, a state directory, journal or lock file another user could have
// placed or could change is refused with an *UnsafeError (see Safety in
// the package documentation).
func Open(dir, campaign string, opt Options) (*Journal, error) {
	if err := CheckCampaign(campaign); err != nil {
		return nil, err
	}
	j := &Journal{
		path:       filepath.Join(dir, campaign+".journal"),
		readOnly:   opt.ReadOnly,
		openedOnly: opt.OpenedKeysOnly,
		pending:    make(map[uint64]pendingIntent),
	}
	j.cond.L = &j.mu
	var err error
	if opt.ReadOnly {
		err = j.openReadOnly(dir, campaign)
	} else {
		err = j.openWriter(dir, campaign)
	}
	if err != nil {
		j.closeFiles()
		return nil, err
	}
	j.reader.f = j.f
	if !opt.ReadOnly && opt.SyncEvery >= 0 {
		every := opt.SyncEvery
		if every == 0 {
			every = DefaultSyncEvery
		}
		j.stop, j.done = make(chan struct{}), make(chan struct{})
		go j.syncLoop(every)
	}
	return j, nil
}

func (j *Journal) openReadOnly(dir, campaign string) error {
	d, err := openStateDir(dir, false)
	if err != nil || d == nil {
		return err // a missing directory is an empty journal
	}
	defer d.close()
	f, err := d.open(campaign+".journal", whatJournal, os.O_RDONLY)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	j.f = f
	_, err = j.load()
	return err
}

func (j *Journal) openWriter(dir, campaign string) error {
	d, err := openStateDir(dir, true)
	if err != nil {
		return err
	}
	defer d.close()
	lock, err := lockCampaign(d, campaign)
	if err != nil {
		return err
	}
	j.lock = lock
	if j.f, err = d.open(campaign+".journal", whatJournal, os.O_RDWR|os.O_CREATE|os.O_APPEND); err != nil {
		return err
	}
	fileSize, err := j.load()
	if err != nil {
		return err
	}
	if fileSize > j.size {
		// Drop the torn tail before anything is appended after it.
		if err := j.f.Truncate(j.size); err != nil {
			return fmt.Errorf("truncate torn tail of %s: %w", j.path, err)
		}
		if err := j.f.Sync(); err != nil {
			return fmt.Errorf("sync %s: %w", j.path, err)
		}
		j.stats.TornBytes = fileSize - j.size
	}
	// Make the journal's and the lock's directory entries durable.
	return d.sync()
}

// pendingIntent is an intent this Journal appended, the latest record of
// its key: its outcome can leave out what it says.
type pendingIntent struct {
	off int64
	rec Record
}

// hashKey is the 64-bit FNV-1a of action + "\x00" + id.
func hashKey[S ~string | ~[]byte](action, id S) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for i := 0; i < len(action); i++ {
		h = (h ^ uint64(action[i])) * prime
	}
	h *= prime // the zero byte
	for i := 0; i < len(id); i++ {
		h = (h ^ uint64(id[i])) * prime
	}
	return h
}

// Path returns the journal file's path.
func (j *Journal) Path() string { return j.path }

// Len returns the number of (action, membership) keys in the journal.
func (j *Journal) Len() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.index.len()
}

// Stats returns counters for tests and diagnostics.
func (j *Journal) Stats() Stats {
	j.mu.Lock()
	defer j.mu.Unlock()
	s := j.stats
	s.Unsynced = int(j.written - j.synced)
	return s
}

// Lookup returns the latest record, intent or outcome, for the action on
// membership id.
func (j *Journal) Lookup(action, id string) (Record, bool, error) {
	key := hashKey(action, id)
	j.mu.Lock()
	l, ok := j.index.get(key)
	intent := int64(-1)
	if l.kind() == kindPartial {
		intent = j.index.intentOf(key, l)
	}
	ctx := contextAt(j.runs, l.offset())
	closed := j.closed
	j.mu.Unlock()
	if closed {
		return Record{}, false, ErrClosed
	}
	if !ok {
		return Record{}, false, nil
	}
	r, err := j.read(l.offset(), intent, id)
	if err != nil {
		return Record{}, false, fmt.Errorf("journal %s: record at offset %d: %w", j.path, l.offset(), err)
	}
	if r.Action != action || r.ID != id {
		return Record{}, false, fmt.Errorf("journal %s: record at offset %d is for %s %s, not %s %s (hash collision)",
			j.path, l.offset(), r.Action, r.ID, action, id)
	}
	r.place(ctx)
	return r.Record, true, nil
}

// read reads the record at off, of membership id, and, if it is an outcome
// that completes its intent, the intent at intent.
func (j *Journal) read(off, intent int64, id string) (decoded, error) {
	r, err := j.reader.record(off, id)
	if err != nil || !r.partial {
		return r, err
	}
	if intent < 0 {
		return decoded{}, fmt.Errorf("the outcome for %s %s follows no intent of it", r.Action, r.ID)
	}
	in, err := j.reader.record(intent, id)
	if err != nil {
		return decoded{}, fmt.Errorf("its intent at offset %d: %w", intent, err)
	}
	return r, r.complete(&in.Record)
}

// Append writes r as one line. The line is in the file (in the kernel's
// page cache) when Append returns, so a killed process does not lose it.
// With durable set, Append also waits for an fsync that covers it;
// concurrent durable appends share fsyncs. A zero r.At is set to now.
func (j *Journal) Append(r Record, durable bool) error {
	if err := checkShape(r.Type, r.Action != "", r.ID != ""); err != nil {
		return err
	}
	if r.At == 0 {
		r.At = time.Now().UnixMilli()
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if err := j.writable(); err != nil {
		return err
	}
	if j.size > maxOffset {
		return fmt.Errorf("journal %s is larger than bulk can index", j.path)
	}
	key := hashKey(r.Action, r.ID)
	intent, base := int64(-1), (*Record)(nil) // the intent r completes, if any
	if p, ok := j.pending[key]; ok && r.Type == TypeOutcome && inherits(&r, &p.rec) {
		intent, base = p.off, &p.rec
	}
	j.buf.Reset()
	if err := encodeRecord(&j.buf, &r, j.context(), base); err != nil {
		return fmt.Errorf("encode a journal record: %w", err)
	}
	off := j.size
	if n, err := j.f.Write(j.buf.Bytes()); err != nil {
		j.failWrite(n, err)
		return j.err
	}
	j.size += int64(j.buf.Len())
	j.written++
	j.stats.Records++
	j.stats.Appends++
	j.noteAppended(key, off, &r, intent)
	if !durable {
		return nil
	}
	return j.waitSynced(j.written)
}

// context is what a record appended now takes from the run record before
// it.
func (j *Journal) context() runCtx {
	if len(j.runs) == 0 {
		return runCtx{}
	}
	return j.runs[len(j.runs)-1].ctx
}

// noteAppended updates the index, the run marks and the pending intents
// for r, just appended at off (intent: the offset of the intent it
// completes, or -1).
func (j *Journal) noteAppended(key uint64, off int64, r *Record, intent int64) {
	switch r.Type {
	case TypeRun:
		j.runs = append(j.runs, runMark{off, contextOf(r)})
	case TypeIntent:
		j.index.set(key, makeLoc(off, kindIntent, 0), !j.openedOnly)
		j.pending[key] = pendingIntent{off, *r}
	case TypeOutcome:
		l, far := makeLoc(off, kindOutcome, 0), int64(-1)
		if intent >= 0 {
			var near bool
			if l, near = partialLoc(off, makeLoc(intent, kindIntent, 0)); !near {
				far = intent
			}
		}
		if j.index.set(key, l, !j.openedOnly) && far >= 0 {
			j.index.setFar(key, far)
		}
		delete(j.pending, key)
	}
}

func (j *Journal) writable() error {
	switch {
	case j.readOnly:
		return fmt.Errorf("journal %s is open read-only", j.path)
	case j.closed:
		return ErrClosed
	}
	return j.err
}

// failWrite removes a partly written line, so nothing is ever appended to
// garbage, and makes the journal refuse further appends.
func (j *Journal) failWrite(n int, err error) {
	j.err = fmt.Errorf("append to %s: %w", j.path, err)
	if n > 0 {
		if terr := j.f.Truncate(j.size); terr != nil {
			j.err = fmt.Errorf("%w; and removing the partial record failed: %v", j.err, terr)
		}
	}
	j.reader.reset()
}

// Sync fsyncs every record appended so far.
func (j *Journal) Sync() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.readOnly {
		return nil
	}
	if j.closed {
		return ErrClosed
	}
	return j.waitSynced(j.written)
}

// Close fsyncs the journal, closes it and releases the campaign lock. Closing
// a closed Journal does nothing.
func (j *Journal) Close() error {
	j.mu.Lock()
	if j.closed {
		j.mu.Unlock()
		return nil
	}
	j.closed = true
	var err error
	if !j.readOnly {
		err = j.waitSynced(j.written)
	}
	j.mu.Unlock()
	if j.stop != nil {
		close(j.stop)
		<-j.done
	}
	return errors.Join(err, j.closeFiles())
}

func (j *Journal) closeFiles() error {
	var errs []error
	if j.f != nil {
		errs = append(errs, j.f.Close())
	}
	if j.lock != nil {
		errs = append(errs, j.lock.Close()) // releases the flock
	}
	return errors.Join(errs...)
}

// mkdirAll creates dir and its missing parents with mode 0700, and fsyncs
// the parent of each directory it creates.
func mkdirAll(dir string) error {
	var missing []string
	for d := filepath.Clean(dir); ; d = filepath.Dir(d) {
		if _, err := os.Stat(d); err == nil || !errors.Is(err, fs.ErrNotExist) {
			break
		}
		missing = append(missing, d)
		if filepath.Dir(d) == d {
			break
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	for _, d := range missing {
		if err := durable.SyncDir(filepath.Dir(d)); err != nil {
			return err
		}
	}
	return nil
}

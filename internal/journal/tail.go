package journal

import (
	"bufio"
	"bulk/internal/outcome"
	"bytes"
	"cmp"
	"errors"
	"io"
	"io/fs"
	"os"
)

// StatusComplete marks the run record a run appends when it ended with
// every row of its input applied or skipped: File and SHA256 name the
// report it wrote, Input is its input's SHA-256.
const StatusComplete outcome.Status = "complete"

// Tail is a campaign's lock and its journal's last record, read without
// reading the rest of the journal: enough to see that the previous run
// finished the same input and that nothing happened since.
type Tail struct {
	lock *os.File
	Last Record // the last complete record (an intent's or outcome's run and input only if its line names them)
	OK   bool   // the journal ends with a complete record (it is not empty or torn)
}

// OpenTail takes the campaign's lock (or returns a *LockedError) and reads
// the journal's last record. Close releases the lock. Like Open, it
// creates the state directory if needed and refuses an unsafe one, or an
// unsafe lock file or journal, with an *UnsafeError.
func OpenTail(dir, campaign string) (*Tail, error) {
	if err := CheckCampaign(campaign); err != nil {
		return nil, err
	}
	d, err := openStateDir(dir, true)
	if err != nil {
		return nil, err
	}
	defer d.close()
	lock, err := lockCampaign(d, campaign)
	if err != nil {
		return nil, err
	}
	t := &Tail{lock: lock}
	line, err := lastLine(d, campaign+".journal")
	if err != nil {
		lock.Close()
		return nil, err
	}
	if line != nil {
		if d, err := decodeLine(line, ""); err == nil {
			t.Last, t.OK = d.Record, true
		}
	}
	return t, nil
}

// Close releases the lock.
func (t *Tail) Close() error { return t.lock.Close() }

// lastLine returns the file's last line, without its newline, or nil when
// the file is missing, empty, or does not end with a newline (torn).
func lastLine(d *stateDir, name string) ([]byte, error) {
	f, err := d.open(name, whatJournal, os.O_RDONLY)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	n := min(fi.Size(), 64<<10)
	buf := make([]byte, n)
	if _, err := f.ReadAt(buf, fi.Size()-n); err != nil && err != io.EOF {
		return nil, err
	}
	if len(buf) == 0 || buf[len(buf)-1] != '\n' {
		return nil, nil
	}
	buf = buf[:len(buf)-1]
	i := bytes.LastIndexByte(buf, '\n')
	if i < 0 && n < fi.Size() {
		return nil, nil // a line longer than what was read: not ours
	}
	return buf[i+1:], nil
}

// Origin is the run record that started the campaign: the journal's first
// record. It names the API and version the campaign speaks; ok is false
// for a campaign with no journal yet. A journal from before bulk recorded
// the API has none in it: such a campaign spoke v2. An unsafe state
// directory or journal is refused with an *UnsafeError.
func Origin(dir, campaign string) (rec Record, ok bool, err error) {
	if err := CheckCampaign(campaign); err != nil {
		return Record{}, false, err
	}
	d, err := openStateDir(dir, false)
	if err != nil || d == nil {
		return Record{}, false, err // a missing directory: no journal yet
	}
	defer d.close()
	f, err := d.open(campaign+".journal", whatJournal, os.O_RDONLY)
	if errors.Is(err, fs.ErrNotExist) {
		return Record{}, false, nil
	}
	if err != nil {
		return Record{}, false, err
	}
	defer f.Close()
	line, err := bufio.NewReader(f).ReadBytes('\n')
	switch {
	case errors.Is(err, io.EOF):
		return Record{}, false, nil // empty, or one torn line
	case err != nil:
		return Record{}, false, err
	}
	first, err := decodeLine(bytes.TrimSuffix(line, []byte("\n")), "")
	rec = first.Record
	if err != nil || rec.Type != TypeRun {
		return Record{}, false, &CorruptError{Path: f.Name(), Line: 1, Err: cmp.Or(err, errShape)}
	}
	if rec.API == "" {
		rec.API = "v2"
	}
	return rec, true, nil
}

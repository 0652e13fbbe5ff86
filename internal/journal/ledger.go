package journal

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"math/bits"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"bulk/internal/jsonstr"

	"golang.org/x/sys/unix"
)

// The ledger is the state directory's record of every membership its
// campaigns extended, and of every input they ran: see Ledger in the
// package documentation.

const (
	ledgerName = "ledger"
	whatLedger = "ledger"
)

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
	l.ix.init()
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
	lines := 0
	_, _, err = walk(l.f, l.path, -1, func(line []byte, off int64) error {
		var r ledgerLine
		if err := r.parse(line); err != nil {
			return badRecord{err}
		}
		if lines++; lines == sampleLines {
			// Make room for the rest at once: growing the index by steps
			// would copy it over and over.
			l.ix.reserve(float64(fi.Size()) / float64(off+int64(len(line))+1))
		}
		return l.ix.add(&r)
	})
	if err != nil {
		return err
	}
	if !l.readOnly {
		return d.sync() // make the ledger's directory entry durable
	}
	return nil
}

// Path returns the ledger file's path.
func (l *Ledger) Path() string { return l.path }

// Len returns the number of memberships in the ledger.
func (l *Ledger) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.ix.slots)
}

// Other returns the earliest entry for membership id by a campaign other
// than campaign, if any: the campaign's own entries are not a repeat.
// Earliest is the smallest At, and the first in the file of equal ones.
func (l *Ledger) Other(id, campaign string) (LedgerEntry, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := lookup(&l.ix, hashID(id), id)
	if s == nil {
		return LedgerEntry{}, false
	}
	var other ledgerRef
	if s.other != 0 {
		other = l.ix.others[s.other-1]
	}
	r, ok := pick(s.first, other, s.other != 0, l.ix.campaignIndex(campaign))
	if !ok {
		return LedgerEntry{}, false
	}
	return LedgerEntry{ID: id, Campaign: l.ix.campaigns[r.camp], Days: int(r.days), At: time.UnixMilli(r.at).UTC()}, true
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
	r, ok := pick(in.first, in.other, in.hasOther, l.ix.campaignIndex(campaign))
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
	r := ledgerLine{key: []byte(e.ID), camp: []byte(e.Campaign), days: int64(e.Days), at: unixMilli(e.At)}
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
	r := ledgerLine{input: true, key: []byte(sha256), camp: []byte(campaign), at: unixMilli(at)}
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
	// An index that cannot take it is no reason not to make it durable: it
	// is in the file, and the next Open will find it.
	addErr := l.ix.add(r)
	l.wmu.Unlock()
	if err := l.waitSynced(seq); err != nil {
		return err
	}
	return addErr
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
		var r ledgerLine
		if r.parse(buf[i+1:]) != nil {
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

// ledgerLine is a line of the ledger: an extension, or with input set, an
// input run.
//
//	{"id":"mem_1","c":"nov","d":7,"at":1767225600000}
//	{"input":"<SHA-256>","c":"nov","at":1767225600000}
type ledgerLine struct {
	input bool
	key   []byte // the membership id, or the input's SHA-256
	camp  []byte
	days  int64
	at    int64 // Unix milliseconds
}

func (r *ledgerLine) appendTo(b []byte) []byte {
	if r.input {
		b = jsonstr.Append(append(b, `{"input":`...), string(r.key))
	} else {
		b = jsonstr.Append(append(b, `{"id":`...), string(r.key))
	}
	b = jsonstr.Append(append(b, `,"c":`...), string(r.camp))
	if !r.input {
		b = strconv.AppendInt(append(b, `,"d":`...), r.days, 10)
	}
	b = strconv.AppendInt(append(b, `,"at":`...), r.at, 10)
	return append(b, "}\n"...)
}

var errLedgerShape = errors.New("not a ledger record")

// parse decodes line (without its newline) and checks it. Lines in the
// form appendTo writes, with strings of printable ASCII without escapes,
// are read directly, the strings aliasing line; anything else is left to
// encoding/json, so both agree on what a line means.
func (r *ledgerLine) parse(line []byte) error {
	if !r.parseFast(line) {
		if err := r.parseSlow(line); err != nil {
			return err
		}
	}
	switch {
	case len(r.key) == 0 && r.input:
		return fmt.Errorf("%w: empty input", errLedgerShape)
	case len(r.key) == 0:
		return fmt.Errorf("%w: empty id", errLedgerShape)
	case !r.input && (r.days < 1 || r.days > math.MaxInt32):
		return fmt.Errorf("%w: %d days", errLedgerShape, r.days)
	}
	if !validCampaign(r.camp) {
		return CheckCampaign(string(r.camp)) // for its message
	}
	return nil
}

// validCampaign is CheckCampaign(string(b)) == nil, without its cost.
func validCampaign(b []byte) bool {
	if len(b) == 0 || len(b) > maxCampaignLen || b[0] == '.' {
		return false
	}
	for _, c := range b {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

func (r *ledgerLine) parseFast(b []byte) bool {
	var i int
	switch {
	case hasLiteral(b, 0, `{"id":"`):
		i, r.input = len(`{"id":"`), false
	case hasLiteral(b, 0, `{"input":"`):
		i, r.input = len(`{"input":"`), true
	default:
		return false
	}
	var ok bool
	if r.key, i, ok = plainString(b, i); !ok || !hasLiteral(b, i, `,"c":"`) {
		return false
	}
	if r.camp, i, ok = plainString(b, i+len(`,"c":"`)); !ok {
		return false
	}
	if !r.input {
		if !hasLiteral(b, i, `,"d":`) {
			return false
		}
		if r.days, i, ok = plainInt(b, i+len(`,"d":`)); !ok {
			return false
		}
	}
	if !hasLiteral(b, i, `,"at":`) {
		return false
	}
	if r.at, i, ok = plainInt(b, i+len(`,"at":`)); !ok {
		return false
	}
	return i == len(b)-1 && b[i] == '}'
}

// plainString reads the string whose content starts at b[i] if it is
// printable ASCII without escapes, and returns it and the index after its
// closing quote.
func plainString(b []byte, i int) ([]byte, int, bool) {
	j := i
	for j < len(b) && plainByte[b[j]] {
		j++
	}
	if j == len(b) || b[j] != '"' {
		return nil, 0, false
	}
	return b[i:j], j + 1, true
}

// plainByte marks the bytes plainString accepts in a string.
var plainByte = func() (t [256]bool) {
	for c := 0x20; c < 0x7f; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// plainInt reads a non-negative integer of at most 18 digits, without a
// leading zero, and returns it and the index after it.
func plainInt(b []byte, i int) (int64, int, bool) {
	j := i
	var n int64
	for ; j < len(b) && '0' <= b[j] && b[j] <= '9'; j++ {
		n = n*10 + int64(b[j]-'0')
	}
	if d := j - i; d == 0 || d > 18 || d > 1 && b[i] == '0' {
		return 0, 0, false
	}
	return n, j, true
}

func (r *ledgerLine) parseSlow(line []byte) error {
	var v struct {
		ID    *string `json:"id"`
		Input *string `json:"input"`
		C     *string `json:"c"`
		D     *int64  `json:"d"`
		At    *int64  `json:"at"`
	}
	if err := json.Unmarshal(line, &v); err != nil {
		return err
	}
	switch {
	case (v.ID == nil) == (v.Input == nil):
		return fmt.Errorf("%w: it needs one of id and input", errLedgerShape)
	case v.C == nil || v.At == nil:
		return fmt.Errorf("%w: no campaign or time", errLedgerShape)
	case (v.D == nil) == (v.ID != nil):
		return fmt.Errorf("%w: days belong to, and only to, an extension", errLedgerShape)
	}
	*r = ledgerLine{input: v.Input != nil, camp: []byte(*v.C), at: *v.At}
	if r.input {
		r.key = []byte(*v.Input)
	} else {
		r.key, r.days = []byte(*v.ID), *v.D
	}
	return nil
}

// The index holds, per membership, its earliest entry and the earliest
// entry by another campaign than that one's, which answer Other for every
// campaign: the first unless it is the asking campaign's own, and then
// the other. Memberships are kept in slots, an open-addressing table of
// slot numbers over them, and their ids, length first, in one byte slice:
// about 35 bytes a membership besides its id, and no pointers for the
// garbage collector to follow.
type ledgerIndex struct {
	// table holds, low half, 1 + a slot's number (0: empty) and, high
	// half, the high half of its id's hash, which most probes need not
	// look further than. It is at most 3/4 full.
	table  []uint64
	slots  []ledgerSlot
	others []ledgerRef
	ids    []byte

	campaigns []string
	campIdx   map[string]uint32
	last      uint32 // the campaign of the last line added
	inputs    map[string]*inputRuns
}

// ledgerRef is an entry of the index, its membership aside.
type ledgerRef struct {
	at   int64 // Unix milliseconds
	camp uint32
	days int32
}

type ledgerSlot struct {
	id    uint32 // offset of the id in ids
	other uint32 // 1 + index in others; 0: every entry is the first's campaign's
	first ledgerRef
}

type inputRuns struct {
	first, other ledgerRef
	hasOther     bool
}

const noCampaign = math.MaxUint32

func (x *ledgerIndex) init() {
	x.campIdx = make(map[string]uint32)
	x.inputs = make(map[string]*inputRuns)
}

// campaignIndex returns the number of campaign, or noCampaign.
func (x *ledgerIndex) campaignIndex(campaign string) uint32 {
	if n, ok := x.campIdx[campaign]; ok {
		return n
	}
	return noCampaign
}

// add adds a checked line, which follows every line added so far.
func (x *ledgerIndex) add(r *ledgerLine) error {
	c, ok := x.last, len(x.campaigns) > 0 && x.campaigns[x.last] == string(r.camp)
	if !ok {
		c, ok = x.campIdx[string(r.camp)]
	}
	if !ok {
		c = uint32(len(x.campaigns))
		name := string(r.camp)
		x.campaigns = append(x.campaigns, name)
		x.campIdx[name] = c
	}
	x.last = c
	e := ledgerRef{at: r.at, camp: c, days: int32(r.days)}
	if r.input {
		in := x.inputs[string(r.key)]
		if in == nil {
			x.inputs[string(r.key)] = &inputRuns{first: e}
		} else {
			merge(&in.first, &in.other, &in.hasOther, e)
		}
		return nil
	}
	h := hashID(r.key)
	s := lookup(x, h, r.key)
	if s == nil {
		return x.insert(h, r.key, e)
	}
	var other ledgerRef
	has := s.other != 0
	if has {
		other = x.others[s.other-1]
	}
	merge(&s.first, &other, &has, e)
	switch {
	case !has:
	case s.other == 0:
		x.others = append(x.others, other)
		s.other = uint32(len(x.others))
	default:
		x.others[s.other-1] = other
	}
	return nil
}

// merge adds e, recorded after the entries merged so far, to first, their
// earliest entry, and other, the earliest of those by another campaign
// than first's.
func merge(first, other *ledgerRef, hasOther *bool, e ledgerRef) {
	if e.at < first.at {
		if e.camp != first.camp {
			*other, *hasOther = *first, true
		}
		*first = e
		return
	}
	if e.camp != first.camp && (!*hasOther || e.at < other.at) {
		*other, *hasOther = e, true
	}
}

// pick returns the earliest entry by a campaign other than camp.
func pick(first, other ledgerRef, hasOther bool, camp uint32) (ledgerRef, bool) {
	if first.camp != camp {
		return first, true
	}
	return other, hasOther
}

// hashID is the 64-bit FNV-1a of id.
func hashID[S ~string | ~[]byte](id S) uint64 {
	const prime = 1099511628211
	h := uint64(14695981039346656037)
	for i := 0; i < len(id); i++ {
		h = (h ^ uint64(id[i])) * prime
	}
	return h
}

// lookup returns the slot of id, whose hash is h, or nil.
func lookup[S ~string | ~[]byte](x *ledgerIndex, h uint64, id S) *ledgerSlot {
	if len(x.table) == 0 {
		return nil
	}
	for i := x.home(h); ; i = x.next(i) {
		e := x.table[i]
		if e == 0 {
			return nil
		}
		if e>>32 == h>>32 {
			if s := &x.slots[uint32(e)-1]; string(x.id(s)) == string(id) {
				return s
			}
		}
	}
}

// id returns the membership id of s.
func (x *ledgerIndex) id(s *ledgerSlot) []byte {
	n, k := binary.Uvarint(x.ids[s.id:])
	return x.ids[int(s.id)+k : int(s.id)+k+int(n)]
}

// insert adds a slot for id, which is not in the index.
func (x *ledgerIndex) insert(h uint64, id []byte, e ledgerRef) error {
	if len(x.ids) > math.MaxUint32-len(id)-binary.MaxVarintLen64 || len(x.slots) >= math.MaxUint32/4 {
		// Far more than any state directory will see.
		return errors.New("the ledger holds more memberships than bulk can index")
	}
	if 4*(len(x.slots)+1) > 3*len(x.table) {
		x.grow(2 * (len(x.slots) + 1))
	}
	off := uint32(len(x.ids))
	x.ids = binary.AppendUvarint(x.ids, uint64(len(id)))
	x.ids = append(x.ids, id...)
	x.slots = append(x.slots, ledgerSlot{id: off, first: e})
	x.place(h, uint32(len(x.slots)))
	return nil
}

func (x *ledgerIndex) place(h uint64, n uint32) {
	i := x.home(h)
	for x.table[i] != 0 {
		i = x.next(i)
	}
	x.table[i] = h>>32<<32 | uint64(n)
}

// sampleLines is the number of lines Open reads before it estimates the
// size of the index.
const sampleLines = 4096

// reserve makes room for scale times what the index holds, and a little
// more.
func (x *ledgerIndex) reserve(scale float64) {
	scale *= 1.05
	if scale <= 1 {
		return
	}
	if n := int(float64(len(x.slots)) * scale); n > cap(x.slots) {
		x.slots = slices.Grow(x.slots, n-len(x.slots))
		x.grow(n)
	}
	if n := int(float64(len(x.ids)) * scale); n > cap(x.ids) {
		x.ids = slices.Grow(x.ids, n-len(x.ids))
	}
}

// home returns where the probes for hash h start: FNV-1a leaves the top
// bits of similar ids alike, so they are mixed first.
func (x *ledgerIndex) home(h uint64) uint64 {
	i, _ := bits.Mul64(mix(h), uint64(len(x.table)))
	return i
}

func (x *ledgerIndex) next(i uint64) uint64 {
	if i++; i == uint64(len(x.table)) {
		return 0
	}
	return i
}

// grow makes the table big enough for n slots.
func (x *ledgerIndex) grow(n int) {
	size := max(1024, n+n/3+1)
	if size <= len(x.table) {
		return
	}
	x.table = make([]uint64, size)
	for i := range x.slots {
		x.place(hashID(x.id(&x.slots[i])), uint32(i+1))
	}
}

package journal

import (
	"bulk/internal/outcome"
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
)

// A journal line is one JSON object, written and read with encoding/json.
// Run records spell their fields out. Intents and outcomes use short names
// and leave out what their place in the file says (see Journal format in
// the package documentation):
//
//   - their run and input, when they are those of the run record before
//     them;
//   - the action, when it is add_free_days;
//   - in an outcome without "l", everything its intent said: it completes
//     the key's record before it, which is that intent.
//
// Journals written before this form spelled every field out on every
// line, with "t":"intent" and "t":"outcome"; they read as they always did.

// Short record types, for intents and outcomes.
const (
	leanIntent  = "i"
	leanOutcome = "o"
)

// defaultAction is the action an intent or outcome without "a" is for.
const defaultAction = "add_free_days"

// line is a journal line as encoding/json sees it: the short fields of
// intents and outcomes, then the long ones of run records and of older
// journals.
type line struct {
	T   string         `json:"t"`
	At  int64          `json:"at"`
	A   string         `json:"a,omitempty"`
	ID  string         `json:"id,omitempty"`
	Run *string        `json:"run,omitempty"`
	In  *string        `json:"in,omitempty"`
	L   *int           `json:"l,omitempty"`
	D   int            `json:"d,omitempty"`
	K   string         `json:"k,omitempty"`
	St  outcome.Status `json:"st,omitempty"`
	H   int            `json:"h,omitempty"`
	Err string         `json:"err,omitempty"`
	B   bool           `json:"b,omitempty"`
	PS  *int64         `json:"ps,omitempty"`
	PE  *int64         `json:"pe,omitempty"`
	S   *int64         `json:"s,omitempty"`
	E   *int64         `json:"e,omitempty"`
	N   int            `json:"n,omitempty"`
	MS  string         `json:"ms,omitempty"`
	W   string         `json:"w,omitempty"`
	longLine
}

// longLine holds the fields of run records and of older journals.
type longLine struct {
	File      string         `json:"file,omitempty"`
	SHA256    string         `json:"sha256,omitempty"`
	PID       int            `json:"pid,omitempty"`
	API       string         `json:"api,omitempty"`
	Version   string         `json:"version,omitempty"`
	Action    string         `json:"action,omitempty"`
	Line      int            `json:"line,omitempty"`
	Input     string         `json:"input,omitempty"`
	Days      int            `json:"days,omitempty"`
	Key       string         `json:"key,omitempty"`
	Status    outcome.Status `json:"status,omitempty"`
	HTTP      int            `json:"http,omitempty"`
	Before    bool           `json:"before,omitempty"`
	PrevStart *int64         `json:"prev_start,omitempty"`
	PrevEnd   *int64         `json:"prev_end,omitempty"`
	Start     *int64         `json:"start,omitempty"`
	End       *int64         `json:"end,omitempty"`
	Attempts  int            `json:"attempts,omitempty"`
	MStatus   string         `json:"mstatus,omitempty"`
	Warn      string         `json:"warn,omitempty"`
	legacyDates
}

// legacyDates are the date fields of journals written before bulk spoke
// the Current API, when every campaign was a v2 one. The date free days
// moved was renewal_period_end, else expires_at; the period's start was
// not recorded, so it stays unknown (nil): settling such a record against
// a membership that has a start now gives "unknown", the safe side.
type legacyDates struct {
	PrevExpires *int64 `json:"prev_expires_at,omitempty"`
	PrevRenewal *int64 `json:"prev_renewal_period_end,omitempty"`
	Expires     *int64 `json:"expires_at,omitempty"`
	Renewal     *int64 `json:"renewal_period_end,omitempty"`
}

// runCtx is what an intent or outcome takes from the run record before it
// when it does not say otherwise.
type runCtx struct{ run, input string }

// runMark is where a run record is in the file, and the context it sets.
type runMark struct {
	off int64
	ctx runCtx
}

// contextAt returns the context of a record at off: that of the last run
// record before it. marks are in file order.
func contextAt(marks []runMark, off int64) runCtx {
	i, _ := slices.BinarySearchFunc(marks, off, func(m runMark, off int64) int { return cmp.Compare(m.off, off) })
	if i == 0 {
		return runCtx{}
	}
	return marks[i-1].ctx
}

// contextOf is the context a run record sets: its run, and its input's
// SHA-256 (SHA256 in the record that starts a run, Input in the one that
// ends it).
func contextOf(r *Record) runCtx { return runCtx{r.Run, cmp.Or(r.Input, r.SHA256)} }

// encodeRecord appends r as one line to buf. Intents and outcomes leave
// out what ctx, the run record before them, says; an outcome with base,
// the intent before it of the same key, leaves out what base says (the
// caller checks inherits first).
func encodeRecord(buf *bytes.Buffer, r *Record, ctx runCtx, base *Record) error {
	var l line
	if r.Type == TypeRun {
		l = longForm(r)
	} else {
		l = leanForm(r, ctx, base)
	}
	enc := json.NewEncoder(buf) // Encode ends the line with a newline
	return enc.Encode(&l)
}

func longForm(r *Record) line {
	return line{T: r.Type, At: r.At, ID: r.ID, Run: &r.Run, Err: r.Err, longLine: longLine{
		File: r.File, SHA256: r.SHA256, PID: r.PID, API: r.API, Version: r.Version,
		Action: r.Action, Line: r.Line, Input: r.Input, Days: r.Days, Key: r.Key,
		Status: r.Status, HTTP: r.HTTP, Before: r.Before, PrevStart: r.PrevStart, PrevEnd: r.PrevEnd,
		Start: r.Start, End: r.End, Attempts: r.Attempts, MStatus: r.MStatus, Warn: r.Warn,
	}}
}

func leanForm(r *Record, ctx runCtx, base *Record) line {
	l := line{T: leanIntent, At: r.At, ID: r.ID, St: r.Status, H: r.HTTP, Err: r.Err,
		S: r.Start, E: r.End, W: r.Warn}
	if r.Type == TypeOutcome {
		l.T = leanOutcome
	}
	if r.Action != defaultAction {
		l.A = r.Action
	}
	if r.Run != ctx.run {
		l.Run = &r.Run
	}
	if r.Input != ctx.input {
		l.In = &r.Input
	}
	if base != nil {
		if r.MStatus != base.MStatus {
			l.MS = r.MStatus
		}
		return l
	}
	l.L, l.D, l.K, l.B, l.PS, l.PE, l.N, l.MS = &r.Line, r.Days, r.Key, r.Before, r.PrevStart, r.PrevEnd, r.Attempts, r.MStatus
	return l
}

// inherits reports whether outcome o can be written as completing intent
// i: it says what i says of the row and its state before the change.
func inherits(o, i *Record) bool {
	return o.Line == i.Line && o.Days == i.Days && o.Key == i.Key && o.Before == i.Before &&
		eqDate(o.PrevStart, i.PrevStart) && eqDate(o.PrevEnd, i.PrevEnd) && o.Attempts == i.Attempts &&
		(o.MStatus != "" || i.MStatus == "")
}

func eqDate(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// decoded is a line read back, and what it leaves to its place in the
// file.
type decoded struct {
	Record
	ownRun, ownInput bool // false: the run record's before it
	partial          bool // an outcome that completes its intent
}

// decodeLine decodes one line, without its newline, and checks its shape.
// id, if not empty, is the membership the caller expects: the record then
// shares that string.
func decodeLine(b []byte, id string) (decoded, error) {
	var raw rawLine
	if fastLine(b, &raw) {
		var d decoded
		raw.record(b, &d, id)
		return d, checkShape(d.Type, d.Action != "", d.ID != "")
	}
	return decodeJSON(b)
}

// decodeJSON is decodeLine with encoding/json alone.
func decodeJSON(b []byte) (decoded, error) {
	var l line
	if err := json.Unmarshal(b, &l); err != nil {
		return decoded{}, err
	}
	var d decoded
	switch l.T {
	case leanIntent, leanOutcome:
		d = l.lean()
	default:
		d = l.long()
	}
	return d, checkShape(d.Type, d.Action != "", d.ID != "")
}

func (l *line) lean() decoded {
	d := decoded{Record: Record{
		Type: TypeIntent, At: l.At, Action: cmp.Or(l.A, defaultAction), ID: l.ID,
		Days: l.D, Key: l.K, Status: l.St, HTTP: l.H, Err: l.Err, Before: l.B,
		PrevStart: l.PS, PrevEnd: l.PE, Start: l.S, End: l.E, Attempts: l.N, MStatus: l.MS, Warn: l.W,
	}}
	if l.T == leanOutcome {
		d.Type = TypeOutcome
		d.partial = l.L == nil
	}
	if l.L != nil {
		d.Line = *l.L
	}
	if l.Run != nil {
		d.Run, d.ownRun = *l.Run, true
	}
	if l.In != nil {
		d.Input, d.ownInput = *l.In, true
	}
	return d
}

func (l *line) long() decoded {
	r := Record{
		Type: l.T, At: l.At, ID: l.ID, Err: l.Err,
		File: l.File, SHA256: l.SHA256, PID: l.PID, API: l.API, Version: l.Version,
		Action: l.Action, Line: l.Line, Input: l.Input, Days: l.Days, Key: l.Key,
		Status: l.Status, HTTP: l.HTTP, Before: l.Before, PrevStart: l.PrevStart, PrevEnd: l.PrevEnd,
		Start: l.Start, End: l.End, Attempts: l.Attempts, MStatus: l.MStatus, Warn: l.Warn,
	}
	if l.Run != nil {
		r.Run = *l.Run
	}
	if r.PrevEnd == nil {
		r.PrevEnd = cmp.Or(l.PrevRenewal, l.PrevExpires)
	}
	if r.End == nil {
		r.End = cmp.Or(l.Renewal, l.Expires)
	}
	return decoded{Record: r, ownRun: true, ownInput: true}
}

// complete fills in a partial outcome from its intent.
func (d *decoded) complete(intent *Record) error {
	if intent.Type != TypeIntent || intent.Action != d.Action || intent.ID != d.ID {
		return fmt.Errorf("the outcome for %s %s follows no intent of it", d.Action, d.ID)
	}
	r := &d.Record
	r.Line, r.Days, r.Key, r.Before = intent.Line, intent.Days, intent.Key, intent.Before
	r.PrevStart, r.PrevEnd, r.Attempts = intent.PrevStart, intent.PrevEnd, intent.Attempts
	r.MStatus = cmp.Or(r.MStatus, intent.MStatus)
	d.partial = false
	return nil
}

// place fills in what the run record before the line says.
func (d *decoded) place(ctx runCtx) {
	if !d.ownRun {
		d.Run = ctx.run
	}
	if !d.ownInput {
		d.Input = ctx.input
	}
}

package batch

import (
	"errors"
	"fmt"
	"time"

	"bulk/internal/client"
	"bulk/internal/input"
	"bulk/internal/journal"
	"bulk/internal/outcome"
	"bulk/internal/report"
)

// Journal record types.
const (
	recIntent  = "intent"
	recOutcome = "outcome"
)

// errStopped: the run stopped before this row's request was sent.
var errStopped = errors.New("the run stopped before this row was tried")

// prejudge decides from the journal alone what a row needs. It returns the
// row's report line when nothing is to be sent, or the journal's latest
// record for the row (nil when none matters) and work=true.
func (e *Engine) prejudge(row input.Row) (res report.Row, prior *journal.Record, work bool) {
	rec, ok, err := e.journal.Lookup(string(row.Action), row.MembershipID)
	if err != nil {
		// Not knowing what the campaign did, sending could apply it twice.
		r := baseRow(row, outcome.Failed)
		r.Error = "not sent: journal: " + err.Error()
		return r, nil, false
	}
	if !ok {
		return report.Row{}, nil, true
	}
	switch {
	case e.done(row, rec):
		return e.doneRow(row, rec), nil, false
	case e.failedForGood(row, rec):
		r := reportRow(row, rec, outcome.Failed)
		r.Earlier = true
		return r, nil, false
	case rec.Type == recOutcome && rec.Status == outcome.Applied:
		return report.Row{}, &rec, true // desired metadata changed: send it
	case rec.Type == recOutcome && (rec.Status == outcome.Failed || rec.Status == outcome.NotApplied):
		return report.Row{}, &rec, true // nothing was applied: send again
	}
	return report.Row{}, &rec, true // intent with no outcome, or unknown
}

// failedForGood: an earlier run of the campaign had this very row (same
// payload) refused by the API for good (400, 404, 409, 422) and reported
// it. It is not sent again, run after run, unless RetryFailed: the answer
// would be the same, and a cron job would page someone every time.
func (e *Engine) failedForGood(row input.Row, rec journal.Record) bool {
	return !e.opts.RetryFailed && rec.Type == recOutcome && rec.Status == outcome.Failed &&
		finalStatus(rec.HTTP) && e.sameRequest(row, rec)
}

// finalStatus: the API's answer to the same request would not change.
func finalStatus(http int) bool {
	switch http {
	case 400, 404, 409, 422:
		return true
	}
	return false
}

// inDoubt: an add-free-days request may have been applied, and must be
// settled by reading the membership before anything is sent again.
func inDoubt(r *journal.Record) bool {
	return r != nil && r.Action == string(input.AddFreeDays) &&
		(r.Type == recIntent || r.Status == outcome.Unknown)
}

// doneRow reports a row the campaign already applied: as applied when this
// very row (same input, same line) did it, otherwise as skipped.
func (e *Engine) doneRow(row input.Row, rec journal.Record) report.Row {
	if rec.Input == e.opts.InputSHA256 && rec.Line == row.Line {
		r := reportRow(row, rec, outcome.Applied)
		r.Earlier = true
		return r
	}
	r := reportRow(row, rec, outcome.Skipped)
	r.Earlier = true
	r.Attempts = 0
	what := "extended"
	if row.Action == input.UpdateMetadata {
		what = "given this metadata"
	}
	r.Error = fmt.Sprintf("already %s in this campaign on %s (line %d of input %.12s)",
		what, time.UnixMilli(rec.At).UTC().Format(time.RFC3339), rec.Line, rec.Input)
	return r
}

func (e *Engine) process(row input.Row, prior *journal.Record) step[report.Row] {
	if row.Action == input.AddFreeDays {
		return e.processAdd(row, prior)
	}
	return finished(e.processMetadata(row, prior))
}

// adding is one add-free-days row on its way: what its tries so far left.
type adding struct {
	e        *Engine
	row      input.Row
	prior    *journal.Record
	attempts int                // requests sent for the row, in all runs
	try      int                // retries of this run
	limited  int                // 429s of this run
	before   *client.Membership // the state the next request is sent against
}

// processAdd adds free days at most once: read the membership, record the
// intent durably, send, record the outcome. An unknown outcome is settled
// by reading the membership back, never by sending again blind; and sent
// again only once the quiet period has passed with nothing to show for it.
func (e *Engine) processAdd(row input.Row, prior *journal.Record) step[report.Row] {
	a := &adding{e: e, row: row, prior: prior}
	if prior != nil {
		a.attempts = prior.Attempts
	}
	if inDoubt(prior) {
		return a.settle(*prior, nil)
	}
	if r, ok := e.repeat(row); ok {
		return finished(r)
	}
	return a.send()
}

// changedSincePlan reports a row whose membership is not what the saved
// plan read (its period end or its status): failed, nothing sent.
func (e *Engine) changedSincePlan(row input.Row, m *client.Membership) (report.Row, bool) {
	if e.opts.Planned == nil {
		return report.Row{}, false
	}
	p, ok := e.opts.Planned[row.Line]
	var why string
	switch {
	case !ok || p.MembershipID != row.MembershipID:
		why = "the plan has no such row"
	case !eq(p.PeriodEnd, m.PeriodEnd):
		why = fmt.Sprintf("period end %s, now %s", date(p.PeriodEnd), date(m.PeriodEnd))
	case p.MembershipStatus != m.Status:
		why = fmt.Sprintf("status %s, now %s", p.MembershipStatus, m.Status)
	default:
		return report.Row{}, false
	}
	r := baseRow(row, outcome.Failed)
	r.Error, r.MembershipStatus, r.PreviousPeriodEnd = "changed since the plan: "+why, m.Status, m.PeriodEnd
	e.rowFailed()
	return r, true
}

// repeat reports a row whose membership another campaign of the state
// directory already extended: skipped, unless AllowRepeat.
func (e *Engine) repeat(row input.Row) (report.Row, bool) {
	other, ok, err := e.otherCampaign(row)
	if err != nil {
		// Not knowing whether another campaign extended it, sending could
		// extend it twice.
		e.halt(fmt.Errorf("ledger: %w", err))
		return pendingRow(row, nil), true
	}
	if !ok || e.opts.AllowRepeat {
		return report.Row{}, false
	}
	r := baseRow(row, outcome.Skipped)
	r.Error = other + "; --allow-repeat extends it again"
	r.Repeat = other
	return r, true
}

// otherCampaign says which other campaign extended row's membership, and
// when.
func (e *Engine) otherCampaign(row input.Row) (string, bool, error) {
	if e.opts.Ledger == nil {
		return "", false, nil
	}
	o, ok, err := e.opts.Ledger.Other(row.MembershipID, e.opts.Campaign)
	if !ok || err != nil {
		return "", false, err
	}
	return fmt.Sprintf("already got %d days from campaign %s on %s", o.Days, o.Campaign, o.At.UTC().Format(time.DateOnly)), true, nil
}

// send reads the membership if need be and sends the request, until the
// row has an outcome or its outcome is unknown.
func (a *adding) send() step[report.Row] {
	e, row := a.e, a.row
	pace := e.pace(client.OpExtend)
	for {
		if a.before == nil {
			m, err := e.get(row.MembershipID)
			if err != nil {
				return finished(e.readFailed(row, a.prior, a.attempts, err))
			}
			if r, changed := e.changedSincePlan(row, m); changed {
				return finished(r)
			}
			a.before = m
		}
		// The intent is on disk, fsynced, before the request leaves; it is
		// written after the pace allows the request, so that its time is
		// the request's, from which the settle delay and the quiet period
		// are counted.
		sent, err := pace.Reserve(e.stopCtx)
		if err != nil {
			return finished(pendingRow(row, a.prior))
		}
		intent := e.intent(row, a.before, a.attempts+1)
		if err := e.journal.Append(intent, true); err != nil {
			e.halt(fmt.Errorf("journal: %w", err))
			return finished(pendingRow(row, a.prior))
		}
		// So does the ledger's entry: a crash after the request leaves
		// no membership that other campaigns could extend again.
		if l := e.opts.Ledger; l != nil {
			if err := l.Record(journal.LedgerEntry{ID: row.MembershipID, Campaign: e.opts.Campaign, Days: row.Days}); err != nil {
				e.halt(fmt.Errorf("ledger: %w", err))
				return finished(pendingRow(row, a.prior))
			}
		}
		a.attempts++
		sent() // the fsyncs took a while: the cap counts the request from now
		m, err := e.api.Extend(e.reqCtx, row.MembershipID, row.Days, e.key(row))
		if err == nil {
			pace.Succeeded()
			if msg := answerContradicts(a.before, m, row.Days); msg != "" {
				// Never report what the evidence contradicts: the outcome
				// is unknown, settled by reading back, and never sent again.
				ce := &client.Error{Kind: client.Unknown, Status: m.HTTPStatus, Code: codeContradicted, Message: msg}
				unknown := outcomeOf(intent, outcome.Unknown, ce.Status, ce.Message, nil)
				e.record(unknown)
				return a.settle(unknown, ce)
			}
			out := outcomeOf(intent, outcome.Applied, m.HTTPStatus, "", m)
			out.Warn = joinWarnings(statusWarning(m), pastWarning(m.PeriodEnd))
			e.record(out)
			return finished(reportRow(row, out, outcome.Applied))
		}
		ce := asClientError(err)
		switch ce.Kind {
		case client.RateLimited:
			if e.refused(pace, intent, ce, &a.limited) {
				continue
			}
		case client.NotSent:
			e.record(outcomeOf(intent, outcome.NotApplied, 0, ce.Message, nil))
			if a.try < e.opts.Retries && e.backoff(a.try) == nil {
				a.try++
				continue
			}
			if e.stopped() {
				return finished(pendingRow(row, nil))
			}
		case client.Unknown:
			unknown := outcomeOf(intent, outcome.Unknown, ce.Status, ce.Message, nil)
			e.record(unknown)
			return a.settle(unknown, ce)
		}
		return finished(e.refusedForGood(row, intent, ce))
	}
}

// settle settles rec, a request whose outcome is unknown (ce: how it went
// unknown in this run; nil for an earlier run's). Applied or unknowable,
// the row ends. Not applied, the request is sent again, with the same
// Idempotency-Key; but not before the quiet period after it has passed
// and a read then still shows nothing: until then, the step waits.
func (a *adding) settle(rec journal.Record, ce *client.Error) step[report.Row] {
	e, row := a.e, a.row
	out, now, settled := e.settle(rec)
	switch settled {
	case outcome.Applied:
		return finished(e.doneRow(row, out))
	case outcome.Unknown:
		return finished(reportRow(row, out, outcome.Unknown))
	case notYet:
		return step[report.Row]{at: e.quietUntil(rec), next: func() step[report.Row] { return a.settle(rec, ce) }}
	}
	if ce != nil && ce.Code == codeContradicted {
		out := outcomeOf(rec, outcome.Unknown, ce.Status, ce.Message+"; a read shows no change either: "+byHand(rec.ID), nil)
		e.record(out)
		return finished(reportRow(row, out, outcome.Unknown))
	}
	a.before = now
	if ce == nil {
		return a.send() // an earlier run's request: this run's first try
	}
	if a.try < e.opts.Retries && e.backoff(a.try) == nil {
		a.try++
		return a.send()
	}
	if e.stopped() {
		return finished(pendingRow(row, nil))
	}
	if ce.Code == client.CodeInProgress {
		// The API says the first request with this key is still running:
		// it may yet apply. Never call that not applied.
		out := outcomeOf(rec, outcome.Unknown, ce.Status,
			"the API still reports a request with this Idempotency-Key in progress; run again later to settle it, or "+byHand(rec.ID), nil)
		e.record(out)
		return finished(reportRow(row, out, outcome.Unknown))
	}
	failed := *ce
	failed.Message = "not applied: " + ce.Message
	return finished(e.refusedForGood(row, rec, &failed))
}

// refusedForGood records and reports a row refused for good, and stops the
// run if the refusal is about the key or the API version rather than the
// row.
func (e *Engine) refusedForGood(row input.Row, intent journal.Record, ce *client.Error) report.Row {
	out := outcomeOf(intent, outcome.Failed, ce.Status, ce.Message, nil)
	e.record(out)
	if ce.Kind == client.Fatal || ce.Kind == client.BadVersion {
		e.fatal(ce)
	} else {
		e.rowFailed()
	}
	return reportRow(row, out, outcome.Failed)
}

// refused handles a 429 to a change: the request was not applied, and
// every worker of the operation pauses. It says whether to send again.
func (e *Engine) refused(pace *pacer, intent journal.Record, ce *client.Error, limited *int) bool {
	e.record(outcomeOf(intent, outcome.NotApplied, ce.Status, ce.Message, nil))
	pace.RateLimited(ce.RetryAfter)
	*limited++
	return *limited <= maxLimited
}

// byHand tells the operator how to settle a row bulk cannot.
func byHand(id string) string {
	return "check the membership by hand, then record what you found: bulk settle FILE --applied " + id + " (or --not-applied " + id + ")"
}

// notYet: a request with an unknown outcome shows no effect, but its quiet
// period has not passed: it may still land.
const notYet outcome.Status = "not_yet"

// quietUntil is when the quiet period after rec's request ends.
func (e *Engine) quietUntil(rec journal.Record) time.Time {
	return time.UnixMilli(rec.At).Add(e.opts.QuietPeriod)
}

// settle establishes whether an add-free-days request with an unknown
// outcome was applied. It waits SettleDelay after the request (one still
// being processed must have time to land), reads the membership and
// compares it with the state recorded before the request. It returns the
// outcome it recorded, the membership as read, and outcome.Applied,
// outcome.NotApplied, outcome.Unknown, or notYet when the membership shows nothing
// yet but the quiet period after the request has not passed (then nothing
// is recorded: a later run must wait out the same quiet period).
func (e *Engine) settle(rec journal.Record) (journal.Record, *client.Membership, outcome.Status) {
	wait := time.Until(time.UnixMilli(rec.At).Add(e.opts.SettleDelay))
	if err := sleepCtx(e.stopCtx, wait); err != nil {
		return outcomeOf(rec, outcome.Unknown, rec.HTTP, rec.Err, nil), nil, outcome.Unknown
	}
	m, err := e.get(rec.ID)
	if err != nil {
		msg := "outcome unknown and the membership cannot be read back: " + err.Error() + "; run again to check it, or " + byHand(rec.ID)
		out := outcomeOf(rec, outcome.Unknown, rec.HTTP, msg, nil)
		if !errors.Is(err, errStopped) {
			e.record(out)
		}
		return out, nil, outcome.Unknown
	}
	switch compare(rec, m) {
	case outcome.Applied:
		out := outcomeOf(rec, outcome.Applied, 0, "", m)
		e.record(out)
		return out, m, outcome.Applied
	case outcome.NotApplied:
		if time.Now().Before(e.quietUntil(rec)) {
			return rec, m, notYet
		}
		e.record(outcomeOf(rec, outcome.NotApplied, rec.HTTP, rec.Err, nil))
		return rec, m, outcome.NotApplied
	}
	out := outcomeOf(rec, outcome.Unknown, rec.HTTP,
		"outcome unknown: the membership's period changed in another way since it was read; "+byHand(rec.ID), nil)
	e.record(out)
	return out, m, outcome.Unknown
}

// compare tells from the recorded before-state whether m shows the days
// added. Free days move the period's end and leave its start alone, so:
// the same start and the same end, not applied; the same start and the end
// moved by exactly the days, applied. Anything else (a renewal moves the
// start, and the end by a whole period) cannot be told apart: unknown.
func compare(before journal.Record, m *client.Membership) outcome.Status {
	if !before.Before || !eq(before.PrevStart, m.PeriodStart) {
		return outcome.Unknown
	}
	if eq(before.PrevEnd, m.PeriodEnd) {
		return outcome.NotApplied
	}
	if before.PrevEnd != nil && m.PeriodEnd != nil && *m.PeriodEnd == *before.PrevEnd+int64(before.Days)*day {
		return outcome.Applied
	}
	return outcome.Unknown
}

const day = 86400 // seconds

func eq(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// get reads a membership at the read pace, retrying what can be retried.
func (e *Engine) get(id string) (*client.Membership, error) {
	pace := e.pace(client.OpRead)
	for try, limited := 0, 0; ; {
		if err := pace.Wait(e.stopCtx); err != nil {
			return nil, errStopped
		}
		m, err := e.api.Get(e.reqCtx, id)
		if err == nil {
			pace.Succeeded()
			return m, nil
		}
		ce := asClientError(err)
		switch ce.Kind {
		case client.RateLimited:
			pace.RateLimited(ce.RetryAfter)
			if limited++; limited <= maxLimited {
				continue
			}
			return nil, err
		case client.Fatal, client.BadVersion:
			e.fatal(err)
			return nil, err
		case client.Permanent:
			return nil, err
		}
		if try >= e.opts.Retries {
			return nil, err
		}
		if e.backoff(try) != nil {
			return nil, errStopped
		}
		try++
	}
}

// readFailed reports a row whose membership could not be read before
// sending: nothing was sent for it.
func (e *Engine) readFailed(row input.Row, prior *journal.Record, attempts int, err error) report.Row {
	if errors.Is(err, errStopped) {
		return pendingRow(row, prior)
	}
	ce := asClientError(err)
	r := baseRow(row, outcome.Failed)
	r.HTTPStatus, r.Error, r.Attempts = ce.Status, "read membership: "+ce.Message, attempts
	if ce.Kind != client.Fatal && ce.Kind != client.BadVersion {
		e.rowFailed()
	}
	if ce.Kind == client.Permanent && finalStatus(ce.Status) {
		// Nothing was sent; recorded so that later runs know the row
		// failed for good (see failedForGood).
		e.record(journal.Record{
			Type: recOutcome, At: time.Now().UnixMilli(), Run: e.opts.RunID,
			Action: string(row.Action), ID: row.MembershipID, Line: row.Line, Input: e.opts.InputSHA256,
			Key: e.recordKey(row), Days: row.Days, Attempts: attempts,
			Status: outcome.Failed, HTTP: ce.Status, Err: r.Error,
		})
	}
	return r
}

// recordKey is the Idempotency-Key a row's journal records carry. An
// add-free-days row's key follows from its days (in one campaign, on one
// API), so its records leave it out and sameRequest compares the days; a
// metadata row's payload is known by its key alone.
func (e *Engine) recordKey(row input.Row) string {
	if row.Action == input.AddFreeDays {
		return ""
	}
	return e.key(row)
}

// sameRequest: rec was written for a request with row's payload.
func (e *Engine) sameRequest(row input.Row, rec journal.Record) bool {
	if row.Action == input.AddFreeDays {
		return rec.Days == row.Days
	}
	return rec.Key == e.key(row)
}

func (e *Engine) intent(row input.Row, before *client.Membership, attempts int) journal.Record {
	r := journal.Record{
		Type: recIntent, At: time.Now().UnixMilli(), Run: e.opts.RunID,
		Action: string(row.Action), ID: row.MembershipID, Line: row.Line, Input: e.opts.InputSHA256,
		Key: e.recordKey(row), Attempts: attempts,
	}
	if row.Action == input.AddFreeDays {
		r.Days = row.Days
	}
	if before != nil {
		r.Before, r.PrevStart, r.PrevEnd, r.MStatus = true, before.PeriodStart, before.PeriodEnd, before.Status
	}
	return r
}

// outcomeOf is the outcome record answering an intent (or an earlier
// outcome being settled): it keeps the intent's row, payload and
// before-state, so any later run can settle it again.
func outcomeOf(intent journal.Record, status outcome.Status, http int, msg string, after *client.Membership) journal.Record {
	r := intent
	r.Type, r.At, r.Status, r.HTTP, r.Err = recOutcome, time.Now().UnixMilli(), status, http, msg
	r.Start, r.End, r.Warn = nil, nil, ""
	if after != nil {
		r.Start, r.End, r.MStatus = after.PeriodStart, after.PeriodEnd, after.Status
	}
	return r
}

// record appends an outcome. Outcomes need no fsync of their own: a lost
// outcome leaves its intent, which the next run settles by reading back.
func (e *Engine) record(r journal.Record) {
	if err := e.journal.Append(r, false); err != nil {
		e.halt(fmt.Errorf("journal: %w", err))
	}
}

func reportRow(row input.Row, rec journal.Record, status outcome.Status) report.Row {
	r := baseRow(row, status)
	r.HTTPStatus, r.Error, r.Warning, r.MembershipStatus, r.Attempts = rec.HTTP, rec.Err, rec.Warn, rec.MStatus, rec.Attempts
	if rec.Before {
		r.PreviousPeriodEnd = rec.PrevEnd
	}
	if status == outcome.Applied || status == outcome.Skipped {
		r.PeriodEnd = rec.End
	}
	return r
}

// pendingRow reports a row the run did not get to. An add-free-days row
// whose earlier request is still in doubt stays unknown until a run reads
// the membership back.
func pendingRow(row input.Row, prior *journal.Record) report.Row {
	r := baseRow(row, outcome.Pending)
	r.Error = "not tried: the run stopped; run again to continue"
	if prior != nil {
		r.Attempts = prior.Attempts
	}
	if inDoubt(prior) {
		r.Status = outcome.Unknown
		r.Error = "an earlier request's outcome is unknown; run again to check it against the membership"
		r.HTTPStatus = prior.HTTP
		if prior.Before {
			r.PreviousPeriodEnd, r.MembershipStatus = prior.PrevEnd, prior.MStatus
		}
	}
	return r
}

func asClientError(err error) *client.Error {
	var ce *client.Error
	if errors.As(err, &ce) {
		return ce
	}
	return &client.Error{Kind: client.Unknown, Message: err.Error(), Err: err}
}

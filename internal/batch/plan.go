package batch

import (
	"context"
	"encoding/json"
	"errors"

	"bulk/internal/client"
	"bulk/internal/input"
	"bulk/internal/journal"
	"bulk/internal/outcome"
	"bulk/internal/report"
)

// PlanRow is a plan report row with what the run would cost.
type PlanRow struct {
	report.Row
	Reads   int       // reads the real run would send for this row
	Writes  int       // changes it would send
	WriteOp client.Op // of which operation
}

// Plan tells, row by row, what a run would do, sending no POST: it reads
// each membership (GET, at the run's pace) unless offline, and predicts
// the dates after the change. A nil api plans offline: from the file and
// the journal alone.
func (e *Engine) Plan(ctx context.Context, src RowSource, emit func(PlanRow) error) error {
	e.start(ctx)
	defer e.halt(nil)
	return e.finish(feed(e, src, emit, func(row input.Row) (PlanRow, func() step[PlanRow]) {
		if e.api == nil || e.stopped() {
			return e.planOffline(row), nil
		}
		return PlanRow{}, func() step[PlanRow] { return finished(e.planRow(row)) }
	}))
}

// planOffline: what the file and the journal alone say.
func (e *Engine) planOffline(row input.Row) PlanRow {
	if p, _, _, decided := e.planKnown(row); decided {
		return p
	}
	return e.planUnread(row)
}

// planKnown plans a row that the journal alone decides (it cannot be read,
// the row is done, or it failed for good), with decided true; otherwise it
// returns the journal's latest record for the row, if ok.
func (e *Engine) planKnown(row input.Row) (p PlanRow, rec journal.Record, ok, decided bool) {
	rec, ok, err := e.lookup(row)
	switch {
	case err != nil:
		r := baseRow(row, outcome.WouldFail)
		r.Error = "journal: " + err.Error()
		return PlanRow{Row: r}, rec, ok, true
	case ok && e.done(row, rec):
		return e.planDone(row, rec), rec, ok, true
	case ok && e.failedForGood(row, rec):
		return e.planFailedForGood(row, rec), rec, ok, true
	}
	return PlanRow{}, rec, ok, false
}

// planUnread plans a row the journal does not decide, without reading its
// membership.
func (e *Engine) planUnread(row input.Row) PlanRow {
	p := e.cost(PlanRow{Row: baseRow(row, outcome.WouldApply)}, row, nil)
	other, ok, err := e.otherCampaign(row)
	if err != nil {
		r := baseRow(row, outcome.WouldFail)
		r.Error = "ledger: " + err.Error()
		return PlanRow{Row: r}
	}
	if ok && row.Action == input.AddFreeDays {
		p.Warning, p.Repeat = other, other
		if !e.opts.AllowRepeat {
			p.Status, p.Reads, p.Writes = outcome.WouldSkip, 0, 0
		}
	}
	if e.api != nil {
		p.Status, p.Error = outcome.WouldFail, "not read: the plan stopped before this row"
	}
	return p
}

// lookup is the journal's latest record for row; a plan may have no journal.
func (e *Engine) lookup(row input.Row) (journal.Record, bool, error) {
	if e.journal == nil {
		return journal.Record{}, false, nil
	}
	return e.journal.Lookup(string(row.Action), row.MembershipID)
}

// done: the campaign already applied what row asks for.
func (e *Engine) done(row input.Row, rec journal.Record) bool {
	return rec.Type == recOutcome && rec.Status == outcome.Applied &&
		(row.Action == input.AddFreeDays || rec.Key == e.key(row))
}

// planFailedForGood reports a row an earlier run saw fail for good: the
// run would not send it again.
func (e *Engine) planFailedForGood(row input.Row, rec journal.Record) PlanRow {
	r := reportRow(row, rec, outcome.WouldSkip)
	r.Attempts, r.Earlier = 0, true
	r.Error = "failed for good in an earlier run (" + rec.Err + "); --retry-failed sends it again"
	return PlanRow{Row: r}
}

// planDone reports a row the campaign already did.
func (e *Engine) planDone(row input.Row, rec journal.Record) PlanRow {
	r := e.doneRow(row, rec)
	r.Status, r.Attempts = outcome.WouldSkip, 0
	if r.Error == "" {
		r.Error = "already applied by an earlier run of this campaign"
	}
	return PlanRow{Row: r}
}

func (e *Engine) planRow(row input.Row) PlanRow {
	p, rec, ok, decided := e.planKnown(row)
	if decided {
		return p
	}
	m, err := e.get(row.MembershipID)
	if err != nil {
		if errors.Is(err, errStopped) {
			return e.planUnread(row)
		}
		ce := asClientError(err)
		r := baseRow(row, outcome.WouldFail)
		r.HTTPStatus, r.Error = ce.Status, "read membership: "+ce.Message
		return PlanRow{Row: r, Reads: 1}
	}
	if ok && inDoubt(&rec) {
		switch compare(rec, m) {
		case outcome.Applied:
			r := baseRow(row, outcome.WouldSkip)
			r.Error = "an earlier request of this campaign was applied (the run will record it)"
			r.PreviousPeriodEnd, r.PeriodEnd, r.MembershipStatus = rec.PrevEnd, m.PeriodEnd, m.Status
			return PlanRow{Row: r, Reads: 1}
		case outcome.Unknown:
			r := baseRow(row, outcome.WouldFail)
			r.Error = "an earlier request's outcome is unknown and the membership changed since; the run will report it unknown: check it by hand"
			r.MembershipStatus = m.Status
			return PlanRow{Row: r, Reads: 1}
		}
	}
	r := baseRow(row, outcome.WouldApply)
	r.PreviousPeriodEnd, r.PeriodEnd, r.MembershipStatus = m.PeriodEnd, m.PeriodEnd, m.Status
	if row.Action == input.UpdateMetadata {
		r.Warning = joinWarnings(statusWarning(m), e.metadataWarning(m.Metadata, row.Metadata))
		return e.cost(PlanRow{Row: r}, row, m)
	}
	if m.PeriodEnd == nil {
		r.Status = outcome.WouldFail
		r.Error = "nothing to extend: the membership has no period end and no expiration (lifetime)"
		return PlanRow{Row: r, Reads: 1}
	}
	r.PeriodEnd = ptr(*m.PeriodEnd + int64(row.Days)*day)
	other, repeat, err := e.otherCampaign(row)
	if err != nil {
		r.Status, r.PeriodEnd, r.Error = outcome.WouldFail, m.PeriodEnd, "ledger: "+err.Error()
		return PlanRow{Row: r, Reads: 1}
	}
	r.Warning = joinWarnings(other, statusWarning(m), pastWarning(r.PeriodEnd))
	if repeat {
		r.Repeat = other
	}
	if repeat && !e.opts.AllowRepeat {
		r.Status, r.PeriodEnd = outcome.WouldSkip, m.PeriodEnd
		return PlanRow{Row: r, Reads: 1}
	}
	return e.cost(PlanRow{Row: r}, row, m)
}

// cost fills in the requests a run would send for row: a read, then one
// change, or two where a replace must clear first (m nil: not known).
func (e *Engine) cost(p PlanRow, row input.Row, m *client.Membership) PlanRow {
	p.Reads, p.Writes, p.WriteOp = 1, 1, client.OpExtend
	if row.Action == input.UpdateMetadata {
		p.WriteOp = client.OpUpdate
		var current json.RawMessage
		if m != nil {
			current = m.Metadata
		}
		p.Writes = len(e.metadataSteps(row.Metadata, current))
	}
	return p
}

// baseRow is the report row of row, with its status and nothing else
// known yet.
func baseRow(row input.Row, status outcome.Status) report.Row {
	return report.Row{
		Line: row.Line, MembershipID: row.MembershipID, Action: string(row.Action), Days: row.Days,
		Status: status, Extra: row.Extra, Metadata: row.Metadata,
	}
}

func ptr(v int64) *int64 { return &v }

package batch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"bulk/internal/client"
	"bulk/internal/journal"
	"bulk/internal/report"
)

// Plan statuses.
const (
	WouldApply = "would_apply"
	WouldSkip  = "would_skip"
	WouldFail  = "would_fail"
)

// PlanRow is a plan report row with what the run would cost.
type PlanRow struct {
	report.Row
	Requests int  // requests the real run would send for this row
	Warning  bool // the error column holds a warning the operator must see
}

// Plan tells, row by row, what a run would do, sending no POST: it reads
// each membership (GET, at the run's pace) unless offline, and predicts
// the dates after the change. A nil api plans offline: from the file and
// the journal alone.
func (e *Engine) Plan(ctx context.Context, src RowSource, emit func(PlanRow) error) error {
	e.start(ctx)
	defer e.halt(nil)
	return e.finish(feed(e, src, emit, func(row Row) (PlanRow, func() PlanRow) {
		if e.api == nil || e.stopped() {
			return e.planOffline(row), nil
		}
		return PlanRow{}, func() PlanRow { return e.planRow(row) }
	}))
}

// planOffline: what the file and the journal alone say.
func (e *Engine) planOffline(row Row) PlanRow {
	if skip, ok := e.planJournal(row); ok {
		return skip
	}
	p := PlanRow{Row: baseRow(row, WouldApply), Requests: 1}
	if row.Action == AddFreeDays {
		p.Requests = 2
	}
	if e.api != nil {
		p.Status, p.Error = WouldFail, "not read: the plan stopped before this row"
	}
	return p
}

// planJournal reports a row the campaign already did.
func (e *Engine) planJournal(row Row) (PlanRow, bool) {
	if e.journal == nil {
		return PlanRow{}, false
	}
	rec, ok, err := e.journal.Lookup(string(row.Action), row.MembershipID)
	if err != nil {
		r := baseRow(row, WouldFail)
		r.Error = "journal: " + err.Error()
		return PlanRow{Row: r}, true
	}
	if !ok || rec.Type != recOutcome || rec.Status != StatusApplied {
		return PlanRow{}, false
	}
	if row.Action == UpdateMetadata && rec.Payload != row.PayloadHash() {
		return PlanRow{}, false
	}
	r := e.doneRow(row, rec)
	r.Status, r.Attempts = WouldSkip, 0
	if r.Error == "" {
		r.Error = "already applied by an earlier run of this campaign"
	}
	return PlanRow{Row: r}, true
}

func (e *Engine) planRow(row Row) PlanRow {
	if skip, ok := e.planJournal(row); ok {
		return skip
	}
	var prior *journal.Record
	if e.journal != nil {
		if rec, ok, _ := e.journal.Lookup(string(row.Action), row.MembershipID); ok {
			prior = &rec
		}
	}
	m, err := e.get(row.MembershipID)
	if err != nil {
		if errors.Is(err, errStopped) {
			return e.planOffline(row)
		}
		ce := asClientError(err)
		r := baseRow(row, WouldFail)
		r.HTTPStatus, r.Error = ce.Status, "read membership: "+ce.Message
		return PlanRow{Row: r, Requests: 1}
	}
	if inDoubt(prior) {
		switch compare(*prior, m) {
		case StatusApplied:
			r := baseRow(row, WouldSkip)
			r.Error = "an earlier request of this campaign was applied (the run will record it)"
			r.PreviousExpiresAt, r.PreviousRenewalPeriodEnd = prior.PrevExpires, prior.PrevRenewal
			r.ExpiresAt, r.RenewalPeriodEnd = m.ExpiresAt, m.RenewalPeriodEnd
			return PlanRow{Row: r, Requests: 1}
		case StatusUnknown:
			r := baseRow(row, WouldFail)
			r.Error = "an earlier request's outcome is unknown and the membership changed since; the run will report it unknown: check it by hand"
			return PlanRow{Row: r, Requests: 1}
		}
	}
	if row.Action == AddFreeDays {
		return planAdd(row, m)
	}
	return planMetadata(row, m)
}

func planAdd(row Row, m *client.Membership) PlanRow {
	r := baseRow(row, WouldApply)
	r.PreviousExpiresAt, r.PreviousRenewalPeriodEnd = m.ExpiresAt, m.RenewalPeriodEnd
	add := int64(row.Days) * 86400
	switch {
	case m.RenewalPeriodEnd != nil:
		r.ExpiresAt, r.RenewalPeriodEnd = m.ExpiresAt, ptr(*m.RenewalPeriodEnd+add)
	case m.ExpiresAt != nil:
		r.ExpiresAt = ptr(*m.ExpiresAt + add)
	default:
		r.Status = WouldFail
		r.Error = "nothing to extend: the membership has neither a renewal date nor an expiration date (lifetime)"
		return PlanRow{Row: r, Requests: 2}
	}
	p := PlanRow{Row: r, Requests: 2}
	p.warn(statusWarning(m))
	return p
}

func planMetadata(row Row, m *client.Membership) PlanRow {
	r := baseRow(row, WouldApply)
	r.PreviousExpiresAt, r.PreviousRenewalPeriodEnd = m.ExpiresAt, m.RenewalPeriodEnd
	r.ExpiresAt, r.RenewalPeriodEnd = m.ExpiresAt, m.RenewalPeriodEnd
	p := PlanRow{Row: r, Requests: 1}
	if lost := droppedKeys(m.Metadata, row.Metadata); len(lost) > 0 {
		p.warn("replacing metadata drops existing keys: " + strings.Join(lost, ", "))
	}
	p.warn(statusWarning(m))
	return p
}

func (p *PlanRow) warn(msg string) {
	if msg == "" {
		return
	}
	p.Warning = true
	if p.Error != "" {
		p.Error += "; "
	}
	p.Error += "warning: " + msg
}

// statusWarning: a membership the operator may not mean to compensate.
func statusWarning(m *client.Membership) string {
	switch {
	case m.Status == "canceled" || m.Status == "expired":
		return fmt.Sprintf("membership is %s", m.Status)
	case !m.Valid:
		return fmt.Sprintf("membership is not valid (status %s)", m.Status)
	}
	return ""
}

// droppedKeys lists the keys of the current metadata that the new object
// lacks: v2 is taken to replace metadata whole (the legacy API documents
// replace; v2 does not say).
func droppedKeys(current, next json.RawMessage) []string {
	var cur, nxt map[string]json.RawMessage
	if json.Unmarshal(current, &cur) != nil {
		return nil
	}
	json.Unmarshal(next, &nxt)
	var lost []string
	for k := range cur {
		if _, ok := nxt[k]; !ok {
			lost = append(lost, k)
		}
	}
	sort.Strings(lost)
	return lost
}

func baseRow(row Row, status string) report.Row {
	return report.Row{
		Line: row.Line, MembershipID: row.MembershipID, Action: string(row.Action), Days: row.Days,
		Status: status, Extra: row.Extra,
	}
}

func ptr(v int64) *int64 { return &v }

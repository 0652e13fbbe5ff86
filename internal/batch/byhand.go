package batch

import (
	"errors"
	"fmt"
	"time"

	"bulk/internal/input"
	"bulk/internal/journal"
	"bulk/internal/outcome"
)

// ErrNotInDoubt: a membership asked to be settled by hand has no
// add-free-days request of the campaign whose outcome is unknown.
var ErrNotInDoubt = errors.New("no request of this campaign is in doubt for it")

// SettleByHand records what an operator found, by checking a membership by
// hand, about the campaign's add-free-days request whose outcome bulk
// could not establish: applied (it is then never sent again, and reported
// applied or skipped) or not applied (the next run reads the membership
// and sends it again). Only a request in doubt can be settled so: an
// outcome bulk established is not overwritten.
func SettleByHand(j *journal.Journal, runID, id string, applied bool) (journal.Record, error) {
	rec, ok, err := j.Lookup(string(input.AddFreeDays), id)
	if err != nil {
		return journal.Record{}, err
	}
	if !ok || !inDoubt(&rec) {
		what := "nothing"
		if ok {
			what = string(rec.Status)
		}
		return journal.Record{}, fmt.Errorf("%s: %w (its latest outcome: %s)", id, ErrNotInDoubt, what)
	}
	status, as := outcome.NotApplied, "not applied"
	if applied {
		status, as = outcome.Applied, "applied"
	}
	out := outcomeOf(rec, status, 0, fmt.Sprintf("settled by hand as %s on %s (bulk settle)",
		as, time.Now().UTC().Format(time.RFC3339)), nil)
	out.Run = runID
	if err := j.Append(out, true); err != nil {
		return journal.Record{}, fmt.Errorf("journal: %w", err)
	}
	return out, nil
}

// Package outcome names what became of a row: the one status type that
// the engine decides, the journal records and the report shows. It holds
// names only, no behaviour.
package outcome

// Status is what became of a row, or in a plan what would.
type Status string

// After a run, as the report and the journal show them.
const (
	Applied Status = "applied"
	Skipped Status = "skipped" // nothing to send: done earlier, or by another campaign
	Failed  Status = "failed"
	Unknown Status = "unknown" // sent, but whether it took effect could not be established
	// Pending: the run stopped before trying the row; running again tries
	// it. Report only.
	Pending Status = "pending"
	// NotApplied: a request that was refused, or whose unknown outcome
	// was settled as not applied; it may be sent again. Journal only.
	NotApplied Status = "not_applied"
)

// In a plan.
const (
	WouldApply Status = "would_apply"
	WouldSkip  Status = "would_skip"
	WouldFail  Status = "would_fail"
)

// Wrong says whether a row with status s went wrong: failed, unknown, or
// in a plan would fail.
func (s Status) Wrong() bool { return s == Failed || s == Unknown || s == WouldFail }

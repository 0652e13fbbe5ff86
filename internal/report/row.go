package report

import (
	"bulk/internal/outcome"
	"encoding/json"
)

// Row is one line of the report: the outcome of one input row.
// Timestamps are Unix seconds; nil means null or not known and is written empty.
type Row struct {
	Line              int
	MembershipID      string
	Action            string
	Days              int // 0 is written empty (metadata rows)
	Status            outcome.Status
	HTTPStatus        int // 0 is written empty (no answer)
	Error             string
	Warning           string // what the operator should know although the row did not fail
	PreviousPeriodEnd *int64 // the date free days move, before this campaign changed it
	PeriodEnd         *int64 // and after (in a plan, predicted)
	MembershipStatus  string // as last read or returned
	Attempts          int
	Extra             []string // carried input columns, aligned with the writer's extra names
	// Metadata is an update_metadata row's object, as the input gave it,
	// for the retry file; it is not a column.
	Metadata json.RawMessage
	// Repeat names the other campaign that already extended the
	// membership, for the summary; it is not a column.
	Repeat string
	// Earlier: the row's outcome is one an earlier run of the campaign
	// reached and reported (applied, skipped as done, or failed for good);
	// this run sent nothing for it. Not a column.
	Earlier bool
}

// Columns are the report's fixed columns, in order; carried columns follow them.
var Columns = []string{
	"line", "membership_id", "action", "days", "status", "http_status", "error", "warning",
	"previous_period_end", "period_end", "membership_status", "attempts",
}

package report

// Row is one line of the report: the outcome of one input row.
// Timestamps are Unix seconds; nil means null or not known and is written empty.
type Row struct {
	Line                     int
	MembershipID             string
	Action                   string
	Days                     int // 0 is written empty (metadata rows)
	Status                   string
	HTTPStatus               int // 0 is written empty (no answer)
	Error                    string
	PreviousExpiresAt        *int64
	ExpiresAt                *int64
	PreviousRenewalPeriodEnd *int64
	RenewalPeriodEnd         *int64
	Attempts                 int
	Extra                    []string // carried input columns, aligned with the writer's extra names
}

// Columns are the report's fixed columns, in order; carried columns follow them.
var Columns = []string{
	"line", "membership_id", "action", "days", "status", "http_status", "error",
	"previous_expires_at", "expires_at", "previous_renewal_period_end", "renewal_period_end", "attempts",
}

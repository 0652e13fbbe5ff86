package journal

import (
	"bulk/internal/outcome"
	"errors"
	"fmt"
)

// Record types.
const (
	TypeRun     = "run"
	TypeIntent  = "intent"
	TypeOutcome = "outcome"
)

// Record is one record of the journal, as Append takes it and Lookup, Each
// and OpenTail return it. On disk a record leaves out what its place in
// the file implies (see Journal format in the package documentation);
// reading it back fills that in, so a caller gets the Record it appended.
type Record struct {
	Type string // "run", "intent" or "outcome"
	At   int64  // Unix milliseconds
	Run  string // run id

	// run records
	File    string
	SHA256  string // SHA-256 of the input file (of the report, in a run's closing record)
	PID     int
	API     string // the API the run spoke: "current" or "v2" (older journals: none, meaning v2)
	Version string // its Api-Version-Date, for the Current API

	// intent and outcome records
	Action string         // "add_free_days" | "update_metadata"
	ID     string         // membership id
	Line   int            // input line of the row in the run that wrote it
	Input  string         // SHA-256 of that run's input file
	Days   int            // free days requested
	Key    string         // Idempotency-Key sent, where the caller records it
	Status outcome.Status // outcome: applied, failed, unknown or not_applied; a run record: complete
	HTTP   int            // HTTP status of the last response, if any
	Err    string         // error text of a failed or unknown outcome
	// Before reports that the Prev* fields were read from the API, so that
	// nil in them means the membership had no such date.
	Before    bool
	PrevStart *int64 // the period's start before the change, Unix seconds
	PrevEnd   *int64 // the date free days move, before the change
	Start     *int64 // the same two after it
	End       *int64
	Attempts  int
	MStatus   string // the membership's status as last read or returned
	Warn      string // what the operator should know although the row did not fail
}

var errShape = errors.New("not a journal record")

// checkShape rejects records the journal never writes.
func checkShape(typ string, hasAction, hasID bool) error {
	switch typ {
	case TypeRun:
		return nil
	case TypeIntent, TypeOutcome:
		if !hasAction || !hasID {
			return fmt.Errorf("%w: %s record without action or id", errShape, typ)
		}
		return nil
	case "":
		return fmt.Errorf("%w: no record type", errShape)
	}
	return fmt.Errorf("%w: unknown record type %q", errShape, typ)
}

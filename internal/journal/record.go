package journal

import (
	"strconv"

	"bulk/internal/jsonstr"
)

// Record types.
const (
	TypeRun     = "run"
	TypeIntent  = "intent"
	TypeOutcome = "outcome"
)

// Outcome statuses.
const (
	StatusApplied    = "applied"
	StatusFailed     = "failed"
	StatusUnknown    = "unknown"
	StatusNotApplied = "not_applied"
)

// Record is one line of the journal. It is a flat JSON object: strings,
// integers, booleans and null only. The field order here is the order in
// which fields are written.
type Record struct {
	Type string `json:"t"`   // "run", "intent" or "outcome"
	At   int64  `json:"at"`  // Unix milliseconds
	Run  string `json:"run"` // run id

	// run records
	File    string `json:"file,omitempty"`
	SHA256  string `json:"sha256,omitempty"` // SHA-256 of the input file
	PID     int    `json:"pid,omitempty"`
	API     string `json:"api,omitempty"`     // the API the run spoke: "current" or "v2" (older journals: none, meaning v2)
	Version string `json:"version,omitempty"` // its Api-Version-Date, for the Current API

	// intent and outcome records
	Action  string `json:"action,omitempty"`  // "add_free_days" | "update_metadata"
	ID      string `json:"id,omitempty"`      // membership id
	Line    int    `json:"line,omitempty"`    // input line of the row in the run that wrote it
	Input   string `json:"input,omitempty"`   // SHA-256 of that run's input file
	Days    int    `json:"days,omitempty"`    // free days requested
	Payload string `json:"payload,omitempty"` // SHA-256 of the request body
	Key     string `json:"key,omitempty"`     // Idempotency-Key sent
	Status  string `json:"status,omitempty"`  // outcome: "applied" | "failed" | "unknown" | "not_applied"
	HTTP    int    `json:"http,omitempty"`    // HTTP status of the last response, if any
	Err     string `json:"err,omitempty"`     // error text of a failed or unknown outcome
	// Before reports that the Prev* fields were read from the API, so that
	// nil in them means the membership had no such date.
	Before    bool   `json:"before,omitempty"`
	PrevStart *int64 `json:"prev_start"` // the period's start before the change, Unix seconds
	PrevEnd   *int64 `json:"prev_end"`   // the date free days move, before the change
	Start     *int64 `json:"start"`      // the same two after it
	End       *int64 `json:"end"`
	Attempts  int    `json:"attempts,omitempty"`
	MStatus   string `json:"mstatus,omitempty"` // the membership's status as last read or returned
	Warn      string `json:"warn,omitempty"`    // what the operator should know although the row did not fail
}

// appendRecord appends r as one JSON object followed by a newline. The bytes
// are those encoding/json would produce for r, except that a run record
// leaves out its nil date fields.
func appendRecord(b []byte, r *Record) []byte {
	b = append(b, `{"t":`...)
	b = jsonstr.Append(b, r.Type)
	b = append(b, `,"at":`...)
	b = strconv.AppendInt(b, r.At, 10)
	b = append(b, `,"run":`...)
	b = jsonstr.Append(b, r.Run)
	b = appendOptString(b, `,"file":`, r.File)
	b = appendOptString(b, `,"sha256":`, r.SHA256)
	b = appendOptInt(b, `,"pid":`, r.PID)
	b = appendOptString(b, `,"api":`, r.API)
	b = appendOptString(b, `,"version":`, r.Version)
	b = appendOptString(b, `,"action":`, r.Action)
	b = appendOptString(b, `,"id":`, r.ID)
	b = appendOptInt(b, `,"line":`, r.Line)
	b = appendOptString(b, `,"input":`, r.Input)
	b = appendOptInt(b, `,"days":`, r.Days)
	b = appendOptString(b, `,"payload":`, r.Payload)
	b = appendOptString(b, `,"key":`, r.Key)
	b = appendOptString(b, `,"status":`, r.Status)
	b = appendOptInt(b, `,"http":`, r.HTTP)
	b = appendOptString(b, `,"err":`, r.Err)
	if r.Before {
		b = append(b, `,"before":true`...)
	}
	nulls := r.Type != TypeRun
	b = appendNullable(b, `,"prev_start":`, r.PrevStart, nulls)
	b = appendNullable(b, `,"prev_end":`, r.PrevEnd, nulls)
	b = appendNullable(b, `,"start":`, r.Start, nulls)
	b = appendNullable(b, `,"end":`, r.End, nulls)
	b = appendOptInt(b, `,"attempts":`, r.Attempts)
	b = appendOptString(b, `,"mstatus":`, r.MStatus)
	b = appendOptString(b, `,"warn":`, r.Warn)
	return append(b, "}\n"...)
}

func appendOptString(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return jsonstr.Append(append(b, key...), s)
}

func appendOptInt(b []byte, key string, n int) []byte {
	if n == 0 {
		return b
	}
	return strconv.AppendInt(append(b, key...), int64(n), 10)
}

func appendNullable(b []byte, key string, p *int64, writeNull bool) []byte {
	switch {
	case p != nil:
		return strconv.AppendInt(append(b, key...), *p, 10)
	case writeNull:
		return append(append(b, key...), "null"...)
	}
	return b
}

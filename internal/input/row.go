package input

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strconv"
)

// Action is the membership operation a row asks for.
type Action string

const (
	AddFreeDays    Action = "add_free_days"
	UpdateMetadata Action = "update_metadata"
)

// Row is one validated input row.
type Row struct {
	Line         int    // line of the input file where the row starts (1-based; the header is line 1 in CSV)
	MembershipID string // matches ^mem_[A-Za-z0-9]+$, at most 64 characters
	Action       Action
	Days         int             // AddFreeDays: 1..1095
	Metadata     json.RawMessage // UpdateMetadata: the object, compacted (key order as written)
	Extra        []string        // carried columns, aligned with the Scan result's Extra names
}

// PayloadHash identifies what the row sends: the SHA-256 (hex) of the
// request body the client will send for it.
func (r Row) PayloadHash() string {
	sum := sha256.Sum256(r.Body())
	return hex.EncodeToString(sum[:])
}

// Body is the JSON request body for the row's API call. Metadata is
// already compact JSON, checked when the row was read.
func (r Row) Body() []byte {
	if r.Action == AddFreeDays {
		b := strconv.AppendInt([]byte(`{"days":`), int64(r.Days), 10)
		return append(b, '}')
	}
	b := make([]byte, 0, len(r.Metadata)+len(`{"metadata":}`))
	b = append(b, `{"metadata":`...)
	b = append(b, r.Metadata...)
	return append(b, '}')
}

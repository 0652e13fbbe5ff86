package journal

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
)

// ledgerLine is a line of the ledger: an extension, or with Input set, an
// input a campaign ran.
//
//	{"id":"mem_1","c":"nov","d":7,"at":1767225600000}
//	{"input":"<SHA-256>","c":"nov","at":1767225600000}
type ledgerLine struct {
	ID    string `json:"id,omitempty"`
	Input string `json:"input,omitempty"`
	C     string `json:"c"`
	D     int64  `json:"d,omitempty"`
	At    int64  `json:"at"` // Unix milliseconds
}

// appendTo appends r as one line.
func (r *ledgerLine) appendTo(b []byte) []byte {
	line, err := json.Marshal(r) // cannot fail: strings and integers
	if err != nil {
		panic(err)
	}
	return append(append(b, line...), '\n')
}

var errLedgerShape = errors.New("not a ledger record")

// parseLedgerLine decodes line (without its newline) and checks it.
func parseLedgerLine(line []byte) (ledgerLine, error) {
	r := ledgerLine{At: noTime}
	if err := json.Unmarshal(line, &r); err != nil {
		return ledgerLine{}, err
	}
	switch {
	case (r.ID == "") == (r.Input == ""):
		return ledgerLine{}, fmt.Errorf("%w: it needs one of id and input", errLedgerShape)
	case r.At == noTime:
		return ledgerLine{}, fmt.Errorf("%w: no time", errLedgerShape)
	case r.ID != "" && (r.D < 1 || r.D > math.MaxInt32):
		return ledgerLine{}, fmt.Errorf("%w: %d days", errLedgerShape, r.D)
	case r.Input != "" && r.D != 0:
		return ledgerLine{}, fmt.Errorf("%w: days belong to extensions only", errLedgerShape)
	}
	return r, CheckCampaign(r.C)
}

// noTime marks a line without "at": no ledger is that old.
const noTime = math.MinInt64

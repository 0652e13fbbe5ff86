package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// refDecodeMembership is the encoding/json decoder decodeMembership stands
// in for, kept as the reference it must agree with.
func refDecodeMembership(body []byte) (*Membership, error) {
	// Declared here so that its name in type errors is wireMembership too.
	type wireMembership struct {
		ID                 string          `json:"id"`
		Status             string          `json:"status"`
		Valid              bool            `json:"valid"`
		Email              string          `json:"email"`
		Metadata           json.RawMessage `json:"metadata"`
		ExpiresAt          refTimestamp    `json:"expires_at"`
		RenewalPeriodStart refTimestamp    `json:"renewal_period_start"`
		RenewalPeriodEnd   refTimestamp    `json:"renewal_period_end"`
		CreatedAt          refTimestamp    `json:"created_at"`
	}
	var w wireMembership
	if err := json.Unmarshal(body, &w); err != nil {
		return nil, fmt.Errorf("decode membership: %w", err)
	}
	if w.ID == "" {
		return nil, fmt.Errorf("decode membership: no id in answer")
	}
	m := &Membership{
		ID: w.ID, Status: w.Status, Valid: w.Valid, Email: w.Email,
		ExpiresAt: w.ExpiresAt.p, RenewalPeriodStart: w.RenewalPeriodStart.p,
		RenewalPeriodEnd: w.RenewalPeriodEnd.p, CreatedAt: w.CreatedAt.p,
	}
	if len(w.Metadata) > 0 && !bytes.Equal(w.Metadata, []byte("null")) {
		m.Metadata = w.Metadata
	}
	return m, nil
}

type refTimestamp struct{ p *int64 }

func (t *refTimestamp) UnmarshalJSON(b []byte) error {
	if bytes.Equal(b, []byte("null")) {
		t.p = nil
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err == nil {
		if i, err := n.Int64(); err == nil {
			t.p = &i
			return nil
		}
		if f, err := n.Float64(); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			i := int64(f)
			t.p = &i
			return nil
		}
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("timestamp %s: not a number or string", b)
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		t.p = &i
		return nil
	}
	ts, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return fmt.Errorf("timestamp %q: %w", s, err)
	}
	i := ts.Unix()
	t.p = &i
	return nil
}

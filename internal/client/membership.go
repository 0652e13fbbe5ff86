package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// Membership is the part of a v2 membership object bulk reads. Timestamps
// are Unix seconds; nil means null.
type Membership struct {
	ID                 string
	Status             string
	Valid              bool
	Email              string
	Metadata           json.RawMessage // the object as the API sent it; nil when null
	ExpiresAt          *int64
	RenewalPeriodStart *int64
	RenewalPeriodEnd   *int64
	CreatedAt          *int64
	HTTPStatus         int // status of the answer it came in
}

// wireMembership is the object as it travels. Unknown fields are ignored.
type wireMembership struct {
	ID                 string          `json:"id"`
	Status             string          `json:"status"`
	Valid              bool            `json:"valid"`
	Email              string          `json:"email"`
	Metadata           json.RawMessage `json:"metadata"`
	ExpiresAt          timestamp       `json:"expires_at"`
	RenewalPeriodStart timestamp       `json:"renewal_period_start"`
	RenewalPeriodEnd   timestamp       `json:"renewal_period_end"`
	CreatedAt          timestamp       `json:"created_at"`
}

func decodeMembership(body []byte) (*Membership, error) {
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

// timestamp decodes the v2 integer seconds, and is lenient about what a
// newer API answers instead: a float with no fraction, a numeric string or
// an RFC 3339 string.
type timestamp struct{ p *int64 }

func (t *timestamp) UnmarshalJSON(b []byte) error {
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

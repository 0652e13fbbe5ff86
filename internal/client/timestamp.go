package client

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"time"
)

// timestamp is a point in time as either API sends it, in Unix seconds.
// The Current API sends ISO 8601 strings ("2026-01-01T12:00:00.000Z"), v2
// integer seconds; each is read leniently, since a timestamp that cannot be
// read fails the whole answer: any RFC 3339 string (with or without a
// fraction, which is dropped), an integer, a float without a fraction, or
// a numeric string. null is no time at all.
type timestamp struct {
	unix int64
	set  bool
}

func (t *timestamp) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*t = timestamp{}
		return nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		if v, ok := fromNumber(s); ok {
			*t = timestamp{unix: v, set: true}
			return nil
		}
		ts, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return fmt.Errorf("timestamp %q: not RFC 3339 or Unix seconds", s)
		}
		*t = timestamp{unix: ts.Unix(), set: true}
		return nil
	}
	if v, ok := fromNumber(string(b)); ok {
		*t = timestamp{unix: v, set: true}
		return nil
	}
	return fmt.Errorf("timestamp %s: not a string or a whole number", bytes.TrimSpace(b))
}

// fromNumber reads Unix seconds: an integer, or a float with no fraction
// small enough to be exact.
func fromNumber(s string) (int64, bool) {
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return i, true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int64(f), true
	}
	return 0, false
}

// ptr is t for a Membership: nil for null.
func (t timestamp) ptr() *int64 {
	if !t.set {
		return nil
	}
	v := t.unix
	return &v
}

// rawObject is metadata for a Membership: nil for null or absent.
func rawObject(raw json.RawMessage) json.RawMessage {
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	return raw
}

package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind says what a failed request means for the caller.
type Kind int

const (
	// NotSent: the request never left this machine (bad URL, connection
	// refused, DNS failure); sending it again cannot apply anything twice.
	NotSent Kind = iota + 1
	// Fatal: the key is wrong or lacks permission (401, 403); every further
	// request would fail the same way.
	Fatal
	// Permanent: the API refused this request (400, 404, 409, 422, other
	// 4xx); it was not applied and sending it again would not help.
	Permanent
	// RateLimited: 429; the request was refused and not applied.
	RateLimited
	// Unknown: the request may have been applied (5xx, timeout, connection
	// dropped after the request was written).
	Unknown
)

func (k Kind) String() string {
	switch k {
	case NotSent:
		return "not sent"
	case Fatal:
		return "fatal"
	case Permanent:
		return "refused"
	case RateLimited:
		return "rate limited"
	case Unknown:
		return "outcome unknown"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Error is every failure the client returns for a request.
type Error struct {
	Kind       Kind
	Status     int           // HTTP status; 0 when there was no answer
	Message    string        // the API's message, or a description of the failure
	RetryAfter time.Duration // from a Retry-After header; 0 when absent
	Err        error         // the transport error, if any
}

func (e *Error) Error() string {
	switch {
	case e.Status != 0 && e.Message != "":
		return fmt.Sprintf("%d: %s", e.Status, e.Message)
	case e.Status != 0:
		return strconv.Itoa(e.Status) + " " + http.StatusText(e.Status)
	}
	return e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// KindOf returns the Kind of err, or 0 when err is not from this package.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return 0
}

func kindForStatus(status int) Kind {
	switch {
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return Fatal
	case status == http.StatusTooManyRequests:
		return RateLimited
	case status >= 500:
		return Unknown
	}
	return Permanent
}

// maxMessage bounds how much of an unrecognised body ends up in a message.
const maxMessage = 200

// DecodeError turns an error answer into its message. It understands the
// documented shapes {"error":{"status":..,"message":..}} and
// {"error":{"code":..,"message":..}}, the 429 body {"message":..}, and falls
// back to the start of the raw body (HTML from a proxy, say).
func DecodeError(body []byte) string {
	var v struct {
		Error   json.RawMessage `json:"error"`
		Message string          `json:"message"`
	}
	if json.Unmarshal(body, &v) == nil {
		var inner struct {
			Message string `json:"message"`
		}
		if len(v.Error) > 0 && json.Unmarshal(v.Error, &inner) == nil && inner.Message != "" {
			return clean(inner.Message)
		}
		var s string
		if len(v.Error) > 0 && json.Unmarshal(v.Error, &s) == nil && s != "" {
			return clean(s)
		}
		if v.Message != "" {
			return clean(v.Message)
		}
	}
	return clean(string(bytes.TrimSpace(body)))
}

// clean makes a message fit for one report cell and one log line.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > maxMessage {
		r := []rune(s)
		s = string(r[:maxMessage]) + "..."
	}
	return s
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(h string, now time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return 0
	}
	if n, err := strconv.Atoi(h); err == nil {
		if n < 0 {
			return 0
		}
		return time.Duration(n) * time.Second
	}
	if t, err := http.ParseTime(h); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

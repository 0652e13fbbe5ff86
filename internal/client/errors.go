package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Kind says what a failed request means for the caller.
type Kind int

const (
	// NotSent: the request never left this machine (bad URL, connection
	// refused, DNS failure, an ID or body refused before sending); sending
	// it again cannot apply anything twice.
	NotSent Kind = iota + 1
	// Fatal: the key is wrong or lacks a scope (401, 403); every further
	// request would fail the same way.
	Fatal
	// Permanent: the API refused this request (400, 404, 409 other than
	// idempotency_request_in_progress, 422, other 4xx, a redirect, which
	// is never followed); it was not applied and sending it again would
	// not help.
	Permanent
	// RateLimited: 429; the request was refused and not applied.
	RateLimited
	// Unknown: the request may have been applied (5xx, timeout, connection
	// dropped after the request was written, an answer that cannot be
	// read, a 409 saying the first request with this Idempotency-Key is
	// still running).
	Unknown
	// BadVersion: the Current API refused the Api-Version-Date. Every
	// request would be refused the same way; Message keeps the API's text,
	// which lists the versions it supports.
	BadVersion
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
	case BadVersion:
		return "unsupported API version"
	}
	return "kind(" + strconv.Itoa(int(k)) + ")"
}

// Error codes of the Current API that bulk acts on.
const (
	// CodeInProgress: a request with the same Idempotency-Key is still
	// running (409); its outcome is not known yet.
	CodeInProgress = "idempotency_request_in_progress"
	// CodeKeyMismatch: the Idempotency-Key was first used with another
	// request (400).
	CodeKeyMismatch = "idempotency_key_mismatch"
)

// Error is every failure the client returns for a request.
type Error struct {
	Kind       Kind
	Status     int           // HTTP status; 0 when there was no answer
	Type       string        // the API's error.type (v2: error.status when a string); "" when none
	Code       string        // the API's error.code when a string, e.g. idempotency_key_mismatch
	Message    string        // the API's message, or a description of the failure; never the key
	RetryAfter time.Duration // 429: the wait the answer states; 0 when it states none
	Err        error         // the transport or decoding error, if any
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

const (
	// maxMessage bounds how much of an answer ends up in a message.
	maxMessage = 200
	// maxVersionMessage is longer: a refused version ends the run, and the
	// API's text lists every version it supports.
	maxVersionMessage = 1000
)

// apiError turns an answer that is not 2xx into an *Error for op.
func (c *conn) apiError(op Op, resp *http.Response, body []byte) *Error {
	d := decodeError(body)
	status := resp.StatusCode
	e := &Error{Kind: kindForStatus(status), Status: status, Type: c.text(d.Type, 80), Code: c.text(d.Code, 80)}
	msg := c.text(d.Message, maxMessage)
	switch {
	case status == http.StatusTooManyRequests:
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), c.now())
		if e.RetryAfter == 0 {
			e.RetryAfter = waitInMessage(d.Message)
		}
	case status == http.StatusForbidden:
		msg = join(c.forbidden(op), msg)
	case status == http.StatusConflict && d.Code == CodeInProgress:
		e.Kind = Unknown
		msg = join("a request with this Idempotency-Key is still running, or ended with an unknown outcome", msg)
	case d.Code == CodeKeyMismatch:
		e.Kind = Permanent
		msg = join("this Idempotency-Key was already used with a different request (another API version, path or days)", msg)
	case c.version != "" && refusesVersion(status, d):
		e.Kind = BadVersion
		msg = join("the API does not accept Api-Version-Date "+c.version, c.text(d.Message, maxVersionMessage))
	case status/100 == 3:
		msg = join("redirected to "+c.text(resp.Header.Get("Location"), maxMessage)+"; redirects are not followed", msg)
	}
	e.Message = msg
	return e
}

// forbidden says what a 403 to op means.
func (c *conn) forbidden(op Op) string {
	scope, what := "member:manage", "extend memberships"
	switch op {
	case OpRead:
		scope, what = "member:basic:read", "read memberships"
	case OpList:
		scope, what = "member:basic:read", "list memberships"
	case OpUpdate:
		what = "update membership metadata"
	}
	if !c.scopes { // v2 names no scopes
		return "the API key lacks the permission to " + what
	}
	return fmt.Sprintf("the API key lacks the %s scope (needed to %s)", scope, what)
}

// refusesVersion reports whether an answer refuses the Api-Version-Date.
// Whop documents only that an unknown date answers 400 listing the
// supported versions, not the body's exact shape, so this errs on the side
// of recognising it: a code or type that mentions "version" (say,
// unsupported_api_version), or a message that mentions Api-Version-Date or
// the API version. An idempotency_key_mismatch, which may mention the
// version too, is decided before this is asked.
func refusesVersion(status int, d errorDetail) bool {
	if status != http.StatusBadRequest && status != http.StatusUnprocessableEntity {
		return false
	}
	if strings.Contains(strings.ToLower(d.Code+" "+d.Type), "version") {
		return true
	}
	m := strings.ToLower(d.Message)
	for _, s := range []string{"api-version-date", "api version", "api_version", "version date"} {
		if strings.Contains(m, s) {
			return true
		}
	}
	return false
}

// join puts what the client knows before what the API said.
func join(ours, theirs string) string {
	if theirs == "" {
		return ours
	}
	return ours + ": " + theirs
}

// errorDetail is what an error answer says, as sent (not yet cleaned).
type errorDetail struct {
	Type, Code, Message string
}

// decodeError reads an error answer. It understands the Current API's
// {"error":{"type","message","code"}}, v2's {"error":{"status"|"code",
// "message"}} and {"message":...}, and falls back to the raw body (HTML
// from a proxy, say). Fields of an unexpected type are passed over.
func decodeError(body []byte) errorDetail {
	var v struct {
		Error   json.RawMessage `json:"error"`
		Message json.RawMessage `json:"message"`
	}
	if json.Unmarshal(body, &v) != nil {
		return errorDetail{Message: string(bytes.TrimSpace(body))}
	}
	var inner struct {
		Type, Code, Status, Message json.RawMessage
	}
	var d errorDetail
	if json.Unmarshal(v.Error, &inner) == nil {
		d = errorDetail{Type: str(inner.Type), Code: str(inner.Code), Message: str(inner.Message)}
		if d.Type == "" {
			d.Type = str(inner.Status)
		}
	} else {
		d.Message = str(v.Error) // {"error":"text"}
	}
	if d.Message == "" {
		d.Message = str(v.Message)
	}
	if d.Message == "" && d.Type == "" && d.Code == "" {
		d.Message = string(bytes.TrimSpace(body))
	}
	return d
}

// str is raw's value when it is a JSON string, else "".
func str(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return ""
	}
	return s
}

// clean makes a message fit for one report cell and one log line.
func clean(s string, max int) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > max {
		r := []rune(s)
		s = string(r[:max]) + "..."
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

// waitRE finds the wait in the Current API's 429 message, "Try again in 12
// seconds.".
var waitRE = regexp.MustCompile(`(?i)(?:try again|retry) (?:in|after) (\d{1,6}(?:\.\d{1,3})?) ?(seconds?|secs?|s|minutes?|mins?)\b`)

// waitInMessage is the wait a 429 message states, or 0.
func waitInMessage(msg string) time.Duration {
	m := waitRE.FindStringSubmatch(msg)
	if m == nil {
		return 0
	}
	n, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0
	}
	unit := time.Second
	if strings.HasPrefix(strings.ToLower(m[2]), "m") {
		unit = time.Minute
	}
	return time.Duration(n * float64(unit))
}

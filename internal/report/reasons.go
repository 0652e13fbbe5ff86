package report

import (
	"bulk/internal/outcome"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
)

// Reason is a group of rows that went wrong alike: the same status
// (failed, unknown, or in a plan would_fail), the same HTTP status and the
// same class of error message.
type Reason struct {
	Status     outcome.Status `json:"status"`
	HTTPStatus int            `json:"http_status,omitempty"` // 0: no answer
	Class      string         `json:"class"`
	Count      int            `json:"count"`
	Examples   []Example      `json:"examples"` // the first rows of the reason, in the order written
}

// Example is one row of a reason, with its error text in full.
type Example struct {
	Line         int    `json:"line"`
	MembershipID string `json:"membership_id"`
	Error        string `json:"error"`
}

const (
	maxExamples = 3
	// maxReasons bounds the reasons kept: once reached, a row whose class
	// is new is counted under "other" with its status and HTTP status, so
	// that a million different messages cannot fill the memory.
	maxReasons = 50
)

// Label is how the reason reads to a person: "404 no such membership",
// "unknown: connection reset", "would fail: 404 no such membership".
func (r Reason) Label() string {
	s := r.Class
	if r.HTTPStatus != 0 {
		s = fmt.Sprintf("%d %s", r.HTTPStatus, s)
	}
	switch r.Status {
	case "unknown":
		s = "unknown: " + s
	case "would_fail":
		s = "would fail: " + s
	}
	return s
}

// String is the reason's line in the final text:
// "404 no such membership: 12 rows (lines 3, 7, 9)".
func (r Reason) String() string {
	rows := "rows"
	if r.Count == 1 {
		rows = "row"
	}
	lines := make([]string, len(r.Examples))
	for i, e := range r.Examples {
		lines[i] = fmt.Sprint(e.Line)
	}
	what := "line"
	if len(lines) > 1 {
		what = "lines"
	}
	more := ""
	if r.Count > len(lines) {
		more = ", …"
	}
	return fmt.Sprintf("%s: %d %s (%s %s%s)", r.Label(), r.Count, rows, what, strings.Join(lines, ", "), more)
}

// ReasonLines is the final text about reasons: one line per reason, in
// the order given (Reasons.List: most rows first).
func ReasonLines(rs []Reason) []string {
	lines := make([]string, len(rs))
	for i, r := range rs {
		lines[i] = r.String()
	}
	return lines
}

// Reasons counts failed and unknown rows by reason as they are written. It
// is safe for concurrent use: a progress line may read it while rows are
// added.
type Reasons struct {
	mu     sync.Mutex
	byKey  map[reasonKey]*Reason
	others int // reasons counted as "other" (see maxReasons)
}

type reasonKey struct {
	status outcome.Status
	http   int
	class  string
}

// NewReasons returns an empty count.
func NewReasons() *Reasons {
	return &Reasons{byKey: map[reasonKey]*Reason{}}
}

// Add counts r under its reason and returns that reason as it now stands,
// and whether r is its first row. A row that did not go wrong (applied,
// skipped, pending and the like) is not counted: Add returns false and a
// zero Reason.
func (rs *Reasons) Add(r Row) (Reason, bool) {
	if !r.Status.Wrong() {
		return Reason{}, false
	}
	k := reasonKey{r.Status, r.HTTPStatus, classify(r.HTTPStatus, r.Error)}
	rs.mu.Lock()
	defer rs.mu.Unlock()
	reason, ok := rs.byKey[k]
	if !ok && len(rs.byKey)-rs.others >= maxReasons {
		k.class = "other"
		reason, ok = rs.byKey[k]
		if !ok {
			rs.others++
		}
	}
	if !ok {
		reason = &Reason{Status: k.status, HTTPStatus: k.http, Class: k.class}
		rs.byKey[k] = reason
	}
	reason.Count++
	if len(reason.Examples) < maxExamples {
		reason.Examples = append(reason.Examples, Example{Line: r.Line, MembershipID: r.MembershipID, Error: r.Error})
	}
	return reason.clone(), reason.Count == 1
}

// List is every reason counted so far, most rows first (then by label).
func (rs *Reasons) List() []Reason {
	rs.mu.Lock()
	list := make([]Reason, 0, len(rs.byKey))
	for _, r := range rs.byKey {
		list = append(list, r.clone())
	}
	rs.mu.Unlock()
	slices.SortFunc(list, func(a, b Reason) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Label(), b.Label())
	})
	return list
}

func (r *Reason) clone() Reason {
	c := *r
	c.Examples = slices.Clone(r.Examples)
	return c
}

// A row's class is the first entry of knownClasses whose text its error
// message contains (ignoring case); failing that, the message itself with
// what varies from row to row normalised away (see normalise); and for a
// row with no message, the name of its HTTP status.
var knownClasses = []struct{ match, class string }{
	{"membership not found", "no such membership"},
	{"no billing period or expiration", "lifetime membership (nothing to extend)"},
	{"changed since the plan", "changed since the plan"},
	{"already used with a different request", "Idempotency-Key reused for another request"},
	{"still running", "earlier request still in progress"},
	{"in progress", "earlier request still in progress"},
	{"an earlier request's outcome is unknown", "earlier request in doubt"},
	{"a read shows no change either", "answer contradicted; settle by hand"},
	{"check the membership by hand", "settle by hand"},
	{"lacks the", "API key lacks a permission"},
	{"rate limit", "rate limited"},
	{"too many requests", "rate limited"},
	{"connection reset", "connection reset"},
	{"connection refused", "connection refused"},
	{"broken pipe", "connection broken"},
	{"timed out", "timed out"},
	{"timeout", "timed out"},
	{"deadline exceeded", "timed out"},
	{"answer cut off", "answer cut off"},
	{"eof", "connection closed"},
	{"journal", "journal error"},
}

// classify is the class of a row's error message (see knownClasses).
func classify(status int, msg string) string {
	lower := strings.ToLower(msg)
	for _, k := range knownClasses {
		if strings.Contains(lower, k.match) {
			return k.class
		}
	}
	if c := normalise(lower); c != "" {
		return c
	}
	if status == http.StatusTooManyRequests {
		return "rate limited"
	}
	if t := http.StatusText(status); t != "" {
		return strings.ToLower(t)
	}
	return "no message"
}

var (
	quoted  = regexp.MustCompile("\"[^\"]*\"|`[^`]*`")
	idLike  = regexp.MustCompile(`\bmem_[a-z0-9]+`)
	numbers = regexp.MustCompile(`[0-9]+([.:][0-9]+)*`)
	spaces  = regexp.MustCompile(`\s+`)
)

// maxClass bounds a class made from a message, in runes.
const maxClass = 80

// normalise makes a message (lower case) into a class: its first clause
// (up to "; "), with quoted values written "…", membership ids "mem_…"
// and numbers (addresses, ports, dates) "N", white space collapsed, and
// cut to maxClass runes.
func normalise(msg string) string {
	msg, _, _ = strings.Cut(msg, "; ")
	msg = quoted.ReplaceAllString(msg, `"…"`)
	msg = idLike.ReplaceAllString(msg, "mem_…")
	msg = numbers.ReplaceAllString(msg, "N")
	msg = strings.TrimSpace(spaces.ReplaceAllString(msg, " "))
	if r := []rune(msg); len(r) > maxClass {
		msg = string(r[:maxClass-1]) + "…"
	}
	return msg
}

package report

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// PagePath is the campaign page beside a report: the report path without
// its extension plus ".html" (x.report.csv gives x.report.html).
func PagePath(report string) string {
	return trimExt(report) + ".html"
}

// maxAttention bounds the rows the page lists as needing a person; the
// report holds them all.
const maxAttention = 200

// Page gathers, from the rows as they are written, what the campaign page
// shows besides the summary: how many new period ends fall in each ISO
// week, and the first rows that need a person (unknown, then failed),
// without keeping every row. It is not safe for concurrent use.
type Page struct {
	weeks             map[int64]int // rows by the Monday (Unix seconds) of their new period end's week
	unknown           []Row
	failed            []Row
	nUnknown, nFailed int
}

// NewPage returns an empty page.
func NewPage() *Page {
	return &Page{weeks: map[int64]int{}}
}

// Add counts r.
func (p *Page) Add(r Row) {
	switch r.Status {
	case "unknown":
		p.nUnknown++
		p.unknown = keep(p.unknown, r)
	case "failed", "would_fail":
		p.nFailed++
		p.failed = keep(p.failed, r)
	case "applied", "would_apply":
		if r.Action == "add_free_days" && r.PeriodEnd != nil {
			p.weeks[monday(*r.PeriodEnd)]++
		}
	}
}

// keep adds r to rows unless they are at maxAttention, without what the
// page does not show.
func keep(rows []Row, r Row) []Row {
	if len(rows) == maxAttention {
		return rows
	}
	r.Extra, r.Metadata = nil, nil
	return append(rows, r)
}

// monday is the start (00:00 UTC) of the ISO week holding sec.
func monday(sec int64) int64 {
	t := time.Unix(sec, 0).UTC()
	back := (int(t.Weekday()) + 6) % 7 // days since Monday
	d := time.Date(t.Year(), t.Month(), t.Day()-back, 0, 0, 0, 0, time.UTC)
	return d.Unix()
}

// PageFiles names the files the page points the reader to, by base name;
// an empty name is left out.
type PageFiles struct {
	Report string // the report, which lists every row
	Retry  string // the retry file, when there is one
	// RetryCommand is the command that sends the retry file's rows
	// again, as the reader types it.
	RetryCommand string
}

//go:embed page.html.tmpl
var pageSource string

var pageTemplate = template.Must(template.New("page").Funcs(template.FuncMap{
	"num":     Thousands,
	"chartOf": chartOf,
}).Parse(pageSource))

// namedChart is a chart with the id and title its SVG carries.
type namedChart struct {
	ID, Title string
	Chart     chart
}

func chartOf(id, title string, c chart) namedChart { return namedChart{id, title, c} }

// Thousands is a count (int or int64) in decimal with commas between
// thousands: 1,000,000.
func Thousands(n any) string {
	var s string
	switch n := n.(type) {
	case int:
		s = strconv.Itoa(n)
	case int64:
		s = strconv.FormatInt(n, 10)
	default:
		return fmt.Sprint(n)
	}
	sign := ""
	if strings.HasPrefix(s, "-") {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s
}

// Write renders the page for summary s and writes it to path, atomically
// and with mode 0600 (see WriteFileAtomic).
func (p *Page) Write(path string, s Summary, files PageFiles) error {
	var b bytes.Buffer
	if err := pageTemplate.Execute(&b, p.view(s, files)); err != nil {
		return fmt.Errorf("render the campaign page: %w", err)
	}
	return WriteFileAtomic(path, b.Bytes(), 0o600)
}

// pageView is what the template shows, computed.
type pageView struct {
	Summary   Summary
	Plan      bool
	API       string
	Where     string
	Started   string
	Ended     string
	Duration  string
	Totals    []figure
	Outcomes  chart
	Weeks     chart
	Attention []Row // unknown rows first, then failed
	More      int   // rows needing a person that the list leaves out
	Unknown   int   // unknown rows, listed or not
	Failed    int   // failed rows, listed or not
	Files     PageFiles
}

// figure is one total.
type figure struct {
	Label string
	Value int64
}

func (p *Page) view(s Summary, files PageFiles) pageView {
	v := pageView{
		Summary: s, Plan: s.Mode == "plan" || s.Mode == "plan-offline",
		API: apiText(s), Where: whereText(s),
		Started: dateText(s.Started), Ended: dateText(s.Ended),
		Duration: time.Duration(s.DurationSeconds * float64(time.Second)).Round(time.Second).String(),
		Unknown:  p.nUnknown, Failed: p.nFailed,
		Files: PageFiles{Report: baseName(files.Report), Retry: baseName(files.Retry), RetryCommand: files.RetryCommand},
	}
	statuses := outcomeOrder(s)
	v.Totals = append(v.Totals, figure{"rows", int64(s.Rows)})
	for _, st := range statuses {
		v.Totals = append(v.Totals, figure{string(st), int64(s.Counts[st])})
	}
	days := "free days granted"
	if v.Plan {
		days = "free days to grant"
	}
	v.Totals = append(v.Totals, figure{days, s.DaysGranted}, figure{"memberships touched", int64(s.MembershipsTouched)})
	v.Outcomes = outcomeChart(s, statuses)
	v.Weeks = p.weekChart()
	v.Attention = append(slices.Clip(p.unknown), p.failed...)
	if len(v.Attention) > maxAttention {
		v.Attention = v.Attention[:maxAttention]
	}
	v.More = p.nUnknown + p.nFailed - len(v.Attention)
	return v
}

// apiText names the API of s.
func apiText(s Summary) string {
	if s.API == "v2" {
		return "Whop v2 API"
	}
	if s.APIVersion == "" {
		return "Whop Current API"
	}
	return "Whop Current API, version " + s.APIVersion
}

// whereText says whether s changed anything real.
func whereText(s Summary) string {
	switch {
	case s.Simulated:
		return "simulated: nothing real was changed"
	case s.Sandbox:
		return "sandbox: nothing real was changed"
	}
	return "production"
}

// dateText is t in UTC to the second, or "-" when not known.
func dateText(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	return t.UTC().Format("2006-01-02 15:04:05") + " UTC"
}

// baseName is the last element of path, or "" for "".
func baseName(path string) string {
	if path == "" {
		return ""
	}
	return filepath.Base(path)
}

package main

// Messages to people follow one set of rules, kept here where they are
// printed:
//   - errors are one line, "bulk: message": lowercase, no final period;
//   - where the fix is known, a second line "bulk: hint: ...";
//   - input problems are "FILE:LINE: message", one per line;
//   - on a terminal (and --log-format text), stderr is for a person: plain
//     "bulk: ..." lines, a short header before a run, the progress bar, and
//     one line per failure reason as it first appears. Otherwise (cron,
//     a pipe, --log-format json) it is log records through slog, carrying
//     the campaign and run id, with a progress record at most every 10
//     seconds;
//   - a line printed while the bar is shown clears the bar first, so that
//     the two never share a line;
//   - the human summary, and only it, goes to stdout;
//   - nothing ever prints the API key.

import (
	"bulk/internal/report"
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

type ui struct {
	w        io.Writer
	json     bool
	terminal bool
	human    bool // a person reads stderr: plain lines, no log records
	log      *slog.Logger
	id       string

	mu  sync.Mutex
	bar *progressbar.ProgressBar // on screen now, if any
}

func newUI(w io.Writer, format string, terminal bool, attrs []any) *ui {
	u := &ui{w: w, json: format == "json", terminal: terminal}
	u.human = terminal && !u.json
	var h slog.Handler
	switch {
	case u.json:
		h = slog.NewJSONHandler(w, nil)
	case u.human:
		h = humanHandler{u: u}
	default:
		h = slog.NewTextHandler(w, nil)
	}
	u.log = slog.New(h).With(attrs...)
	for i := 0; i+1 < len(attrs); i += 2 {
		if attrs[i] == "run" {
			u.id, _ = attrs[i+1].(string)
		}
	}
	return u
}

func (u *ui) runID() string {
	if u.id == "" {
		u.id = newRunID()
	}
	return u.id
}

func (u *ui) info(msg string, args ...any) { u.log.Info(msg, args...) }
func (u *ui) warn(msg string, args ...any) { u.log.Warn(msg, args...) }

// record logs what only a machine reading the log needs (a run started or
// ended, with its figures): a person sees the header and the summary.
func (u *ui) record(msg string, args ...any) {
	if !u.human {
		u.log.Info(msg, args...)
	}
}

// say prints a line for a person; a log record elsewhere.
func (u *ui) say(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if u.human {
		u.println("bulk: " + msg)
		return
	}
	u.log.Info(msg)
}

// println prints one line, clearing the bar first and drawing it again
// after, so that the line never lands on the bar's.
func (u *ui) println(line string) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.bar != nil {
		u.bar.Clear()
	}
	fmt.Fprintln(u.w, line)
	if u.bar != nil {
		u.bar.RenderBlank()
	}
}

// errorf prints "bulk: message" (a JSON log line with --log-format json).
func (u *ui) errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if u.json {
		u.log.Error(msg)
		return
	}
	u.println("bulk: " + msg)
}

func (u *ui) hint(msg string) {
	if u.json {
		u.log.Info("hint: " + msg)
		return
	}
	u.println("bulk: hint: " + msg)
}

// problem prints one input problem, "FILE:LINE: message".
func (u *ui) problem(s string) {
	if u.json {
		u.log.Error(s)
		return
	}
	u.println(s)
}

// humanHandler writes log records as a person reads them: "bulk: message
// (key value, ...)", warnings marked, without the campaign and run id that
// the header already gave.
type humanHandler struct {
	u     *ui
	attrs []slog.Attr
}

func (h humanHandler) Enabled(_ context.Context, l slog.Level) bool { return l >= slog.LevelInfo }

func (h humanHandler) Handle(_ context.Context, r slog.Record) error {
	var b strings.Builder
	b.WriteString("bulk: ")
	if r.Level >= slog.LevelWarn {
		b.WriteString("warning: ")
	}
	b.WriteString(r.Message)
	var parts []string
	add := func(a slog.Attr) bool {
		if a.Key != "campaign" && a.Key != "run" {
			parts = append(parts, a.Key+" "+a.Value.String())
		}
		return true
	}
	for _, a := range h.attrs {
		add(a)
	}
	r.Attrs(add)
	if len(parts) > 0 {
		b.WriteString(" (" + strings.Join(parts, ", ") + ")")
	}
	h.u.println(b.String())
	return nil
}

func (h humanHandler) WithAttrs(as []slog.Attr) slog.Handler {
	return humanHandler{u: h.u, attrs: append(append([]slog.Attr(nil), h.attrs...), as...)}
}

func (h humanHandler) WithGroup(string) slog.Handler { return h }

// progress shows how far a run is.
type progress struct {
	u       *ui
	label   string
	total   int
	done    int // rows this run settled
	earlier int // rows earlier runs had settled: not this run's work
	bar     *progressbar.ProgressBar
	mu      sync.Mutex
	last    time.Time
	every   time.Duration
	until   time.Time // paused after a 429 until then
	now     func() time.Time
}

func (u *ui) progress(total int, label string) *progress {
	p := &progress{u: u, label: label, total: total, last: time.Now(), every: 10 * time.Second, now: time.Now}
	if u.human {
		p.bar = progressbar.NewOptions(total,
			progressbar.OptionSetWriter(u.w),
			progressbar.OptionSetDescription(label),
			progressbar.OptionShowCount(),
			progressbar.OptionSetItsString("rows"),
			progressbar.OptionShowIts(),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
		u.mu.Lock()
		u.bar = p.bar
		u.mu.Unlock()
	}
	return p
}

// set records that done rows are settled.
func (p *progress) set(done int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done = done
	p.show()
}

// earlierRow records a row an earlier run settled: the bar's total shrinks
// by one instead of its count growing, so that its rate and time left are
// this run's.
func (p *progress) earlierRow() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.earlier++
	if p.bar != nil && p.total >= 0 {
		p.bar.ChangeMax(p.total - p.earlier)
	}
	p.show()
}

// row records a row this run settled.
func (p *progress) row() { p.set(p.done + 1) }

// show updates the bar, or writes a progress record every so often; p.mu
// is held.
func (p *progress) show() {
	now := p.now()
	left := p.until.Sub(now)
	if p.bar != nil {
		if left <= 0 && !p.until.IsZero() {
			p.until = time.Time{}
			p.bar.Describe(p.label)
		}
		p.u.mu.Lock()
		p.bar.Set(p.done)
		p.u.mu.Unlock()
		return
	}
	if now.Sub(p.last) < p.every {
		return
	}
	p.last = now
	args := []any{"done", p.done}
	if p.total >= 0 { // a listing knows no total in advance
		args = append(args, "total", p.total-p.earlier)
	}
	if p.earlier > 0 {
		args = append(args, "done_by_earlier_runs", p.earlier)
	}
	if left > 0 {
		args = append(args, "paused", pausedText(left))
	}
	p.u.info("progress", args...)
}

// paused shows that requests wait d after a 429: in the bar's description
// until the pause ends, or in the next progress lines.
func (p *progress) paused(d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	until := p.now().Add(d)
	if until.After(p.until) {
		p.until = until
	}
	if p.bar != nil {
		p.bar.Describe(p.label + " (" + pausedText(p.until.Sub(p.now())) + ")")
	}
}

// pausedText is "paused 1m0s: rate limited".
func pausedText(d time.Duration) string {
	return "paused " + d.Round(time.Second).String() + ": rate limited"
}

func (p *progress) finish() {
	if p.bar == nil {
		return
	}
	p.u.mu.Lock()
	defer p.u.mu.Unlock()
	p.bar.Finish()
	p.bar.Clear()
	p.u.bar = nil
}

// header tells a person, before the bar, what the run is about to do;
// known is how many rows the campaign's journal holds from earlier runs.
func (c *command) header(known int) {
	if !c.ui.human {
		return
	}
	o, s := c.o, c.scan
	c.ui.println(fmt.Sprintf("bulk: campaign %s: %s from %s", o.campaign, plural(s.Rows, "row"), o.file))
	c.ui.println("bulk: " + apiName(o.api, c.version(), o.simulate, o.sandbox))
	if known > 0 {
		c.ui.println(fmt.Sprintf("bulk: earlier runs of this campaign recorded %s; what they finished is not sent again, and the bar counts only this run's rows",
			plural(known, "row")))
	}
}

// plural is "1 row", "2 rows", "12,345 rows".
func plural(n int, word string) string { return report.Thousands(n) + " " + noun(n, word) }

// noun is word, or its plural unless n is 1.
func noun(n int, word string) string {
	if n != 1 {
		return word + "s"
	}
	return word
}

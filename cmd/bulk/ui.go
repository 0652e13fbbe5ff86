package main

// Messages to people follow one set of rules, kept here where they are
// printed:
//   - errors are one line, "bulk: message": lowercase, no final period;
//   - where the fix is known, a second line "bulk: hint: ...";
//   - input problems are "FILE:LINE: message", one per line, all of them;
//   - logs go through slog on stderr (text or JSON lines), and carry the
//     campaign and run id;
//   - the progress bar only on a terminal; otherwise a progress log line at
//     most every 10 seconds;
//   - the human summary, and only it, goes to stdout;
//   - nothing ever prints the API key.

import (
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
)

type ui struct {
	w        io.Writer
	json     bool
	terminal bool
	log      *slog.Logger
	id       string
}

func newUI(w io.Writer, format string, terminal bool, attrs []any) *ui {
	u := &ui{w: w, json: format == "json", terminal: terminal}
	var h slog.Handler
	if u.json {
		h = slog.NewJSONHandler(w, nil)
	} else {
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

// errorf prints "bulk: message" (a JSON log line with --log-format json).
func (u *ui) errorf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if u.json {
		u.log.Error(msg)
		return
	}
	fmt.Fprintf(u.w, "bulk: %s\n", msg)
}

func (u *ui) hint(msg string) {
	if u.json {
		u.log.Info("hint: " + msg)
		return
	}
	fmt.Fprintf(u.w, "bulk: hint: %s\n", msg)
}

// problem prints one input problem, "FILE:LINE: message".
func (u *ui) problem(s string) {
	if u.json {
		u.log.Error(s)
		return
	}
	fmt.Fprintln(u.w, s)
}

// progress shows how far a run is.
type progress struct {
	u     *ui
	label string
	total int
	bar   *progressbar.ProgressBar
	mu    sync.Mutex
	last  time.Time
	every time.Duration
	until time.Time // paused after a 429 until then
	now   func() time.Time
}

func (u *ui) progress(total int, label string) *progress {
	p := &progress{u: u, label: label, total: total, last: time.Now(), every: 10 * time.Second, now: time.Now}
	if u.terminal && !u.json {
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
	}
	return p
}

// set records that done rows are settled.
func (p *progress) set(done int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	left := p.until.Sub(now)
	if p.bar != nil {
		if left <= 0 && !p.until.IsZero() {
			p.until = time.Time{}
			p.bar.Describe(p.label)
		}
		p.bar.Set(done)
		return
	}
	if now.Sub(p.last) >= p.every {
		p.last = now
		if left > 0 {
			p.u.info("progress", "done", done, "total", p.total, "paused", pausedText(left))
			return
		}
		if p.total < 0 { // not known in advance: a listing
			p.u.info("progress", "done", done)
			return
		}
		p.u.info("progress", "done", done, "total", p.total)
	}
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
	if p.bar != nil {
		p.bar.Finish()
		fmt.Fprintln(p.u.w)
	}
}

package main

import (
	"bytes"
	"strings"
	"testing"
	"time"

	"bulk/internal/batch"
	"bulk/internal/whopsim"
)

// A 429 that pauses the run is said on stderr, with the wait, however
// long: a run does not just go quiet.
func TestRateLimitPauseIsLogged(t *testing.T) {
	c := newCLI(t, whopsim.Config{Limit: 2, Window: time.Second})
	in := c.file("a.csv", "membership_id,days\nmem_x1,7\nmem_x2,7\nmem_x3,7\nmem_x4,7\n")
	code, _, stderr := c.run("--concurrency", "1", in)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	for _, want := range []string{`msg="rate limited (429): pausing `, "wait=1s", "capped=false"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr)
		}
	}
}

// The pause shows in the progress output: the bar's description on a
// terminal until it ends, the progress line elsewhere; a capped pause
// says so in the log.
func TestPauseInProgress(t *testing.T) {
	tests := []struct {
		name     string
		terminal bool
		capped   bool
		want     []string
	}{
		{"line", false, false, []string{`level=WARN msg="rate limited (429): pausing extend requests" wait=1m0s capped=false`,
			`msg=progress done=1 total=10 paused="paused 1m0s: rate limited"`}},
		{"line, capped", false, true, []string{"capped=true", "bulk waits at most " + batch.MaxPause.String()}},
		{"bar", true, false, []string{"bulk: warning: rate limited (429): pausing extend requests (wait 1m0s"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var errb bytes.Buffer
			c := &command{o: &options{}, stderr: &errb, ui: newUI(&errb, "text", tt.terminal, nil)}
			prog := c.ui.progress(10, "applying")
			clk := time.Date(2026, 11, 21, 0, 0, 0, 0, time.UTC)
			prog.now = func() time.Time { return clk }
			prog.last = clk.Add(-time.Hour)
			c.onPause(prog)("extend", time.Minute, tt.capped)
			prog.set(1)
			if prog.bar != nil {
				if d := prog.bar.State().Description; !strings.Contains(d, "paused 1m0s: rate limited") {
					t.Errorf("bar description %q during the pause", d)
				}
				clk = clk.Add(2 * time.Minute)
				prog.set(2)
				if d := prog.bar.State().Description; d != "applying" {
					t.Errorf("bar description %q after the pause, want applying", d)
				}
			}
			for _, want := range tt.want {
				if !strings.Contains(errb.String(), want) {
					t.Errorf("stderr does not say %q:\n%s", want, errb.String())
				}
			}
		})
	}
}

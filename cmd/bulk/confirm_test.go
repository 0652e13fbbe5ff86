package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bulk/internal/batch"
	"bulk/internal/whopsim"
)

// runStdin runs bulk like cli.run, with stdin given and said to be a
// terminal or not.
func (c *cli) runStdin(stdin string, terminal bool, args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	full := append([]string{"--api", c.api, "--base-url", c.url, "--api-limit", "none", "--settle-delay", "20ms", "--quiet-period", "100ms"}, args...)
	e := env{
		getenv: func(k string) string {
			if k == "WHOP_API_KEY" {
				return c.key
			}
			return ""
		},
		stdinTerm: terminal,
		stdin:     strings.NewReader(stdin),
		tune:      func(o *batch.Options) { o.BaseBackoff = time.Millisecond },
	}
	code = run(context.Background(), full, e, &out, &errb)
	return code, out.String(), errb.String()
}

// confirmFile is 5 rows of free days (1+2+3+4+5 = 15 days) and 2 of
// metadata: 7 memberships.
func confirmFile(c *cli) string {
	var b strings.Builder
	b.WriteString("membership_id,days,metadata\n")
	for i := 1; i <= 5; i++ {
		fmt.Fprintf(&b, "mem_conf%d,%d,\n", i, i)
	}
	b.WriteString("mem_confm1,,\"{\"\"k\"\":\"\"v\"\"}\"\nmem_confm2,,\"{\"\"k\"\":\"\"v\"\"}\"\n")
	return c.file("conf.csv", b.String())
}

// changes counts the requests that could change a membership.
func changes(sim *whopsim.Server) (writes, reads int) {
	for _, r := range sim.Requests() {
		if r.Method == "GET" {
			reads++
		} else {
			writes++
		}
	}
	return writes, reads
}

func TestConfirmNoSendsNothing(t *testing.T) {
	for _, answer := range []string{"n\n", "\n", "no\n", "N\n", "yess\n", "y es\n", "nope, y\n", strings.Repeat("y", 1000) + "\n"} {
		t.Run(fmt.Sprintf("%.12q", answer), func(t *testing.T) {
			c := newCLI(t, whopsim.Config{})
			in := confirmFile(c)
			code, stdout, stderr := c.runStdin(answer, true, in)
			if code != exitOK {
				t.Fatalf("exit %d, want 0; stderr:\n%s", code, stderr)
			}
			writes, reads := changes(c.sim)
			if writes != 0 || reads != 1 {
				t.Errorf("the server saw %d writes and %d reads, want 0 and 1 (the business)", writes, reads)
			}
			m, _ := c.sim.Get("mem_conf1")
			want := []string{"Apply? [y/N] ", "business     Simulated account " + m.AccountID + " (" + m.AccountID + ")",
				"add free days (5 rows)", "set metadata, --metadata merge", "(2 rows)", "memberships  7\n", "free days    15 in all\n",
				"api          current, Api-Version-Date ", c.url, "bulk is about to change memberships:\n", "bulk: not confirmed (answer ", "nothing was changed\n"}
			for _, w := range want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
			if strings.Count(stderr, "nothing was changed") != 1 || stdout != "" {
				t.Errorf("want one line saying nothing was changed and no summary; stdout %q, stderr:\n%s", stdout, stderr)
			}
			if _, err := os.Stat(filepath.Join(c.dir, "conf.report.csv")); err == nil {
				t.Error("a report was written although nothing was confirmed")
			}
			// Declining leaves nothing behind that stops a later run.
			code, _, stderr = c.runStdin("y\n", true, in)
			if writes, _ := changes(c.sim); code != exitOK || writes != 7 {
				t.Errorf("then yes: exit %d, %d writes, want 0 and 7; stderr:\n%s", code, writes, stderr)
			}
		})
	}
}

func TestConfirmYesApplies(t *testing.T) {
	for _, answer := range []string{"y\n", "Y\n", "yes\n", " YeS \r\n", "y"} {
		t.Run(fmt.Sprintf("%q", answer), func(t *testing.T) {
			c := newCLI(t, whopsim.Config{})
			code, stdout, stderr := c.runStdin(answer, true, confirmFile(c))
			if code != exitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr)
			}
			if !strings.Contains(stderr, "Apply? [y/N] ") || strings.Contains(stderr, "nothing was changed") {
				t.Errorf("want the question and no refusal:\n%s", stderr)
			}
			if writes, reads := changes(c.sim); writes != 7 || reads != 1+7 || len(c.sim.Ledger()) != 7 {
				t.Errorf("%d writes, %d reads, %d applied, want 7, 1+7 (the business, then the engine's), 7", writes, reads, len(c.sim.Ledger()))
			}
			if !strings.Contains(stdout, "campaign: applied 7 of 7") {
				t.Errorf("summary:\n%s", stdout)
			}
		})
	}
}

// --yes, stdin not a terminal, and --simulate never ask: the stdin
// given, "n", would refuse if it were read.
func TestConfirmNotAsked(t *testing.T) {
	tests := []struct {
		name     string
		terminal bool
		args     []string
	}{
		{"--yes", true, []string{"--yes"}},
		{"stdin not a terminal", false, nil},
		{"--simulate", true, []string{"--simulate"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(t, whopsim.Config{})
			code, stdout, stderr := c.runStdin("n\n", tt.terminal, append(tt.args, confirmFile(c))...)
			if code != exitOK {
				t.Fatalf("exit %d; stderr:\n%s", code, stderr)
			}
			if strings.Contains(stderr, "Apply?") || strings.Contains(stderr, "nothing was changed") {
				t.Errorf("asked:\n%s", stderr)
			}
			if !strings.Contains(stdout, "campaign: applied 7 of 7") {
				t.Errorf("summary:\n%s", stdout)
			}
			writes, reads := changes(c.sim)
			switch {
			case tt.name == "--simulate" && writes+reads != 0:
				t.Errorf("a simulated run sent %d requests to the real API", writes+reads)
			case tt.name != "--simulate" && (writes != 7 || reads != 7):
				t.Errorf("%d writes and %d reads, want 7 and 7 (the engine's own: no read for the business when not asking)", writes, reads)
			}
		})
	}
}

func TestConfirmEOFIsNo(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	code, _, stderr := c.runStdin("", true, confirmFile(c))
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if writes, _ := changes(c.sim); writes != 0 {
		t.Errorf("%d writes after EOF", writes)
	}
	if !strings.Contains(stderr, "Apply? [y/N] \nbulk: not confirmed (no answer); nothing was changed\n") {
		t.Errorf("stderr:\n%s", stderr)
	}
}

func TestConfirmSandboxAndV2(t *testing.T) {
	t.Run("sandbox", func(t *testing.T) {
		c := newCLI(t, whopsim.Config{})
		code, _, stderr := c.runStdin("n\n", true, "--sandbox", confirmFile(c))
		if code != exitOK || !strings.Contains(stderr, "in the SANDBOX:") || !strings.Contains(stderr, "business     SANDBOX: Simulated account biz_") {
			t.Errorf("exit %d; stderr:\n%s", code, stderr)
		}
	})
	t.Run("v2", func(t *testing.T) {
		c := newCLI(t, whopsim.Config{API: "v2"})
		code, _, stderr := c.runStdin("n\n", true, confirmFile(c))
		if code != exitOK || !strings.Contains(stderr, "business     unknown (v2 has no account)") ||
			!strings.Contains(stderr, "api          v2, "+c.url+"\n") {
			t.Errorf("exit %d; stderr:\n%s", code, stderr)
		}
		if n := len(c.sim.Requests()); n != 0 {
			t.Errorf("%d requests on v2, want none", n)
		}
	})
	t.Run("replace", func(t *testing.T) {
		c := newCLI(t, whopsim.Config{})
		_, _, stderr := c.runStdin("n\n", true, "--metadata", "replace", confirmFile(c))
		if !strings.Contains(stderr, "set metadata, --metadata replace") {
			t.Errorf("stderr:\n%s", stderr)
		}
	})
}

// A refused key ends the run at the read, before the question.
func TestConfirmRefusedKey(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	c.key = "whop_wrong_key"
	code, _, stderr := c.runStdin("y\n", true, confirmFile(c))
	if code != exitStopped || strings.Contains(stderr, "Apply?") || !strings.Contains(stderr, "refused the key") {
		t.Errorf("exit %d, want %d; stderr:\n%s", code, exitStopped, stderr)
	}
	if writes, reads := changes(c.sim); writes != 0 || reads != 1 {
		t.Errorf("%d writes, %d reads, want 0 and 1", writes, reads)
	}
}

// Ctrl-C while the question waits ends the wait.
func TestReadAnswerCancelled(t *testing.T) {
	r, w := io.Pipe()
	defer w.Close() // ends the reading goroutine
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := readAnswer(ctx, r)
		done <- err
	}()
	select {
	case err := <-done:
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("err %v, want the context's", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("readAnswer did not return when its context ended")
	}
}

func TestPrintable(t *testing.T) {
	if got := printable("Acme\x1b[2J\r\nCo é"); got != "Acme?[2J??Co é" {
		t.Errorf("printable: %q", got)
	}
}

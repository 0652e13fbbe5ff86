package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bulk/internal/batch"
	"bulk/internal/report"
	"bulk/internal/whopsim"
)

// runIn runs bulk with a shared state directory given by BULK_STATE, as
// an operator's machine has one.
func (c *cli) runIn(state string, args ...string) (int, string, string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	e := env{
		getenv: func(k string) string {
			return map[string]string{"WHOP_API_KEY": c.key, "BULK_STATE": state}[k]
		},
		tune: func(o *batch.Options) { o.BaseBackoff = time.Millisecond },
	}
	full := append([]string{"--api", c.api, "--base-url", c.url, "--api-limit", "none", "--settle-delay", "20ms"}, args...)
	code := run(context.Background(), full, e, &out, &errb)
	return code, out.String(), errb.String()
}

func (c *cli) extends() int {
	n := 0
	for _, e := range c.sim.Ledger() {
		if e.Op == whopsim.OpAddFreeDays {
			n++
		}
	}
	return n
}

// Renaming the file, moving it to another folder, or cutting a retry file
// out of the report starts a new campaign, but the state directory's
// ledger knows which memberships got days: none is extended again, each
// is skipped naming the earlier campaign, unless --allow-repeat.
func TestRenamedMovedAndRetryFilesGrantNothingTwice(t *testing.T) {
	for _, api := range []string{"current", "v2"} {
		t.Run(api, func(t *testing.T) {
			c := newCLI(t, whopsim.Config{API: api})
			state := filepath.Join(c.dir, "state")
			rows := "membership_id,days\nmem_l1,7\nmem_l2,7\nmem_l3,7\n"
			first := c.file("comp300.csv", rows)
			if code, _, stderr := c.runIn(state, first); code != exitOK {
				t.Fatalf("first run: exit %d\n%s", code, stderr)
			}
			os.Mkdir(filepath.Join(c.dir, "other"), 0o755)
			for _, tt := range []struct {
				name, path, content string
				same                bool // the same campaign (same name, same state): its own journal knows
			}{
				{"renamed", "comp300-final.csv", rows, false},
				{"moved", filepath.Join("other", "comp300.csv"), rows, true},
				{"retry file", "retry.csv", "membership_id,days\nmem_l2,7\n", false},
			} {
				in := c.file(tt.path, tt.content)
				code, stdout, stderr := c.runIn(state, "--plan", in)
				if code != exitOK || !strings.Contains(stdout, "would_skip") ||
					!tt.same && !strings.Contains(stdout, "already got days from campaign comp300 on") {
					t.Errorf("%s: plan exit %d, want every row skipped, naming comp300:\n%s%s", tt.name, code, stdout, stderr)
				}
				code, _, stderr = c.runIn(state, in)
				report := readReport(t, strings.TrimSuffix(in, ".csv")+".report.csv")
				for _, r := range report {
					if !tt.same && (r["status"] != "skipped" || !strings.Contains(r["error"], "campaign comp300")) {
						t.Errorf("%s: line %s %s %q, want skipped naming comp300", tt.name, r["line"], r["status"], r["error"])
					}
				}
				if n := c.extends(); code != exitOK || n != 3 {
					t.Errorf("%s: exit %d, %d extends in all, want 0 and 3\n%s", tt.name, code, n, stderr)
				}
			}
			again := c.file("again.csv", "membership_id,days\nmem_l1,7\n")
			if code, _, stderr := c.runIn(state, "--allow-repeat", again); code != exitOK || c.extends() != 4 {
				t.Errorf("--allow-repeat: exit %d, %d extends, want 4\n%s", code, c.extends(), stderr)
			}
		})
	}
}

// A campaign half done under the old default, .bulk beside the file, is
// still found there: nothing it did is sent again.
func TestLegacyStateBesideTheFile(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	in := c.file("old.csv", "membership_id,days\nmem_o1,7\nmem_o2,7\n")
	if code, _, stderr := c.runIn("", "--state", filepath.Join(c.dir, ".bulk"), in); code != exitOK {
		t.Fatalf("first run: exit %d\n%s", code, stderr)
	}
	code, _, stderr := c.runIn(filepath.Join(c.dir, "new-state"), in)
	if code != exitOK || c.extends() != 2 || !strings.Contains(stderr, "beside the file") {
		t.Errorf("exit %d, %d extends, want 0 and 2, saying where the journal is\n%s", code, c.extends(), stderr)
	}
}

// Caps are checked before anything is sent, in plan and run alike.
func TestCaps(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	in := c.file("cap.csv", "membership_id,days,metadata\nmem_c1,7,\nmem_c2,30,\nmem_c3,,{}\n")
	for _, tt := range []struct {
		args []string
		want int
		msg  string
	}{
		{[]string{"--max-days-total", "36"}, exitInput, "would grant 37 free days in all, over --max-days-total 36"},
		{[]string{"--max-memberships", "2"}, exitInput, "would touch 3 memberships, over --max-memberships 2"},
		{[]string{"--plan", "--max-days-total", "36"}, exitInput, "over --max-days-total 36"},
		{[]string{"--plan", "--offline", "--max-memberships", "2"}, exitInput, "over --max-memberships 2"},
	} {
		code, _, stderr := c.run(append(tt.args, in)...)
		if code != tt.want || !strings.Contains(stderr, tt.msg) {
			t.Errorf("%v: exit %d, want %d saying %q:\n%s", tt.args, code, tt.want, tt.msg, stderr)
		}
	}
	if n := len(c.sim.Requests()); n != 0 {
		t.Errorf("%d requests sent over a cap", n)
	}
	if code, _, stderr := c.run("--max-days-total", "37", "--max-memberships", "3", in); code != exitOK {
		t.Errorf("at the caps: exit %d\n%s", code, stderr)
	}
}

// A saved plan is applied as rehearsed: rows whose membership changed
// since (period end or status) fail, the rest go on; another file, or an
// old plan, is refused with nothing sent.
func TestApplyPlan(t *testing.T) {
	for _, api := range []string{"current", "v2"} {
		t.Run(api, func(t *testing.T) {
			c := newCLI(t, whopsim.Config{API: api})
			var b strings.Builder
			b.WriteString("membership_id,days,metadata\n")
			for i := range 10 {
				fmt.Fprintf(&b, "mem_pl%d,7,\n", i)
			}
			b.WriteString("mem_plm,,\"{\"\"a\"\":\"\"b\"\"}\"\n")
			in := c.file("pl.csv", b.String())
			if code, _, stderr := c.run("--plan", in); code != exitOK {
				t.Fatalf("plan: exit %d\n%s", code, stderr)
			}
			plan := filepath.Join(c.dir, "pl.plan.csv")
			// Three memberships change after the plan read them.
			m, _ := c.sim.Get("mem_pl2")
			m.PeriodEnd = ptr(*m.PeriodEnd + 86400)
			c.sim.Put(m)
			m, _ = c.sim.Get("mem_pl5")
			m.Status = "canceled"
			c.sim.Put(m)
			m, _ = c.sim.Get("mem_plm")
			m.PeriodEnd = ptr(*m.PeriodEnd + 3*86400)
			c.sim.Put(m)

			other := c.file("other.csv", "membership_id,days\nmem_pl1,7\n")
			sent := len(c.sim.Requests())
			if code, _, stderr := c.run("--apply-plan", plan, other); code != exitInput || !strings.Contains(stderr, "is not the file the plan") {
				t.Errorf("another file: exit %d, want 2\n%s", code, stderr)
			}
			if n := len(c.sim.Requests()) - sent; n != 0 {
				t.Errorf("another file: %d requests sent", n)
			}
			code, _, stderr := c.run("--apply-plan", plan, in)
			if code != exitRows {
				t.Fatalf("apply: exit %d, want 1\n%s", code, stderr)
			}
			for _, r := range readReport(t, filepath.Join(c.dir, "pl.report.csv")) {
				changed := map[string]bool{"mem_pl2": true, "mem_pl5": true, "mem_plm": true}[r["membership_id"]]
				switch {
				case changed && (r["status"] != "failed" || !strings.Contains(r["error"], "changed since the plan")):
					t.Errorf("%s: %s %q, want failed, changed since the plan", r["membership_id"], r["status"], r["error"])
				case !changed && r["status"] != "applied":
					t.Errorf("%s: %s %q, want applied", r["membership_id"], r["status"], r["error"])
				}
			}
			for _, e := range c.sim.Ledger() {
				if e.ID == "mem_pl2" || e.ID == "mem_pl5" || e.ID == "mem_plm" {
					t.Errorf("%s was changed (%s) though it changed since the plan", e.ID, e.Op)
				}
			}
		})
	}
}

// A plan older than a day is refused.
func TestApplyOldPlan(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	in := c.file("old.csv", "membership_id,days\nmem_op1,7\n")
	if code, _, stderr := c.run("--plan", in); code != exitOK {
		t.Fatalf("plan: exit %d\n%s", code, stderr)
	}
	plan := filepath.Join(c.dir, "old.plan.csv")
	s, err := report.ReadSummary(report.SummaryPath(plan))
	if err != nil {
		t.Fatal(err)
	}
	s.Started = s.Started.Add(-25 * time.Hour)
	if err := report.WriteSummary(report.SummaryPath(plan), s); err != nil {
		t.Fatal(err)
	}
	sent := len(c.sim.Requests())
	if code, _, stderr := c.run("--apply-plan", plan, in); code != exitInput || !strings.Contains(stderr, "more than 24h0m0s") {
		t.Errorf("exit %d, want 2 naming the age\n%s", code, stderr)
	}
	if n := len(c.sim.Requests()) - sent; n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

// A rehearsal on the simulator keeps its own ledger: the real run of the
// same file afterwards extends every membership.
func TestSimulationDoesNotBlockTheRealRun(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	state := filepath.Join(c.dir, "state")
	in := c.file("real.csv", "membership_id,days\nmem_r1,7\nmem_r2,7\n")
	if code, _, stderr := c.runIn(state, "--simulate", in); code != exitOK {
		t.Fatalf("simulation: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := c.runIn(state, in); code != exitOK || c.extends() != 2 {
		t.Errorf("real run after a simulation: exit %d, %d extends, want 2\n%s", code, c.extends(), stderr)
	}
}

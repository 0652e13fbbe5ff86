package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"bulk/internal/batch"
	"bulk/internal/report"
	"bulk/internal/whopsim"
)

// A campaign keeps the API and version of its first run: another one is
// refused before anything is sent, with the way to go on.
func TestCampaignKeepsItsAPI(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	in := c.file("keep.csv", "membership_id,days\nmem_k1,7\nmem_k2,7\n")
	if code, _, stderr := c.run(in); code != exitOK {
		t.Fatalf("first run exit %d:\n%s", code, stderr)
	}
	sent := len(c.sim.Requests())
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"another API", []string{"--api", "v2"}},
		{"another version", []string{"--api-version", "2026-09-25"}},
		{"another API, plan", []string{"--api", "v2", "--plan"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := c.run(append(tt.args, in)...)
			if code != exitInput {
				t.Errorf("exit %d, want 2:\n%s", code, stderr)
			}
			for _, want := range []string{"was started with --api current --api-version 2026-11-17", "hint: run it with"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, stderr)
				}
			}
			if n := len(c.sim.Requests()); n != sent {
				t.Errorf("%d requests sent", n-sent)
			}
		})
	}
	if code, _, stderr := c.run("--api-version", "2026-11-17", in); code != exitOK {
		t.Errorf("the same API and version: exit %d:\n%s", code, stderr)
	}
}

// An Api-Version-Date the API does not know stops the run at once with
// exit 2, the versions the API lists, and nothing applied.
func TestUnknownAPIVersion(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	in := c.file("v.csv", "membership_id,days,metadata\nmem_v1,7,\nmem_v2,,\"{\"\"a\"\":\"\"b\"\"}\"\n")
	code, _, stderr := c.run("--api-version", "2020-01-01", in)
	if code != exitInput {
		t.Fatalf("exit %d, want 2:\n%s", code, stderr)
	}
	for _, want := range []string{"2020-01-01", "2026-09-25", "2026-11-17", "hint: pick one of the versions"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if n := len(c.sim.Ledger()); n != 0 {
		t.Errorf("the server applied %d changes", n)
	}
}

// A key without the manage scope: the run stops (exit 3) and says which
// scope is missing.
func TestMissingScopeIsNamed(t *testing.T) {
	c := newCLI(t, whopsim.Config{ReadOnlyKey: "read_only_key_1"})
	c.key = "read_only_key_1"
	in := c.file("s.csv", "membership_id,days\nmem_s1,7\n")
	code, _, stderr := c.run(in)
	if code != exitStopped || !strings.Contains(stderr, "member:manage") {
		t.Errorf("exit %d, want 3 naming member:manage:\n%s", code, stderr)
	}
	if n := len(c.sim.Ledger()); n != 0 {
		t.Errorf("the server applied %d changes", n)
	}
}

// --sandbox is said in the summary, on stdout and in the JSON.
func TestSandboxIsSaid(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	in := c.file("sb.csv", "membership_id,days\nmem_sb1,7\n")
	code, stdout, stderr := c.run("--sandbox", in)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "SANDBOX") {
		t.Errorf("stdout does not say sandbox:\n%s", stdout)
	}
	s, err := report.ReadSummary(filepath.Join(c.dir, "sb.report.summary.json"))
	if err != nil || !s.Sandbox || s.API != "current" || s.APIVersion != "2026-11-17" {
		t.Errorf("summary %+v, %v: want sandbox, current, 2026-11-17", s, err)
	}
	if code, _, _ := c.run("--sandbox", "--api", "v2", in); code != exitInput {
		t.Errorf("--sandbox --api v2: exit %d, want 2", code)
	}
}

// A null metadata value is an input error wherever the API would have to
// merge it: the Current API documents no way to delete one key. Replacing
// on v2, which takes the whole object, it is data.
func TestNullMetadataValue(t *testing.T) {
	for _, tt := range []struct {
		api, mode string
		want      int
	}{
		{"current", "merge", exitInput},
		{"current", "replace", exitInput},
		{"v2", "merge", exitInput},
		{"v2", "replace", exitOK},
	} {
		t.Run(tt.api+" "+tt.mode, func(t *testing.T) {
			c := newCLI(t, whopsim.Config{API: tt.api})
			in := c.file("n.csv", "membership_id,metadata\nmem_n1,\"{\"\"a\"\":null}\"\n")
			code, _, stderr := c.run("--metadata", tt.mode, in)
			if code != tt.want {
				t.Fatalf("exit %d, want %d:\n%s", code, tt.want, stderr)
			}
			if tt.want == exitInput && !strings.Contains(stderr, "n.csv:2: metadata key \"a\" is null") {
				t.Errorf("stderr does not name n.csv:2:\n%s", stderr)
			}
			if n := len(c.sim.Requests()); tt.want == exitInput && n != 0 {
				t.Errorf("%d requests sent for an invalid file", n)
			}
		})
	}
}

// On the Current API each operation has its own budget: reads and extends
// run side by side, each under its cap, and together over what one
// shared cap would allow.
func TestEachOperationHasItsOwnLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("runs at a real pace for a few seconds")
	}
	c := newCLI(t, whopsim.Config{Limit: 20, Window: 2e9})
	var b strings.Builder
	b.WriteString("membership_id,days\n")
	for i := range 50 {
		b.WriteString("mem_pace" + string(rune('a'+i/26)) + string(rune('a'+i%26)) + ",7\n")
	}
	in := c.file("pace.csv", b.String())
	code, _, stderr := c.run("--api-limit", "20/2s", in)
	if code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	for _, op := range []string{whopsim.OpRead, whopsim.OpExtend} {
		if n := c.sim.MaxInWindowOp(op, 2e9); n > 20 {
			t.Errorf("%s: %d requests in one 2 s window, over the limit of 20", op, n)
		}
	}
	if n := c.sim.Count429(); n != 0 {
		t.Errorf("%d 429s", n)
	}
	if n := c.sim.MaxInWindow(2e9); n <= 20 {
		t.Errorf("at most %d requests of any operation in a 2 s window: reads and extends did not run side by side", n)
	}
}

// Rows appended to the file during a run are not read, let alone sent
// twice: the run says so (exit 3) and the next run applies them, once.
func TestRowsAppendedDuringARun(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	var b strings.Builder
	b.WriteString("membership_id,days\n")
	for i := range 20 {
		fmt.Fprintf(&b, "mem_ap%02d,7\n", i)
	}
	in := c.file("ap.csv", b.String())
	appendOnce := sync.OnceFunc(func() {
		f, err := os.OpenFile(in, os.O_APPEND|os.O_WRONLY, 0)
		if err != nil {
			t.Error(err)
			return
		}
		f.WriteString("mem_apx1,7\nmem_ap00,7\n")
		f.Close()
	})
	var out, errb bytes.Buffer
	e := env{
		getenv: func(k string) string { return map[string]string{"WHOP_API_KEY": c.key}[k] },
		tune: func(o *batch.Options) {
			o.BaseBackoff = time.Millisecond
			o.Progress = func(done int) {
				if done == 2 {
					appendOnce()
				}
			}
		},
	}
	code := run(context.Background(), []string{"--base-url", c.url, "--api-limit", "none", in}, e, &out, &errb)
	if code != exitStopped || !strings.Contains(errb.String(), "rows added after it was checked were not applied") {
		t.Fatalf("exit %d, want 3 saying rows were added:\n%s", code, errb.String())
	}
	if rows := readReport(t, filepath.Join(c.dir, "ap.report.csv")); len(rows) != 20 {
		t.Errorf("the report has %d rows, want the 20 checked", len(rows))
	}
	extended := func() map[string]int {
		n := map[string]int{}
		for _, e := range c.sim.Ledger() {
			n[e.ID]++
		}
		return n
	}
	if n := extended(); n["mem_apx1"] != 0 || n["mem_ap00"] != 1 {
		t.Errorf("after the first run: mem_apx1 %d, mem_ap00 %d, want 0 and 1", n["mem_apx1"], n["mem_ap00"])
	}
	// The next run checks the whole file again: the repeated row is an
	// input error, nothing is sent; without it, the new row is applied once.
	if code, _, _ := c.run(in); code != exitInput {
		t.Errorf("the file with a repeated row: exit %d, want 2", code)
	}
	os.WriteFile(in, []byte(b.String()+"mem_apx1,7\n"), 0o644)
	if code, _, stderr := c.run(in); code != exitOK {
		t.Fatalf("second run: exit %d:\n%s", code, stderr)
	}
	if n := extended(); n["mem_apx1"] != 1 || n["mem_ap00"] != 1 {
		t.Errorf("after the second run: mem_apx1 %d, mem_ap00 %d, want 1 and 1", n["mem_apx1"], n["mem_ap00"])
	}
}

// A row bulk could not settle (a renewal between the reads) stays unknown
// run after run, until the operator records what they found: applied, and
// it is never sent again; not applied, and the next run sends it.
func TestSettleByHand(t *testing.T) {
	for _, applied := range []bool{true, false} {
		t.Run(fmt.Sprintf("applied %v", applied), func(t *testing.T) {
			// Keys ignored: with them honoured, a resend of the same
			// request would get the first answer back and apply nothing.
			c := newCLI(t, whopsim.Config{DropRate: 1, IgnoreIdempotency: true})
			c.sim.Put(whopsim.Membership{ID: "mem_h1", Status: "active", Renews: true, PeriodDays: 30,
				PeriodStart: ptr(1_797_400_000), PeriodEnd: ptr(1_800_000_000)})
			in := c.file("h.csv", "membership_id,days\nmem_h1,30\n")
			// The extend lands but its answer is lost; the membership then
			// renews before it is read back: the outcome is unknowable.
			var out, errb bytes.Buffer
			e := env{
				getenv: func(k string) string { return map[string]string{"WHOP_API_KEY": c.key}[k] },
				tune: func(o *batch.Options) {
					o.BaseBackoff = time.Millisecond
					o.SettleDelay = 200 * time.Millisecond
				},
			}
			go func() { time.Sleep(100 * time.Millisecond); c.sim.Renew("mem_h1") }()
			code := run(context.Background(), []string{"--base-url", c.url, "--api-limit", "none", in}, e, &out, &errb)
			rows := readReport(t, filepath.Join(c.dir, "h.report.csv"))
			if code != exitRows || rows[0]["status"] != "unknown" || !strings.Contains(rows[0]["error"], "bulk settle FILE --applied mem_h1") {
				t.Fatalf("exit %d, row %v: want unknown, saying how to settle it\n%s", code, rows[0], errb.String())
			}
			flag := map[bool]string{true: "--applied", false: "--not-applied"}[applied]
			var sout, serr bytes.Buffer
			if code := run(context.Background(), []string{"settle", in, flag, "mem_h1"}, e, &sout, &serr); code != exitOK {
				t.Fatalf("settle: exit %d\n%s", code, serr.String())
			}
			if code := run(context.Background(), []string{"settle", in, flag, "mem_h1"}, e, &sout, &serr); code != exitInput {
				t.Errorf("settling a settled row again: exit %d, want 2", code)
			}
			code, _, stderr := c.run(in)
			rows = readReport(t, filepath.Join(c.dir, "h.report.csv"))
			extends := 0
			for _, e := range c.sim.Ledger() {
				if e.Op == whopsim.OpAddFreeDays {
					extends++
				}
			}
			switch {
			case applied && (code != exitOK || rows[0]["status"] != "applied" || !strings.Contains(rows[0]["error"], "settled by hand") || extends != 1):
				t.Errorf("after --applied: exit %d, row %v, %d extends; want applied, by hand, nothing sent\n%s", code, rows[0], extends, stderr)
			case !applied && extends != 2:
				t.Errorf("after --not-applied: %d extends, want it sent again (2)\n%s", extends, stderr)
			}
		})
	}
}

// A state directory another user could write is refused before anything
// is sent (exit 2), saying what to do.
func TestUnsafeStateDirectory(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	in := c.file("u.csv", "membership_id,days\nmem_u1,7\n")
	state := filepath.Join(c.dir, "shared")
	if err := os.Mkdir(state, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(state, 0o777) // whatever the umask
	code, _, stderr := c.run("--state", state, in)
	if code != exitInput || !strings.Contains(stderr, "writable by group or others") || !strings.Contains(stderr, "hint:") {
		t.Errorf("exit %d, want 2 with what to do:\n%s", code, stderr)
	}
	if n := len(c.sim.Requests()); n != 0 {
		t.Errorf("%d requests sent", n)
	}
}

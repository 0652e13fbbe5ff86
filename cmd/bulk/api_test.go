package main

import (
	"path/filepath"
	"strings"
	"testing"

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

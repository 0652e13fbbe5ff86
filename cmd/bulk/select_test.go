package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"bulk/internal/batch"
	"bulk/internal/whopsim"
)

// selectCmd runs bulk select against c's simulator with fast settings.
func (c *cli) selectCmd(args ...string) (code int, stdout, stderr string) {
	c.t.Helper()
	var out, errb bytes.Buffer
	full := append([]string{"select", "--api", c.api, "--base-url", c.url, "--api-limit", "none"}, args...)
	e := env{
		getenv: func(k string) string {
			if k == "WHOP_API_KEY" {
				return c.key
			}
			return ""
		},
		tune: func(o *batch.Options) { o.BaseBackoff = time.Millisecond; o.Retries = 10 },
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	code = run(ctx, full, e, &out, &errb)
	return code, out.String(), errb.String()
}

// idsIn reads the membership ids of a campaign file, sorted.
func idsIn(t *testing.T, path string) []string {
	t.Helper()
	var ids []string
	if strings.HasSuffix(path, ".jsonl") {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		for line := range strings.Lines(string(b)) {
			var r map[string]any
			if err := json.Unmarshal([]byte(line), &r); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r["membership_id"].(string))
		}
	} else {
		for _, r := range readReport(t, path) {
			ids = append(ids, r["membership_id"])
		}
	}
	slices.Sort(ids)
	return ids
}

func TestSelectWritesCampaign(t *testing.T) {
	for _, api := range []string{"current", "v2"} {
		t.Run(api, func(t *testing.T) { testSelectWritesCampaign(t, api) })
	}
}

func testSelectWritesCampaign(t *testing.T, api string) {
	c := newCLI(t, whopsim.Config{API: api, Population: 2500, Seed: 11, FailRate: 0.05})
	products := map[string]bool{}
	for _, m := range c.sim.Memberships() {
		products[m.ProductID] = true
	}
	var prods []string
	for p := range products {
		prods = append(prods, p)
	}
	slices.Sort(prods)
	since := time.Now().AddDate(0, -4, 0)
	tests := []struct {
		name  string
		file  string
		args  []string
		match func(whopsim.Membership) bool
	}{
		{"days csv, status", "active.csv", []string{"--days", "7", "--status", "active"},
			func(m whopsim.Membership) bool { return m.Status == "active" }},
		{"metadata jsonl, products and date", "meta.jsonl", []string{"--metadata", `{"campaign":"x"}`, "--product", prods[0], "--product", prods[1], "--created-after", since.UTC().Format(time.RFC3339)},
			func(m whopsim.Membership) bool {
				return (m.ProductID == prods[0] || m.ProductID == prods[1]) && m.CreatedAt > since.Unix()
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var want []string
			for _, m := range c.sim.Memberships() {
				if tt.match(m) {
					want = append(want, m.ID)
				}
			}
			slices.Sort(want)
			out := filepath.Join(c.dir, tt.file)
			code, stdout, stderr := c.selectCmd(append(tt.args, "-o", out)...)
			if code != exitOK {
				t.Fatalf("exit %d\n%s", code, stderr)
			}
			if got := idsIn(t, out); !slices.Equal(got, want) {
				t.Errorf("file holds %d memberships, the simulator %d", len(got), len(want))
			}
			if !strings.Contains(stdout, fmt.Sprintf("wrote %d memberships", len(want))) || !strings.Contains(stdout, "bulk --plan "+out) {
				t.Errorf("stdout:\n%s", stdout)
			}
			if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != selectPerm {
				t.Errorf("mode %v, %v", fi.Mode(), err)
			}
			code, _, stderr = c.run("--plan", "--campaign", "sel"+strings.ReplaceAll(tt.name[:4], " ", ""), out)
			if code != exitOK {
				for _, r := range readReport(t, strings.TrimSuffix(out, filepath.Ext(out))+".plan.csv") {
					if r["status"] != "would_apply" {
						t.Log(r)
						break
					}
				}
				t.Errorf("plan: exit %d\n%s", code, stderr)
			}
		})
	}
}

func TestSelectFailsWithoutFile(t *testing.T) {
	c := newCLI(t, whopsim.Config{Population: 1000, FailRate: 1})
	out := filepath.Join(c.dir, "never.csv")
	code, _, stderr := c.selectCmd("--days", "3", "-o", out)
	if code != exitStopped || !strings.Contains(stderr, "was not written") {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s exists after a failed listing: %v", out, err)
	}
	if left, _ := filepath.Glob(filepath.Join(c.dir, ".*")); len(left) > 0 {
		t.Errorf("left behind: %v", left)
	}
}

func TestSelectMisuse(t *testing.T) {
	c := newCLI(t, whopsim.Config{Population: 10})
	out := filepath.Join(c.dir, "x.csv")
	tests := []struct {
		name string
		args []string
		msg  string
	}{
		{"no action", []string{"-o", out}, "--days N or --metadata JSON"},
		{"both", []string{"--days", "1", "--metadata", "{}", "-o", out}, "not both"},
		{"no -o", []string{"--days", "1"}, "-o FILE"},
		{"bad extension", []string{"--days", "1", "-o", filepath.Join(c.dir, "x.txt")}, ".csv or .jsonl"},
		{"no such directory", []string{"--days", "1", "-o", filepath.Join(c.dir, "nope", "x.csv")}, "directory does not exist"},
		{"days zero", []string{"--days", "0", "-o", out}, "from 1 to 1095"},
		{"days too many", []string{"--days", "1096", "-o", out}, "from 1 to 1095"},
		{"days signed", []string{"--days", "+5", "-o", out}, "from 1 to 1095"},
		{"days decimal", []string{"--days", "5.0", "-o", out}, "from 1 to 1095"},
		{"metadata not object", []string{"--metadata", "[1]", "-o", out}, "JSON object"},
		{"metadata null value", []string{"--metadata", `{"a":null}`, "-o", out}, "null"},
		{"metadata too many keys", []string{"--metadata", manyKeys(51), "-o", out}, "more than 50 keys"},
		{"status", []string{"--days", "1", "--status", "gone", "-o", out}, "--status"},
		{"created after", []string{"--days", "1", "--created-after", "2026-01-01", "-o", out}, "RFC 3339"},
		{"created before", []string{"--days", "1", "--created-before", "yesterday", "-o", out}, "RFC 3339"},
		{"dates reversed", []string{"--days", "1", "--created-after", "2026-02-01T00:00:00Z", "--created-before", "2026-01-01T00:00:00Z", "-o", out}, "before --created-before"},
		{"product", []string{"--days", "1", "--product", "plan_x", "-o", out}, "--product"},
		{"plan", []string{"--days", "1", "--plan-id", "", "-o", out}, "--plan-id"},
		{"file argument", []string{"--days", "1", "-o", out, "extra.csv"}, "no file argument"},
		{"unknown flag", []string{"--days", "1", "--yes", "-o", out}, "unknown flag"},
		{"v2 sandbox", []string{"--api", "v2", "--sandbox", "--days", "1", "-o", out}, "--sandbox"},
		{"rate", []string{"--days", "1", "--rate", "-1", "-o", out}, "--rate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := c.selectCmd(tt.args...)
			if code != exitInput || !strings.Contains(stderr, "bulk: ") || !strings.Contains(stderr, tt.msg) {
				t.Errorf("exit %d, want 2 and %q\n%s", code, tt.msg, stderr)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s written", out)
			}
			if n := len(c.sim.Requests()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

func manyKeys(n int) string {
	m := map[string]int{}
	for i := range n {
		m["k"+strings.Repeat("x", i)] = i
	}
	b, _ := json.Marshal(m)
	return string(b)
}

func TestSelectSimulate(t *testing.T) {
	for _, api := range []string{"current", "v2"} {
		t.Run(api, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "sim.jsonl")
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{"select", "--simulate", "--api", api, "--api-limit", "none", "--days", "5", "-o", out},
				env{getenv: func(string) string { return "" }}, &stdout, &stderr)
			if code != exitOK {
				t.Fatalf("exit %d\n%s", code, stderr.String())
			}
			if got := len(idsIn(t, out)); got != simulatedPopulation {
				t.Errorf("%d memberships written, want the simulator's %d", got, simulatedPopulation)
			}
		})
	}
}

// On a terminal the listing shows a progress indicator on stderr, and
// clears it before the summary.
func TestSelectProgressOnATerminal(t *testing.T) {
	out := filepath.Join(t.TempDir(), "sim.csv")
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"select", "--simulate", "--api-limit", "none", "--days", "5", "-o", out},
		env{getenv: func(string) string { return "" }, terminal: true}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d\n%s", code, stderr.String())
	}
	if !strings.Contains(stderr.String(), "\r| listing memberships (") {
		t.Errorf("no progress on the terminal:\n%q", stderr.String())
	}
}

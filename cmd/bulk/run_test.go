package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"bulk/internal/batch"
	"bulk/internal/client"
	"bulk/internal/input"
	"bulk/internal/journal"
	"bulk/internal/report"
	"bulk/internal/whopsim"
)

const testKey = "whop_test_key_7Hq2"

// cli runs bulk in-process against a simulator on loopback.
type cli struct {
	t   *testing.T
	sim *whopsim.Server
	api string // "current" or "v2"
	url string
	dir string
	key string
}

func newCLI(t *testing.T, cfg whopsim.Config) *cli {
	t.Helper()
	cfg.Key = testKey
	if cfg.Limit == 0 {
		cfg.NoLimit = true
	}
	cfg.AutoCreate = true
	sim := whopsim.New(cfg)
	srv := httptest.NewServer(sim)
	t.Cleanup(srv.Close)
	c := &cli{t: t, sim: sim, api: "current", url: srv.URL + "/api/v1", dir: t.TempDir(), key: testKey}
	if cfg.API == "v2" {
		c.api, c.url = "v2", srv.URL+"/api/v2"
	}
	return c
}

func (c *cli) file(name, content string) string {
	c.t.Helper()
	p := filepath.Join(c.dir, name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		c.t.Fatal(err)
	}
	return p
}

// run runs bulk with the simulator's base URL and fast test settings.
func (c *cli) run(args ...string) (code int, stdout, stderr string) {
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
		tune: func(o *batch.Options) { o.BaseBackoff = time.Millisecond },
	}
	code = run(context.Background(), full, e, &out, &errb)
	return code, out.String(), errb.String()
}

func readReport(t *testing.T, path string) []map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var rows []map[string]string
	for _, rec := range recs[1:] {
		m := map[string]string{}
		for i, h := range recs[0] {
			m[h] = rec[i]
		}
		rows = append(rows, m)
	}
	return rows
}

func rfc(p *int64) string {
	if p == nil {
		return ""
	}
	return time.Unix(*p, 0).UTC().Format(time.RFC3339)
}

func TestMixedFileReportMatchesLedger(t *testing.T) {
	for _, api := range []string{"current", "v2"} {
		t.Run(api, func(t *testing.T) { testMixedFile(t, api) })
	}
}

func testMixedFile(t *testing.T, api string) {
	c := newCLI(t, whopsim.Config{API: api})
	var b strings.Builder
	b.WriteString("membership_id,days,metadata,ticket\n")
	for i := 0; i < 40; i++ {
		if i%4 == 3 {
			fmt.Fprintf(&b, "mem_mix%03d,,\"{\"\"comp\"\":\"\"nov\"\"}\",T%d\n", i, i)
		} else {
			fmt.Fprintf(&b, "mem_mix%03d,%d,,T%d\n", i, 1+i%9, i)
		}
	}
	in := c.file("mixed.csv", b.String())
	code, stdout, stderr := c.run(in)
	if code != exitOK {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "this run: applied 40") && strings.Contains(stdout, "campaign: applied 40 of 40") {
		t.Errorf("summary does not say 40 applied:\n%s", stdout)
	}
	rows := readReport(t, filepath.Join(c.dir, "mixed.report.csv"))
	if len(rows) != 40 {
		t.Fatalf("%d report rows, want 40", len(rows))
	}
	applied := map[string]int{}
	for _, e := range c.sim.Ledger() {
		applied[e.Op+" "+e.ID]++
	}
	for i, r := range rows {
		if r["line"] != strconv.Itoa(i+2) || r["status"] != "applied" || r["ticket"] != fmt.Sprintf("T%d", i) {
			t.Errorf("row %d: %v", i, r)
		}
		if n := applied[r["action"]+" "+r["membership_id"]]; n != 1 {
			t.Errorf("%s %s applied %d times", r["action"], r["membership_id"], n)
		}
		m, _ := c.sim.Get(r["membership_id"])
		if r["period_end"] != rfc(m.PeriodEnd) || r["membership_status"] != m.Status {
			t.Errorf("line %s: report %s %s, server %s %s", r["line"], r["period_end"], r["membership_status"], rfc(m.PeriodEnd), m.Status)
		}
		if r["action"] == "update_metadata" && (m.Metadata["comp"] != "nov" || len(m.Metadata) == 0) {
			t.Errorf("line %s: server metadata %v", r["line"], m.Metadata)
		}
	}
	s, err := report.ReadSummary(filepath.Join(c.dir, "mixed.report.summary.json"))
	if err != nil {
		t.Fatal(err)
	}
	if s.Counts["applied"] != 40 || s.RequestsSent != int64(len(c.sim.Requests())) || s.Campaign != "mixed" || s.InputSHA256 == "" || s.API != api {
		t.Errorf("summary %+v (server saw %d requests)", s, len(c.sim.Requests()))
	}
	perOp := map[string]int64{}
	for _, r := range c.sim.Requests() {
		perOp[r.Op]++
		if want := map[string]string{"current": client.DefaultVersion, "v2": ""}[api]; r.Version != want {
			t.Errorf("%s %s carried Api-Version-Date %q, want %q", r.Method, r.Path, r.Version, want)
		}
	}
	if !reflect.DeepEqual(perOp, s.RequestsPerOp) {
		t.Errorf("summary requests per operation %v, server saw %v", s.RequestsPerOp, perOp)
	}
}

func TestInvalidFileSendsNothing(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	in := c.file("bad.csv", "membership_id,days,metadata\n"+
		"mem_ok1,7,\n"+
		"mem_a/../../x,7,\n"+
		"mem_ok2,7.0,\n"+
		"mem_ok3,,[1]\n"+
		"mem_ok1,3,\n")
	code, _, stderr := c.run(in)
	if code != exitInput {
		t.Fatalf("exit %d, want %d", code, exitInput)
	}
	for _, line := range []int{3, 4, 5, 6} {
		if want := fmt.Sprintf("%s:%d: ", in, line); !strings.Contains(stderr, want) {
			t.Errorf("stderr does not name %s:\n%s", want, stderr)
		}
	}
	if n := len(c.sim.Requests()); n != 0 {
		t.Errorf("the server saw %d requests for an invalid file", n)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "bad.report.csv")); err == nil {
		t.Error("a report was written for an invalid file")
	}
}

func TestBadKeyExits3(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	c.key = "wrong"
	in := c.file("c.csv", "membership_id,days\nmem_a1,7\nmem_a2,7\nmem_a3,7\nmem_a4,7\nmem_a5,7\nmem_a6,7\n")
	code, _, stderr := c.run("--concurrency", "2", in)
	if code != exitStopped {
		t.Fatalf("exit %d, want 3; stderr:\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "bulk: the API refused the key") || !strings.Contains(stderr, "bulk: hint:") {
		t.Errorf("stderr:\n%s", stderr)
	}
	if n := len(c.sim.Requests()); n > 2 {
		t.Errorf("%d requests after a 401, want at most --concurrency (2)", n)
	}
}

func TestLockedCampaignExits3(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	in := c.file("c.csv", "membership_id,days\nmem_a1,7\n")
	j, err := journal.Open(filepath.Join(c.dir, ".bulk"), "c", journal.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	code, _, stderr := c.run(in)
	if code != exitStopped || !strings.Contains(stderr, fmt.Sprintf("pid %d", os.Getpid())) {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if len(c.sim.Requests()) != 0 {
		t.Error("a locked campaign sent requests")
	}
}

func TestPlan(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	c.sim.Put(whopsim.Membership{ID: "mem_tagged", Status: "active",
		PeriodEnd: ptr(1_800_000_000), Metadata: map[string]any{"source": "checkout", "tier": "gold"}})
	c.sim.Put(whopsim.Membership{ID: "mem_gone", Status: "canceled", PeriodEnd: ptr(1_700_000_000)})
	in := c.file("p.jsonl", `{"membership_id":"mem_plan1","days":7}
{"membership_id":"mem_plan2","days":30}
{"membership_id":"mem_missing1","days":7}
{"membership_id":"mem_lifetime1","days":7}
{"membership_id":"mem_tagged","metadata":{"tier":"silver"}}
{"membership_id":"mem_gone","days":7}
`)
	code, stdout, stderr := c.run("--plan", in)
	if code != exitRows {
		t.Fatalf("plan exit %d, want 1; stderr:\n%s", code, stderr)
	}
	for _, r := range c.sim.Requests() {
		if r.Method != "GET" {
			t.Fatalf("a plan sent %s %s", r.Method, r.Path)
		}
	}
	plan := readReport(t, filepath.Join(c.dir, "p.plan.csv"))
	want := []struct{ status, errPart, warnPart string }{
		{"would_apply", "", ""}, {"would_apply", "", ""},
		{"would_fail", "Membership not found", ""}, {"would_fail", "nothing to extend", ""},
		{"would_apply", "", "keys change value: tier"}, {"would_apply", "", "membership is canceled"},
	}
	for i, w := range want {
		if plan[i]["status"] != w.status || !strings.Contains(plan[i]["error"], w.errPart) || !strings.Contains(plan[i]["warning"], w.warnPart) {
			t.Errorf("plan line %s: %s %q %q, want %s containing %q, warning %q", plan[i]["line"], plan[i]["status"],
				plan[i]["error"], plan[i]["warning"], w.status, w.errPart, w.warnPart)
		}
	}
	if !strings.Contains(stdout, "warnings: 2") {
		t.Errorf("summary does not count the 2 warnings:\n%s", stdout)
	}
	// The real run produces the dates the plan predicted.
	code, _, stderr = c.run(in)
	if code != exitRows {
		t.Fatalf("run exit %d, want 1 (two rows fail); stderr:\n%s", code, stderr)
	}
	got := readReport(t, filepath.Join(c.dir, "p.report.csv"))
	for i := range plan {
		if plan[i]["status"] != "would_apply" {
			continue
		}
		for _, col := range []string{"previous_period_end", "period_end", "warning", "membership_status"} {
			if plan[i][col] != got[i][col] {
				t.Errorf("line %s %s: plan %q, run %q", plan[i]["line"], col, plan[i][col], got[i][col])
			}
		}
	}
	// A plan after the run knows from the journal what is done, and that
	// the rows which failed for good would not be sent again.
	code, _, _ = c.run("--plan", in)
	plan = readReport(t, filepath.Join(c.dir, "p.plan.csv"))
	if plan[0]["status"] != "would_skip" || code != exitOK {
		t.Errorf("plan after run: line 1 %s, exit %d, want would_skip and 0", plan[0]["status"], code)
	}
	for i := range got {
		if got[i]["status"] == "failed" && (plan[i]["status"] != "would_skip" || !strings.Contains(plan[i]["error"], "--retry-failed")) {
			t.Errorf("line %s failed in the run; the plan after says %s %q, want would_skip naming --retry-failed",
				got[i]["line"], plan[i]["status"], plan[i]["error"])
		}
	}
}

func TestPlanOfflineNeedsNoKeyAndNoNetwork(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	c.key = ""
	// mem_a1 has a row of each action: one membership touched, not two.
	// Every row is read, then changed: 8 requests.
	in := c.file("o.csv", "membership_id,days,metadata\nmem_a1,7,\nmem_a2,,{}\nmem_a3,14,\nmem_a1,,{}\n")
	code, stdout, stderr := c.run("--plan", "--offline", in)
	if code != exitOK {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	if n := len(c.sim.Requests()); n != 0 {
		t.Errorf("--offline made %d requests", n)
	}
	s, _ := report.ReadSummary(filepath.Join(c.dir, "o.plan.summary.json"))
	if s.DaysGranted != 21 || s.MembershipsTouched != 3 || s.RequestsToSend != 8 || s.Mode != "plan-offline" {
		t.Errorf("summary %+v", s)
	}
	if !strings.Contains(stdout, "free days to grant: 21") {
		t.Errorf("stdout:\n%s", stdout)
	}
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name string
		args func(c *cli) []string
		key  string
		want int
	}{
		{"all applied", func(c *cli) []string { return []string{c.file("a.csv", "membership_id,days\nmem_x1,7\n")} }, testKey, 0},
		{"a row fails", func(c *cli) []string { return []string{c.file("a.csv", "membership_id,days\nmem_missing9,7\n")} }, testKey, 1},
		{"usage", func(c *cli) []string {
			return []string{"--concurrency", "0", c.file("a.csv", "membership_id,days\nmem_x1,7\n")}
		}, testKey, 2},
		{"no file", func(c *cli) []string { return nil }, testKey, 2},
		{"input", func(c *cli) []string { return []string{c.file("a.csv", "membership_id,days\nmem_x1,0\n")} }, testKey, 2},
		{"no key", func(c *cli) []string { return []string{c.file("a.csv", "membership_id,days\nmem_x1,7\n")} }, "", 2},
		{"plain http elsewhere", func(c *cli) []string {
			return []string{"--base-url", "http://api.example.com/api/v2", c.file("a.csv", "membership_id,days\nmem_x1,7\n")}
		}, testKey, 2},
		{"key refused", func(c *cli) []string { return []string{c.file("a.csv", "membership_id,days\nmem_x1,7\n")} }, "bad", 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(t, whopsim.Config{})
			c.key = tt.key
			if code, _, stderr := c.run(tt.args(c)...); code != tt.want {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tt.want, stderr)
			}
		})
	}
}

func TestJSONLogs(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	in := c.file("j.csv", "membership_id,days\nmem_x1,7\nmem_missing2,7\n")
	code, _, stderr := c.run("--log-format", "json", in)
	if code != exitRows {
		t.Fatalf("exit %d", code)
	}
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		var v map[string]any
		if err := json.Unmarshal([]byte(line), &v); err != nil {
			t.Errorf("stderr line is not JSON: %q", line)
			continue
		}
		if v["campaign"] != "j" || v["run"] == "" {
			t.Errorf("log line without campaign and run: %q", line)
		}
	}
}

func TestSimulateUsesItsOwnFiles(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "camp.csv")
	os.WriteFile(in, []byte("membership_id,days\nmem_s1,7\n"), 0o644)
	var out, errb bytes.Buffer
	code := run(context.Background(), []string{"--simulate", "--api-limit", "none", in},
		env{getenv: func(string) string { return "" }}, &out, &errb)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	for _, p := range []string{"camp.simulated.report.csv", ".bulk/simulated/camp.simulated.journal", ".bulk/simulated/ledger"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("missing %s", p)
		}
	}
	for _, p := range []string{"camp.report.csv", ".bulk/camp.journal", ".bulk/ledger"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err == nil {
			t.Errorf("a simulation wrote the real campaign's %s", p)
		}
	}
}

func ptr(v int64) *int64 { return &v }

// keyEnv is an environment with the test key alone, stderr a terminal or
// not.
func keyEnv(terminal bool) env {
	return env{getenv: func(k string) string {
		if k == "WHOP_API_KEY" {
			return testKey
		}
		return ""
	}, terminal: terminal}
}

func TestProgressOnlyOnATerminal(t *testing.T) {
	for _, terminal := range []bool{false, true} {
		c := newCLI(t, whopsim.Config{})
		in := c.file("p.csv", "membership_id,days\nmem_x1,7\nmem_x2,7\nmem_x3,7\n")
		var out, errb bytes.Buffer
		e := keyEnv(terminal)
		code := run(context.Background(), []string{"--base-url", c.url, "--api-limit", "none", in}, e, &out, &errb)
		if code != exitOK {
			t.Fatalf("exit %d: %s", code, errb.String())
		}
		bar := strings.Contains(errb.String(), "applying")
		ansi := strings.ContainsAny(errb.String(), "\x1b\r")
		if bar != terminal || (!terminal && ansi) {
			t.Errorf("terminal=%v: progress bar %v, control characters %v in stderr:\n%q", terminal, bar, ansi, errb.String())
		}
		if strings.Contains(out.String(), "applying") {
			t.Errorf("progress on stdout")
		}
	}
}

func TestMaxFailuresExits3(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	var b strings.Builder
	b.WriteString("membership_id,days\n")
	for i := 0; i < 30; i++ {
		fmt.Fprintf(&b, "mem_missing%d,7\n", i)
	}
	in := c.file("f.csv", b.String())
	code, _, stderr := c.run("--max-failures", "3", "--concurrency", "1", in)
	if code != exitStopped || !strings.Contains(stderr, "--max-failures") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	rows := readReport(t, filepath.Join(c.dir, "f.report.csv"))
	if len(rows) != 30 || rows[29]["status"] != "pending" {
		t.Errorf("report: %d rows, last %v", len(rows), rows[len(rows)-1])
	}
}

func TestManyBadRowsAreCapped(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	var b strings.Builder
	b.WriteString("membership_id,days\n")
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&b, "mem_b%d,0\n", i)
	}
	b.WriteString("bad,7\n")
	in := c.file("many.csv", b.String())
	code, _, stderr := c.run(in)
	if code != exitInput {
		t.Fatalf("exit %d", code)
	}
	if n := strings.Count(stderr, in+":"); n > input.MaxProblems+4 {
		t.Errorf("%d problem lines, want the listing capped at %d", n, input.MaxProblems)
	}
	for _, want := range []string{"and 4,901 more problems", "the problems by kind:\n", "  5,000 problems: days must be",
		"  1 problem: membership_id", "5,001 problems; nothing was sent"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr does not say %q:\n%s", want, stderr[len(stderr)-600:])
		}
	}
	if len(c.sim.Requests()) != 0 {
		t.Error("requests were sent")
	}
}

// Running a finished campaign again sends nothing and is quick; anything
// that changed since (the campaign, the input, the report) makes it check
// every row again.
func TestFinishedCampaignRunsAgainQuickly(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	in := c.file("fin.csv", "membership_id,days\nmem_f1,7\nmem_f2,7\n")
	rep := filepath.Join(c.dir, "fin.report.csv")
	if code, _, stderr := c.run(in); code != exitOK {
		t.Fatalf("first run exit %d: %s", code, stderr)
	}
	first, _ := os.ReadFile(rep)
	n := len(c.sim.Requests())

	code, stdout, stderr := c.run(in)
	if code != exitOK || !strings.Contains(stderr, "nothing to do") || !strings.Contains(stdout, "campaign: applied 2 of 2") {
		t.Fatalf("second run exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	if again, _ := os.ReadFile(rep); string(again) != string(first) || len(c.sim.Requests()) != n {
		t.Error("the quick path changed the report or sent requests")
	}

	// The report was edited: every row is checked again (from the journal),
	// the report rewritten, still nothing sent.
	os.WriteFile(rep, []byte("edited"), 0o600)
	code, _, stderr = c.run(in)
	if code != exitOK || strings.Contains(stderr, "nothing to do") {
		t.Fatalf("after an edited report: exit %d, stderr:\n%s", code, stderr)
	}
	if again, _ := os.ReadFile(rep); string(again) != string(first) || len(c.sim.Requests()) != n {
		t.Errorf("report after a full check differs or requests were sent:\n%s", again)
	}

	// Another file of the campaign ran since: the first file's rows are
	// checked again.
	other := c.file("other.csv", "membership_id,days\nmem_f3,7\n")
	if code, _, stderr := c.run("--campaign", "fin", other); code != exitOK {
		t.Fatalf("other file: exit %d: %s", code, stderr)
	}
	code, _, stderr = c.run(in)
	if code != exitOK || strings.Contains(stderr, "nothing to do") {
		t.Fatalf("after another file: exit %d, stderr:\n%s", code, stderr)
	}
}

func TestJSONLReport(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	in := c.file("j.jsonl", `{"membership_id":"mem_j1","days":7,"ticket":42}`+"\n"+`{"membership_id":"mem_j2","metadata":{"a":"=1"}}`+"\n")
	rep := filepath.Join(c.dir, "out.jsonl")
	if code, _, stderr := c.run("--report", rep, in); code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	data, err := os.ReadFile(rep)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 {
		t.Fatalf("%d lines:\n%s", len(lines), data)
	}
	var first map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first["status"] != "applied" || first["ticket"] != "42" || first["days"] != float64(7) || first["line"] != float64(1) {
		t.Errorf("first line %v", first)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "out.summary.json")); err != nil {
		t.Errorf("no summary beside the JSONL report: %v", err)
	}
	fi, _ := os.Stat(rep)
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("report mode %v, want 0600", fi.Mode().Perm())
	}
}

func TestMissingFileMakesNoStateDirectory(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	in := filepath.Join(c.dir, "typo", "camp.csv")
	code, _, stderr := c.run(in)
	if code != exitInput || !strings.Contains(stderr, "no such file") {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(c.dir, "typo")); err == nil {
		t.Error("a directory was made beside a file that does not exist")
	}
}

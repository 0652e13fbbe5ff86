package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"bulk/internal/whopsim"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// bulkBinary builds the real command once per test run.
func bulkBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "bulk-bin-")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "bulk")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binPath != "" {
		os.RemoveAll(filepath.Dir(binPath))
	}
	os.Exit(code)
}

// process is one run of the real binary.
func startBulk(t *testing.T, url, key string, args ...string) (*exec.Cmd, *strings.Builder, *strings.Builder) {
	t.Helper()
	cmd := exec.Command(bulkBinary(t), append([]string{"--base-url", url, "--api-limit", "none", "--settle-delay", "30ms", "--quiet-period", "150ms"}, args...)...)
	// The state beside the input, as each test's own.
	state := filepath.Join(filepath.Dir(args[len(args)-1]), ".bulk")
	cmd.Env = append(os.Environ(), "WHOP_API_KEY="+key, "BULK_STATE="+state)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &out, &errb
}

func exitOf(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

func addDaysFile(t *testing.T, dir string, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("membership_id,days\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "mem_crash%04d,%d\n", i, 1+i%7)
	}
	p := filepath.Join(dir, "crash.csv")
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// checkExactlyOnce asserts from the simulator's ledger that no membership
// of the file was extended twice, that every row ended applied (extended
// exactly once, by its days, with the report's dates the server's answer)
// or, where a renewal made the outcome impossible to tell, unknown.
func checkExactlyOnce(t *testing.T, sim *whopsim.Server, n int, reportPath string) {
	t.Helper()
	extended := map[string][]whopsim.LedgerEntry{}
	for _, e := range sim.Ledger() {
		if e.Op == whopsim.OpAddFreeDays {
			extended[e.ID] = append(extended[e.ID], e)
		}
	}
	rows := readReport(t, reportPath)
	if len(rows) != n {
		t.Fatalf("final report has %d rows, want %d", len(rows), n)
	}
	for _, r := range rows {
		id := r["membership_id"]
		got := extended[id]
		switch {
		case len(got) > 1:
			t.Errorf("%s was extended %d times", id, len(got))
		case r["status"] == "applied" && len(got) != 1:
			t.Errorf("line %s: applied, but the server extended it %d times", r["line"], len(got))
		case r["status"] == "applied":
			if days := (*got[0].After.PeriodEnd - *got[0].Before.PeriodEnd) / 86400; strconv.FormatInt(days, 10) != r["days"] {
				t.Errorf("line %s: extended by %d days, want %s", r["line"], days, r["days"])
			}
			if r["period_end"] != rfc(got[0].After.PeriodEnd) {
				t.Errorf("line %s: report period end %s, server's answer %s", r["line"], r["period_end"], rfc(got[0].After.PeriodEnd))
			}
		case r["status"] != "unknown":
			t.Errorf("line %s: %s %q", r["line"], r["status"], r["error"])
		}
	}
}

// The crash test: kill -9 the real binary at random moments, at least 20
// times, against a server that fails 5% of requests, drops the connection
// after applying 5% of changes, answers slowly and renews memberships now
// and then; run again after each kill; in the end no membership was
// extended twice, whether the server honours Idempotency-Keys or not.
func TestKill9NeverExtendsTwice(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real binary many times")
	}
	for _, tt := range []struct {
		name string
		cfg  whopsim.Config
	}{
		{"current, keys honoured", whopsim.Config{}},
		{"current, keys ignored", whopsim.Config{IgnoreIdempotency: true}},
		{"v2", whopsim.Config{API: "v2"}},
	} {
		t.Run(tt.name, func(t *testing.T) { killRepeatedly(t, tt.cfg) })
	}
}

func killRepeatedly(t *testing.T, cfg whopsim.Config) {
	// Enough work (about 1,200 requests of 10-20 ms, four at a time) that
	// the campaign is still running when the 20th kill lands.
	const rows = 600
	cfg.Key, cfg.NoLimit, cfg.AutoCreate = testKey, true, true
	cfg.FailRate, cfg.DropRate, cfg.RenewRate = 0.05, 0.05, 0.01
	cfg.Latency, cfg.Jitter, cfg.Seed = 10*time.Millisecond, 10*time.Millisecond, 42
	sim := whopsim.New(cfg)
	srv := httptest.NewServer(sim)
	defer srv.Close()
	api, url := "current", srv.URL+"/api/v1"
	if cfg.API == "v2" {
		api, url = "v2", srv.URL+"/api/v2"
	}
	dir := t.TempDir()
	in := addDaysFile(t, dir, rows)
	rng := rand.New(rand.NewPCG(1, uint64(time.Now().UnixNano())))

	kills, runs := 0, 0
	for kills < 20 && runs < 200 {
		runs++
		cmd, _, _ := startBulk(t, url, testKey, "--api", api, "--concurrency", "4", in)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if code := exitOf(err); code > 1 {
				t.Fatalf("run %d exited %d before it could be killed", runs, code)
			}
		case <-time.After(time.Duration(20+rng.IntN(150)) * time.Millisecond):
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			kills++
		}
	}
	if kills < 20 {
		t.Fatalf("only %d kills landed in %d runs", kills, runs)
	}
	duringKills := len(sim.Ledger())
	// Run again until the campaign is complete; rows a renewal made
	// impossible to settle stay unknown (exit 1).
	var last string
	for i := 0; i < 5; i++ {
		cmd, out, errb := startBulk(t, url, testKey, "--api", api, "--concurrency", "4", in)
		code := exitOf(cmd.Wait())
		last = fmt.Sprintf("exit %d\n%s%s", code, out, errb)
		if code == 0 {
			break
		}
	}
	if !strings.HasPrefix(last, "exit 0") && !strings.HasPrefix(last, "exit 1") {
		t.Fatalf("campaign did not complete after the kills:\n%s", last)
	}
	t.Logf("%d kills in %d runs, %d changes meanwhile; in all the server applied %d changes and saw %d requests",
		kills, runs, duringKills, len(sim.Ledger()), len(sim.Requests()))
	checkExactlyOnce(t, sim, rows, filepath.Join(dir, "crash.report.csv"))
}

// SIGTERM mid-run: requests in flight finish, the report covers every row,
// exit 3; the same command again completes the campaign.
func TestSIGTERMThenResume(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real binary")
	}
	const rows = 200
	sim := whopsim.New(whopsim.Config{Key: testKey, NoLimit: true, AutoCreate: true, Latency: 20 * time.Millisecond})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	url := srv.URL + "/api/v1"
	dir := t.TempDir()
	in := addDaysFile(t, dir, rows)

	cmd, _, errb := startBulk(t, url, testKey, "--concurrency", "2", in)
	time.Sleep(400 * time.Millisecond)
	cmd.Process.Signal(syscall.SIGTERM)
	if code := exitOf(cmd.Wait()); code != exitStopped {
		t.Fatalf("exit %d after SIGTERM, want 3\n%s", code, errb)
	}
	if n := strings.Count(errb.String(), "bulk: stopping"); n != 1 {
		t.Errorf("%d 'stopping' lines, want 1:\n%s", n, errb)
	}
	report := readReport(t, filepath.Join(dir, "crash.report.csv"))
	st := map[string]int{}
	for _, r := range report {
		st[r["status"]]++
	}
	if len(report) != rows || st["applied"] == 0 || st["pending"] == 0 || st["unknown"] != 0 {
		t.Fatalf("report after SIGTERM: %d rows, %v", len(report), st)
	}
	cmd, out, errb := startBulk(t, url, testKey, in)
	if code := exitOf(cmd.Wait()); code != 0 {
		t.Fatalf("resume exit %d\n%s%s", code, out, errb)
	}
	checkExactlyOnce(t, sim, rows, filepath.Join(dir, "crash.report.csv"))
}

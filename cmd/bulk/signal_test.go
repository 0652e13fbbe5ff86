package main

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"bulk/internal/whopsim"
)

// waitExit waits for cmd, at most d, and returns its exit code (-1 when a
// signal killed it).
func waitExit(t *testing.T, cmd *exec.Cmd, d time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return exitOf(err)
	case <-time.After(d):
		cmd.Process.Kill()
		<-done
		t.Fatalf("bulk still running after %v", d)
		return -1
	}
}

// SIGHUP (a closed session) stops a run like SIGTERM: the report covers
// every row and says which are pending, exit 3.
func TestStopSignals(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real binary")
	}
	for _, sig := range []syscall.Signal{syscall.SIGHUP, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			const rows = 200
			sim := whopsim.New(whopsim.Config{Key: testKey, NoLimit: true, AutoCreate: true, Latency: 20 * time.Millisecond})
			srv := httptest.NewServer(sim)
			defer srv.Close()
			dir := t.TempDir()
			in := addDaysFile(t, dir, rows)
			cmd, _, errb := startBulk(t, srv.URL+"/api/v1", testKey, "--concurrency", "2", in)
			time.Sleep(400 * time.Millisecond)
			cmd.Process.Signal(sig)
			if code := waitExit(t, cmd, 30*time.Second); code != exitStopped {
				t.Fatalf("exit %d after %v, want %d\n%s", code, sig, exitStopped, errb)
			}
			if !strings.Contains(errb.String(), "bulk: stopping") {
				t.Errorf("no 'stopping' line:\n%s", errb)
			}
			st := map[string]int{}
			report := readReport(t, filepath.Join(dir, "crash.report.csv"))
			for _, r := range report {
				st[r["status"]]++
			}
			if len(report) != rows || st["applied"] == 0 || st["pending"] == 0 {
				t.Errorf("report after %v: %d rows, %v", sig, len(report), st)
			}
		})
	}
}

// brokenPipe is the write end of a pipe whose reader is gone, as stdout is
// for bulk ... | head -0 once head has exited.
func brokenPipe(t *testing.T) *os.File {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	t.Cleanup(func() { w.Close() })
	return w
}

// Nobody reading stdout or stderr must not kill bulk or stop its campaign:
// the run completes, and the report and journal are written.
func TestClosedOutputDoesNotKill(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real binary")
	}
	tests := []struct {
		name           string
		stdout, stderr bool // broken
	}{
		{"stdout (| head -0)", true, false},
		{"stderr", false, true},
		{"both", true, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const rows = 30
			sim := whopsim.New(whopsim.Config{Key: testKey, NoLimit: true, AutoCreate: true})
			srv := httptest.NewServer(sim)
			defer srv.Close()
			dir := t.TempDir()
			in := addDaysFile(t, dir, rows)
			cmd := exec.Command(bulkBinary(t), "--base-url", srv.URL+"/api/v1", "--api-limit", "none", in)
			cmd.Env = append(os.Environ(), "WHOP_API_KEY="+testKey, "BULK_STATE="+filepath.Join(dir, ".bulk"))
			var out, errb strings.Builder
			cmd.Stdout, cmd.Stderr = &out, &errb
			if tt.stdout {
				cmd.Stdout = brokenPipe(t)
			}
			if tt.stderr {
				cmd.Stderr = brokenPipe(t)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			if code := waitExit(t, cmd, 30*time.Second); code != exitOK {
				t.Fatalf("exit %d, want 0 (-1: killed by a signal)\n%s", code, errb.String())
			}
			checkExactlyOnce(t, sim, rows, filepath.Join(dir, "crash.report.csv"))
			if _, err := os.Stat(filepath.Join(dir, "crash.report.summary.json")); err != nil {
				t.Error(err)
			}
			if _, err := os.Stat(filepath.Join(dir, ".bulk", "crash.journal")); err != nil {
				t.Error(err)
			}
		})
	}
}

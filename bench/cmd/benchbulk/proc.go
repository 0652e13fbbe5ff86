package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"bulk/internal/report"
)

// command is exec.Command with no proxy settings inherited: every request
// of this harness goes to 127.0.0.1 directly.
func command(name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if strings.HasSuffix(strings.ToLower(k), "_proxy") {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, "NO_PROXY=127.0.0.1", "no_proxy=127.0.0.1")
	return cmd
}

// proc is how a subprocess ended.
type proc struct {
	wall     time.Duration // start to exit
	exit     int           // -1: killed
	maxRSS   int64         // bytes
	cpu      time.Duration // user + system
	floor    int64         // bytes: the least maxRSS the measurement can show
	stdout   string
	stderr   string
	capped   bool          // killed at its time cap
	stopWait time.Duration // from SIGTERM to exit, when one was sent
}

// runOpts says how to run a subprocess.
type runOpts struct {
	env       []string
	dir       string
	term      time.Duration // send SIGTERM after this long (0: never)
	cap       time.Duration // SIGKILL after this long (0: 30 minutes)
	stdoutCap int           // bytes of stdout kept (0: 64 KiB)
}

// runProc runs cmd to its end and measures it, through a launcher (this
// program run with -exec-child): see execChild for why.
func runProc(ctx context.Context, cmd *exec.Cmd, o runOpts) (proc, error) {
	self, err := os.Executable()
	if err != nil {
		return proc{}, err
	}
	metaR, metaW, err := os.Pipe()
	if err != nil {
		return proc{}, err
	}
	defer metaR.Close()
	l := exec.Command(self, append([]string{execChildFlag, cmd.Path}, cmd.Args[1:]...)...)
	l.Env = append(cmd.Env, o.env...)
	l.Dir = cmd.Dir
	if o.dir != "" {
		l.Dir = o.dir
	}
	var stdout, stderr headBuffer
	stdout.max, stderr.max = max(o.stdoutCap, 64<<10), 64<<10
	l.Stdout, l.Stderr = &stdout, &stderr
	l.ExtraFiles = []*os.File{metaW}
	l.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // so that a kill reaches xargs's children too
	if o.cap <= 0 {
		o.cap = 30 * time.Minute
	}
	start := time.Now()
	err = l.Start()
	metaW.Close()
	if err != nil {
		return proc{}, err
	}
	meta := make(chan string, 1)
	go func() {
		data, _ := io.ReadAll(metaR)
		meta <- string(data)
	}()
	done := make(chan error, 1)
	go func() { done <- l.Wait() }()
	var termC <-chan time.Time
	if o.term > 0 {
		t := time.NewTimer(o.term)
		defer t.Stop()
		termC = t.C
	}
	capT := time.NewTimer(o.cap)
	defer capT.Stop()
	var p proc
	var termAt time.Time
wait:
	for {
		select {
		case err = <-done:
			break wait
		case <-termC:
			termAt = time.Now()
			l.Process.Signal(syscall.SIGTERM) // the launcher passes it on
			termC = nil
		case <-capT.C:
			p.capped = true
			syscall.Kill(-l.Process.Pid, syscall.SIGKILL)
		case <-ctx.Done():
			syscall.Kill(-l.Process.Pid, syscall.SIGKILL)
			<-done
			return proc{}, ctx.Err()
		}
	}
	p.wall = time.Since(start)
	if !termAt.IsZero() {
		p.stopWait = time.Since(termAt)
	}
	p.stdout, p.stderr = stdout.String(), stderr.String()
	p.exit = l.ProcessState.ExitCode()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return p, err
	}
	if p.capped {
		return p, nil
	}
	var m childUsage
	if _, err := fmt.Sscan(<-meta, &m.maxRSSKiB, &m.cpuNs, &m.wallNs, &m.floorKiB, &m.exit); err != nil {
		return p, fmt.Errorf("%s: no usage from the launcher: %v\n%s", cmd.Path, err, tail(p.stderr, 1000))
	}
	p.maxRSS, p.floor = m.maxRSSKiB*1024, m.floorKiB*1024
	p.cpu, p.wall, p.exit = time.Duration(m.cpuNs), time.Duration(m.wallNs), m.exit
	return p, nil
}

// childUsage is what the launcher reports on file descriptor 3.
type childUsage struct {
	maxRSSKiB, cpuNs, wallNs, floorKiB int64
	exit                               int
}

const execChildFlag = "-exec-child"

// execChild runs args as a child, passes SIGTERM and SIGINT on to it,
// and reports the child's usage on file descriptor 3; it exits with the
// child's code.
//
// Why a launcher: Linux starts a child's ru_maxrss at the peak RSS of the
// address space it had before exec, and a Go parent starts children with
// vfork, sharing its own. A child of this harness, whose simulator holds
// a ledger of a million changes, would report the harness's peak as its
// own. The launcher's address space is new and small: the floor it
// reports (that address space's peak) is the least a child of it can show.
func execChild(args []string) int {
	meta := os.NewFile(3, "usage")
	cmd := exec.Command(args[0], args[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	sigs := make(chan os.Signal, 4)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT)
	start := time.Now()
	if err := cmd.Start(); err != nil {
		fmt.Fprintln(os.Stderr, "benchbulk:", err)
		return 127
	}
	go func() {
		for s := range sigs {
			cmd.Process.Signal(s)
		}
	}()
	cmd.Wait()
	wall := time.Since(start)
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	code := cmd.ProcessState.ExitCode()
	fmt.Fprintf(meta, "%d %d %d %d %d\n", ru.Maxrss, ru.Utime.Nano()+ru.Stime.Nano(), wall.Nanoseconds(), peakKiB(), code)
	meta.Close()
	if code < 0 {
		return 128 + int(cmd.ProcessState.Sys().(syscall.WaitStatus).Signal())
	}
	return code
}

// headBuffer keeps the first max bytes written to it.
type headBuffer struct {
	bytes.Buffer
	max int
}

func (c *headBuffer) Write(p []byte) (int, error) {
	if room := c.max - c.Len(); room > 0 {
		c.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// bulkRun is one run of bulk on a file.
type bulkRun struct {
	proc
	summary report.Summary
	report  string // the report's path
	state   string // the state directory
}

// bulkSpec is a run of bulk against s (nil: no server, for --plan --offline).
type bulkSpec struct {
	file  string
	state string // --state; empty: a new directory
	args  []string
	sim   *sim
	term  time.Duration
	cap   time.Duration
	tag   string // names the report: FILE.<tag>.report.csv
}

// runBulk runs the bulk binary and reads its summary.
func (b *bench) runBulk(ctx context.Context, s bulkSpec) (bulkRun, error) {
	if s.state == "" {
		d, err := os.MkdirTemp(b.dir, "state-")
		if err != nil {
			return bulkRun{}, err
		}
		s.state = d
	}
	rep := strings.TrimSuffix(s.file, filepath.Ext(s.file)) + "." + s.tag + ".report.csv"
	args := []string{"--state", s.state, "--report", rep, "--log-format", "json"}
	var env []string
	if s.sim != nil {
		args = append(append(args, "--base-url", s.sim.url), s.sim.bulkArgs()...)
		env = append(env, "WHOP_API_KEY="+s.sim.key)
	}
	args = append(append(args, s.args...), s.file)
	cmd := command(b.bin, args...)
	p, err := runProc(ctx, cmd, runOpts{env: env, term: s.term, cap: s.cap})
	r := bulkRun{proc: p, report: rep, state: s.state}
	if err != nil {
		return r, err
	}
	if p.exit == 2 || p.capped {
		return r, fmt.Errorf("bulk %s: exit %d (capped %v)\n%s", strings.Join(args, " "), p.exit, p.capped, tail(p.stderr, 2000))
	}
	r.summary, err = report.ReadSummary(report.SummaryPath(rep))
	if err != nil {
		return r, fmt.Errorf("bulk exited %d without a summary: %w\n%s", p.exit, err, tail(p.stderr, 2000))
	}
	return r, nil
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// peakKiB is this process's VmHWM: the peak RSS of its address space
// (getrusage would say the harness's, inherited across exec).
func peakKiB() int64 {
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kib int64
			fmt.Sscan(v, &kib)
			return kib
		}
	}
	return 0
}

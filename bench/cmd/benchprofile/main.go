// Command benchprofile runs what `bulk FILE` runs — validate the file, open
// the journal, apply every row through the engine, write the report — in
// this process under the CPU profiler, against the simulator served by a
// second process on 127.0.0.1 (so that the profile holds bulk's work only).
// The Current API unless -api v2.
//
//	go run ./bench/cmd/benchprofile -rows 20000 -kind metadata -cpuprofile cpu.out
//	go tool pprof -top cpu.out
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	"bulk/internal/batch"
	"bulk/internal/client"
	"bulk/internal/input"
	"bulk/internal/journal"
	"bulk/internal/report"
	"bulk/internal/whopsim"
)

func main() {
	serve := flag.Bool("serve", false, "serve a simulator with no limit and print its URL (used by this command itself)")
	api := flag.String("api", "current", "the API both sides speak: current or v2")
	rows := flag.Int("rows", 20_000, "rows to apply")
	kind := flag.String("kind", "metadata", "rows: metadata (an update each) or days (a GET and a POST each)")
	concurrency := flag.Int("concurrency", 8, "requests in flight")
	profile := flag.String("cpuprofile", "cpu.out", "write the CPU profile here")
	heap := flag.String("memprofile", "", "write a heap profile here at the end of the run")
	file := flag.String("file", "", "apply this CSV file instead of generated rows")
	state := flag.String("state", "", "with -file: the state directory of an earlier run (to profile resuming it)")
	campaign := flag.String("campaign", "profile", "with -file: the campaign")
	flag.Parse()
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(48 << 20) // as cmd/bulk sets it
	}
	var err error
	if *serve {
		err = serveSim(*api)
	} else {
		err = apply(run{api: *api, rows: *rows, kind: *kind, concurrency: *concurrency, cpu: *profile, heap: *heap,
			file: *file, state: *state, campaign: *campaign})
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchprofile:", err)
		os.Exit(1)
	}
}

const key = "bench_profile"

// serveSim serves until its standard input closes.
func serveSim(api string) error {
	url, stop, err := whopsim.Listen(whopsim.Config{API: api, Key: key, NoLimit: true, NoLog: true, AutoCreate: true})
	if err != nil {
		return err
	}
	defer stop()
	fmt.Println(url)
	io.Copy(io.Discard, os.Stdin)
	return nil
}

// run is what to profile.
type run struct {
	api         string
	rows        int
	kind        string
	concurrency int
	cpu, heap   string // profile paths
	file        string
	state       string
	campaign    string
}

func apply(o run) error {
	dir, err := os.MkdirTemp("", "benchprofile-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if o.file == "" {
		o.file = filepath.Join(dir, "rows.csv")
		if err := writeRows(o.file, o.rows, o.kind); err != nil {
			return err
		}
	}
	if o.state == "" {
		o.state = filepath.Join(dir, ".bulk")
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	srv := exec.Command(self, "-serve", "-api", o.api)
	in, _ := srv.StdinPipe()
	out, _ := srv.StdoutPipe()
	srv.Stderr = os.Stderr
	if err := srv.Start(); err != nil {
		return err
	}
	defer func() { in.Close(); srv.Wait() }()
	base, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return fmt.Errorf("simulator: %w", err)
	}

	f, err := os.Create(o.cpu)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := pprof.StartCPUProfile(f); err != nil {
		return err
	}
	start := time.Now()
	n, err := applyFile(o, dir, strings.TrimSpace(base))
	elapsed := time.Since(start)
	pprof.StopCPUProfile()
	if err != nil {
		return err
	}
	fmt.Printf("%d rows in %.2f s: %.0f rows/s (profile: %s)\n", n, elapsed.Seconds(), float64(n)/elapsed.Seconds(), o.cpu)
	return nil
}

// applyFile is the path of `bulk --api-limit none FILE` (cmd/bulk's
// command.apply, less its summary and messages; metadata merged, the
// default); it returns the rows applied.
func applyFile(o run, dir, base string) (int, error) {
	t := time.Now()
	lap := func(what string) {
		fmt.Fprintf(os.Stderr, "benchprofile: %-22s %6.2f s\n", what, time.Since(t).Seconds())
		t = time.Now()
	}
	scan, err := input.ScanFile(o.file, input.CSV, true)
	if err != nil {
		return 0, err
	}
	if scan.ProblemCount > 0 {
		return 0, fmt.Errorf("%d problems in %s", scan.ProblemCount, o.file)
	}
	lap("validate the file")
	api, err := client.New(client.Options{API: o.api, BaseURL: base, Key: key, MaxConns: o.concurrency})
	if err != nil {
		return 0, err
	}
	j, err := journal.Open(o.state, o.campaign, journal.Options{OpenedKeysOnly: true})
	if err != nil {
		return 0, err
	}
	defer j.Close()
	lap("open the journal")
	rows, err := input.OpenRows(o.file, input.CSV, scan.Extra)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	w, err := report.Create(filepath.Join(dir, "rows.report.csv"), scan.Extra)
	if err != nil {
		return 0, err
	}
	defer w.Abort()
	eng := batch.New(api, j, batch.Options{
		Campaign: o.campaign, RunID: "profile", InputSHA256: scan.SHA256,
		Concurrency: o.concurrency, Pace: batch.Pace{Unlimited: true},
	})
	if err := eng.Run(context.Background(), rows, w.Write); err != nil {
		return 0, err
	}
	if err := j.Sync(); err != nil {
		return 0, err
	}
	lap("apply the rows")
	if err := w.Commit(); err != nil {
		return 0, err
	}
	lap("commit the report")
	if o.heap != "" {
		f, err := os.Create(o.heap)
		if err != nil {
			return 0, err
		}
		defer f.Close()
		runtime.GC()
		if err := pprof.WriteHeapProfile(f); err != nil {
			return 0, err
		}
	}
	return scan.Rows, nil
}

func writeRows(path string, n int, kind string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	fmt.Fprintln(w, "membership_id,days,metadata")
	for i := range n {
		if kind == "days" {
			fmt.Fprintf(w, "mem_P%08d,%d,\n", i, 1+i%30)
		} else {
			fmt.Fprintf(w, "mem_P%08d,,\"{\"\"comp_campaign\"\":\"\"bench\"\"}\"\n", i)
		}
	}
	if err := w.Flush(); err != nil {
		return err
	}
	return f.Close()
}

// Command benchbulk measures bulk against the Whop simulator served on
// loopback (the Current API; v2 where a scenario says so): its pace at the
// real limit, whole campaigns at each API's real limit, its overhead over
// a bare HTTP loop, its pace under latency, a side-by-side run with the
// tools an operator would otherwise use, its memory as the file grows,
// and resuming a finished campaign of a million rows.
//
// It builds bin/bulk into a work directory and runs it as a subprocess, so
// what it measures is the command as shipped. The simulator runs in this
// process, which reads its request log and ledger.
//
//	go run ./bench/cmd/benchbulk                 # every scenario
//	go run ./bench/cmd/benchbulk -only pace,resume
//	go run ./bench/cmd/benchbulk -only api
//	go run ./bench/cmd/benchbulk -quick          # shorter runs, one of each
//
// Nothing here talks to anything but 127.0.0.1.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"time"
)

var scenarios = []string{"pace", "api", "select", "overhead", "latency", "compare", "memory", "resume"}

type config struct {
	only     []string
	quick    bool
	runs     int
	dir      string
	keep     bool
	maxRows  int           // largest file of the memory and resume scenarios
	toolCap  time.Duration // longest a tool may run in the compare scenario
	markdown string        // also write the results as Markdown here
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == execChildFlag {
		os.Exit(execChild(os.Args[2:]))
	}
	if len(os.Args) > 1 && os.Args[1] == bareLoopFlag {
		os.Exit(bareLoopMain(os.Args[2:]))
	}
	var c config
	var only string
	flag.StringVar(&only, "only", strings.Join(scenarios, ","), "scenarios to run, comma-separated: "+strings.Join(scenarios, ","))
	flag.BoolVar(&c.quick, "quick", false, "shorter runs, one of each (a smoke test, not a measurement)")
	flag.IntVar(&c.runs, "runs", 2, "runs of each timed scenario; the better is reported, with the spread")
	flag.StringVar(&c.dir, "dir", "", "work directory (default: a new temporary directory)")
	flag.BoolVar(&c.keep, "keep", false, "keep the work directory")
	flag.IntVar(&c.maxRows, "max-rows", 1_000_000, "rows of the largest file in the memory and resume scenarios")
	flag.DurationVar(&c.toolCap, "tool-cap", 5*time.Minute, "longest a tool may run in the compare scenario")
	flag.StringVar(&c.markdown, "markdown", "", "also write the result tables as Markdown to this file")
	flag.Parse()
	for _, s := range strings.Split(only, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if !slices.Contains(scenarios, s) {
			fmt.Fprintf(os.Stderr, "benchbulk: unknown scenario %q (have %s)\n", s, strings.Join(scenarios, ","))
			os.Exit(2)
		}
		c.only = append(c.only, s)
	}
	if c.quick {
		c.runs = 1
	}
	c.runs = max(c.runs, 1)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, c); err != nil {
		fmt.Fprintln(os.Stderr, "benchbulk:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, c config) error {
	// The simulator keeps a ledger of every change, millions of entries in
	// the memory scenario: collect less often, so that the server in this
	// process takes less of the CPU that bulk needs.
	debug.SetGCPercent(400)
	dir := c.dir
	if dir == "" {
		d, err := os.MkdirTemp("", "benchbulk-")
		if err != nil {
			return err
		}
		dir = d
		if !c.keep {
			defer os.RemoveAll(dir)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	b := &bench{cfg: c, dir: dir, out: os.Stdout, notes: map[string][]string{}, tables: map[string][]string{}}
	if err := b.build(); err != nil {
		return err
	}
	b.printMachine()
	run := map[string]func(context.Context) error{
		"pace": b.pace, "api": b.api, "select": b.selectMemberships, "overhead": b.overhead, "latency": b.latency,
		"compare": b.compare, "memory": b.memory, "resume": b.resume,
	}
	for _, s := range scenarios { // always in this order: resume reuses memory's campaign
		if !slices.Contains(c.only, s) {
			continue
		}
		start, load := time.Now(), loadAverage()
		fmt.Fprintf(b.out, "\n## %s\n\n", s)
		if err := run[s](ctx); err != nil {
			return fmt.Errorf("%s: %w", s, err)
		}
		b.note(s, "load average (1 min) of the machine: %s at the start, %s at the end", load, loadAverage())
		b.printTable(s)
		fmt.Fprintf(b.out, "\n(%s took %s)\n", s, time.Since(start).Round(time.Second))
		if ctx.Err() != nil {
			return ctx.Err()
		}
	}
	if c.markdown != "" {
		return b.writeMarkdown(c.markdown)
	}
	if c.keep || c.dir != "" {
		fmt.Fprintln(b.out, "\nwork directory:", dir)
	}
	return nil
}

// bench is one invocation of the harness.
type bench struct {
	cfg     config
	dir     string
	bin     string
	out     *os.File
	results []result
	notes   map[string][]string
	tables  map[string][]string // tables of their own, printed before the metrics
	done    map[int]campaign    // finished campaigns by rows, for resume
}

// build compiles bulk into the work directory.
func (b *bench) build() error {
	b.bin = filepath.Join(b.dir, "bulk")
	out, err := command("go", "build", "-o", b.bin, "./cmd/bulk").CombinedOutput()
	if err != nil {
		return fmt.Errorf("go build ./cmd/bulk (run benchbulk from the repository's root): %v\n%s", err, out)
	}
	return nil
}

// loadAverage is the machine's 1-minute load average: how busy other
// processes kept it.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Fields(string(data))[0]
}

// note adds a line printed under a scenario's table.
func (b *bench) note(scenario, format string, args ...any) {
	b.notes[scenario] = append(b.notes[scenario], fmt.Sprintf(format, args...))
}

// progress prints a line while a scenario runs.
func (b *bench) progress(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "benchbulk: "+format+"\n", args...)
}

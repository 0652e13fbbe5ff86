package main

import (
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"
)

// result is one line of a scenario's table.
type result struct {
	scenario string
	metric   string
	value    string
	target   string // empty: measured for information
	verdict  string // "pass", "MISS" or empty
	runs     string // every run's value, when there were several
}

func (b *bench) add(r result) { b.results = append(b.results, r) }

// check adds a measured number against a target: at least (atLeast) or at
// most the bound.
func (b *bench) check(scenario, metric string, value float64, unit string, atLeast bool, bound float64, runs []float64) {
	ok := value <= bound
	target := fmt.Sprintf("≤ %s%s", num(bound), unit)
	if atLeast {
		ok = value >= bound
		target = fmt.Sprintf("≥ %s%s", num(bound), unit)
	}
	b.add(result{scenario: scenario, metric: metric, value: num(value) + unit, target: target, verdict: verdict(ok), runs: runList(runs, unit)})
}

// info adds a measured number without a target.
func (b *bench) info(scenario, metric, value string, runs []float64, unit string) {
	b.add(result{scenario: scenario, metric: metric, value: value, runs: runList(runs, unit)})
}

func verdict(ok bool) string {
	if ok {
		return "pass"
	}
	return "MISS"
}

// best is the best of several runs: the highest, or the lowest when lower
// is better.
func best(vals []float64, lowerIsBetter bool) float64 {
	if len(vals) == 0 {
		return 0
	}
	v := vals[0]
	for _, x := range vals[1:] {
		if (lowerIsBetter && x < v) || (!lowerIsBetter && x > v) {
			v = x
		}
	}
	return v
}

// worst is the opposite of best.
func worst(vals []float64, lowerIsBetter bool) float64 { return best(vals, !lowerIsBetter) }

func runList(vals []float64, unit string) string {
	if len(vals) < 2 {
		return ""
	}
	s := make([]string, len(vals))
	for i, v := range vals {
		s[i] = num(v)
	}
	return strings.Join(s, " / ") + unit
}

// num prints a number with as many digits as it deserves.
func num(v float64) string {
	switch a := abs(v); {
	case a == float64(int64(a)) && a < 1e15:
		return fmt.Sprintf("%d", int64(v))
	case a >= 100:
		return fmt.Sprintf("%.0f", v)
	case a >= 10:
		return fmt.Sprintf("%.1f", v)
	case a >= 1:
		return fmt.Sprintf("%.2f", v)
	default:
		return fmt.Sprintf("%.3f", v)
	}
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

func secs(d time.Duration) float64 { return d.Seconds() }

func mib(bytes int64) float64 { return float64(bytes) / (1 << 20) }

func (b *bench) printTable(scenario string) { b.writeTable(b.out, scenario) }

func (b *bench) writeTable(w io.Writer, scenario string) {
	for _, t := range b.tables[scenario] {
		fmt.Fprintln(w, t)
	}
	head := false
	for _, r := range b.results {
		if r.scenario != scenario {
			continue
		}
		if !head {
			fmt.Fprintln(w, "| metric | value | target | verdict | runs |")
			fmt.Fprintln(w, "| --- | --- | --- | --- | --- |")
			head = true
		}
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", r.metric, r.value, r.target, r.verdict, r.runs)
	}
	for _, n := range b.notes[scenario] {
		fmt.Fprintf(w, "\n- %s", n)
	}
	if len(b.notes[scenario]) > 0 {
		fmt.Fprintln(w)
	}
}

func (b *bench) writeMarkdown(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	fmt.Fprintf(f, "Machine: %s\nbulk: %s\n", machine(), revision())
	for _, s := range b.cfg.only {
		fmt.Fprintf(f, "\n### %s\n\n", s)
		b.writeTable(f, s)
	}
	return f.Close()
}

func (b *bench) printMachine() {
	fmt.Fprintf(b.out, "# benchbulk\n\nmachine: %s\n", machine())
	mode := fmt.Sprintf("%d run(s) of each timed scenario", b.cfg.runs)
	if b.cfg.quick {
		mode = "quick (shortened, one run each: a smoke test)"
	}
	fmt.Fprintf(b.out, "mode: %s\n", mode)
	fmt.Fprintf(b.out, "bulk: %s\n", revision())
}

// machine describes the host: CPUs, model, memory, Go, kernel.
func machine() string {
	model := "?"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := "?"
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		if _, err := fmt.Sscanf(string(data), "MemTotal: %d kB", &kb); err == nil {
			mem = fmt.Sprintf("%.1f GiB", float64(kb)/(1<<20))
		}
	}
	kernel := "?"
	if data, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = strings.TrimSpace(string(data))
	}
	return fmt.Sprintf("%d CPUs (%s), %s RAM, %s, Linux %s", runtime.NumCPU(), model, mem, runtime.Version(), kernel)
}

// revision names the commit bulk was built from, and whether the tree
// had changes outside bench/ then.
func revision() string {
	head, err := command("git", "rev-parse", "--short", "HEAD").Output()
	if err != nil {
		return "not a git checkout"
	}
	rev := "commit " + strings.TrimSpace(string(head))
	if st, err := command("git", "status", "--porcelain", "--", ".", ":!bench").Output(); err == nil && len(st) > 0 {
		rev += ", with uncommitted changes"
	}
	return rev
}

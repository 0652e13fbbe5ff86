package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"bulk/internal/whopsim"
)

// A report (or the summary beside it) must never replace what is not a
// report: the input, a file of the state directory, a device, a FIFO, a
// directory. Such a path is refused with exit 2 before anything is sent
// and before the state directory is made.
func TestReportPathThatWouldReplaceSomethingElse(t *testing.T) {
	const content = "membership_id,days\nmem_x1,7\n"
	tests := []struct {
		name  string
		setup func(t *testing.T, dir, in string) []string // extra args; the input is dir/a.csv
		says  string                                      // the path the message names
	}{
		{"the input", func(t *testing.T, dir, in string) []string {
			return []string{"--report", in}
		}, "a.csv"},
		{"the input, spelled otherwise", func(t *testing.T, dir, in string) []string {
			return []string{"--report", filepath.Join(dir, ".", "sub", "..", "a.csv")}
		}, "a.csv"},
		{"a hard link to the input", func(t *testing.T, dir, in string) []string {
			must(t, os.Link(in, filepath.Join(dir, "link.csv")))
			return []string{"--report", filepath.Join(dir, "link.csv")}
		}, "link.csv"},
		{"a symlink to the input", func(t *testing.T, dir, in string) []string {
			must(t, os.Symlink(in, filepath.Join(dir, "sym.csv")))
			return []string{"--report", filepath.Join(dir, "sym.csv")}
		}, "sym.csv"},
		{"inside the default state directory", func(t *testing.T, dir, in string) []string {
			return []string{"--report", filepath.Join(dir, ".bulk", "a.journal")}
		}, filepath.Join(".bulk", "a.journal")},
		{"inside --state", func(t *testing.T, dir, in string) []string {
			return []string{"--state", filepath.Join(dir, "st"), "--report", filepath.Join(dir, "st", "x", "r.csv")}
		}, filepath.Join("st", "x", "r.csv")},
		{"inside --state through a symlink", func(t *testing.T, dir, in string) []string {
			must(t, os.Mkdir(filepath.Join(dir, "real"), 0o700))
			must(t, os.Symlink(filepath.Join(dir, "real"), filepath.Join(dir, "alias")))
			return []string{"--state", filepath.Join(dir, "real"), "--report", filepath.Join(dir, "alias", "a.journal")}
		}, filepath.Join("alias", "a.journal")},
		{"a directory", func(t *testing.T, dir, in string) []string {
			must(t, os.Mkdir(filepath.Join(dir, "d"), 0o700))
			return []string{"--report", filepath.Join(dir, "d")}
		}, "d"},
		{"a FIFO", func(t *testing.T, dir, in string) []string {
			must(t, syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600))
			return []string{"--report", filepath.Join(dir, "fifo")}
		}, "fifo"},
		{"a symlink to a directory", func(t *testing.T, dir, in string) []string {
			must(t, os.Mkdir(filepath.Join(dir, "d"), 0o700))
			must(t, os.Symlink(filepath.Join(dir, "d"), filepath.Join(dir, "r.csv")))
			return []string{"--report", filepath.Join(dir, "r.csv")}
		}, "r.csv"},
		{"the summary is a directory", func(t *testing.T, dir, in string) []string {
			must(t, os.Mkdir(filepath.Join(dir, "r.summary.json"), 0o700))
			return []string{"--report", filepath.Join(dir, "r.csv")}
		}, "r.summary.json"},
		{"the summary is the input", func(t *testing.T, dir, in string) []string {
			return []string{"--report", filepath.Join(dir, "a.csv.x")} // its summary: a.csv.summary.json
		}, "a.csv.summary.json"},
	}
	for _, tt := range tests {
		for _, plan := range []bool{false, true} {
			name := tt.name
			if plan {
				name += "/plan"
			}
			t.Run(name, func(t *testing.T) {
				c := newCLI(t, whopsim.Config{})
				in := c.file("a.csv", content)
				if tt.name == "the summary is the input" {
					// a.csv.x's summary is a.csv.summary.json: make that the input.
					in = c.file("a.csv.summary.json", content)
				}
				args := tt.setup(t, c.dir, in)
				if plan {
					args = append(args, "--plan")
				}
				code, stdout, stderr := c.run(append(args, "--format", "csv", in)...)
				if code != exitInput {
					t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitInput, stderr)
				}
				if !strings.HasPrefix(stderr, "bulk: ") || !strings.Contains(stderr, tt.says) {
					t.Errorf("stderr does not name %s:\n%s", tt.says, stderr)
				}
				if strings.Contains(stderr, "run the same command again") {
					t.Errorf("stderr says to run again:\n%s", stderr)
				}
				if stdout != "" {
					t.Errorf("stdout: %q", stdout)
				}
				if n := len(c.sim.Requests()); n != 0 {
					t.Errorf("%d requests sent", n)
				}
				if got, _ := os.ReadFile(in); string(got) != content {
					t.Errorf("input now holds %q", got)
				}
				for _, st := range []string{".bulk", "st"} {
					if _, err := os.Stat(filepath.Join(c.dir, st)); err == nil {
						t.Errorf("state directory %s was made", st)
					}
				}
				if fi, err := os.Lstat(filepath.Join(c.dir, "fifo")); err == nil && fi.Mode()&os.ModeNamedPipe == 0 {
					t.Error("the FIFO was replaced")
				}
			})
		}
	}
}

// Ordinary reports are still written: a new file, and an earlier report
// replaced.
func TestReportPathOrdinary(t *testing.T) {
	c := newCLI(t, whopsim.Config{})
	in := c.file("a.csv", "membership_id,days\nmem_x1,7\n")
	out := filepath.Join(c.dir, "out", "r.csv")
	must(t, os.Mkdir(filepath.Dir(out), 0o700))
	for i := 0; i < 2; i++ {
		if code, _, stderr := c.run("--report", out, "--campaign", "c"+string(rune('0'+i)), in); code != exitOK {
			t.Fatalf("run %d: exit %d:\n%s", i, code, stderr)
		}
	}
	if rows := readReport(t, out); len(rows) != 1 {
		t.Errorf("%d report rows, want 1", len(rows))
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// A run removes the temporary report and summary files that a killed run
// of the same report left (their writer is gone and they are old), and
// leaves everything else.
func TestStaleTemporaryReportsAreRemoved(t *testing.T) {
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	must(t, cmd.Run())
	dead := strconv.Itoa(cmd.Process.Pid)
	c := newCLI(t, whopsim.Config{})
	in := c.file("a.csv", "membership_id,days\nmem_x1,7\n")
	old := time.Now().Add(-time.Hour)
	files := []struct {
		name string
		gone bool
	}{
		{".a.report.csv.tmp-" + dead + "-123", true},
		{".a.report.summary.json.tmp-" + dead + "-456", true},
		{".a.report.csv.tmp-" + strconv.Itoa(os.Getpid()) + "-789", false}, // a live writer's
		{".b.report.csv.tmp-" + dead + "-123", false},                      // another report's
		{".a.report.csv.tmp-" + dead + "-123.keep", false},
	}
	for _, f := range files {
		p := filepath.Join(c.dir, f.name)
		must(t, os.WriteFile(p, []byte("partial"), 0o600))
		must(t, os.Chtimes(p, old, old))
	}
	if code, _, stderr := c.run("--plan", "--offline", in, "--report", filepath.Join(c.dir, "a.report.csv")); code != exitOK {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	for _, f := range files {
		_, err := os.Stat(filepath.Join(c.dir, f.name))
		if gone := err != nil; gone != f.gone {
			t.Errorf("%s: removed %v, want %v", f.name, gone, f.gone)
		}
	}
}

package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"bulk/internal/report"
)

// checkOutputs refuses, before any state is touched, a report or summary
// path whose file the run would replace although it is not an earlier
// report: the input itself, a file of the state directory (a journal, a
// lock), or anything but a regular file (a device such as /dev/null, a
// FIFO, a directory, or a symlink to one of them). The rename that
// commits a report would put a regular file in its place.
func (c *command) checkOutputs() error {
	sum := report.SummaryPath(c.o.report)
	if err := checkOutput("the report "+c.o.report, c.o.report, c.o.file, c.o.state); err != nil {
		return err
	}
	return checkOutput("the summary "+sum+" beside the report", sum, c.o.file, c.o.state)
}

// checkOutput checks one path to be written; what names it in the message.
func checkOutput(what, path, input, state string) error {
	switch {
	case samePath(path, input):
		return &fixError{err: fmt.Errorf("%s is the input file: writing the report would replace it", what), hint: otherReport}
	case within(path, state):
		return &fixError{err: fmt.Errorf("%s is inside the state directory %s: writing the report could replace a journal", what, state), hint: otherReport}
	}
	fi, err := os.Stat(path) // through a symlink, to what it names
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return nil // not ours to judge: writing it will say what is wrong
	case !fi.Mode().IsRegular():
		return &fixError{err: fmt.Errorf("%s is %s, not a regular file: the report would replace it", what, kindOf(fi.Mode())), hint: otherReport}
	}
	return nil
}

const otherReport = "choose another report path with --report PATH; nothing was sent"

// samePath: a and b are one file — by os.SameFile when both exist (hard
// links, symlinks), else by their cleaned absolute paths.
func samePath(a, b string) bool {
	fa, errA := os.Stat(a)
	fb, errB := os.Stat(b)
	if errA == nil && errB == nil {
		return os.SameFile(fa, fb)
	}
	return absPath(a) == absPath(b)
}

// within: path is dir or lies under it, by cleaned absolute paths and
// again with symlinks resolved where they exist.
func within(path, dir string) bool {
	under := func(p, d string) bool {
		rel, err := filepath.Rel(d, p)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	if under(absPath(path), absPath(dir)) {
		return true
	}
	rd, err := filepath.EvalSymlinks(dir)
	if err != nil {
		return false
	}
	return under(resolved(path), absPath(rd))
}

// resolved is path with the symlinks of its longest existing prefix
// resolved, the rest appended as it is.
func resolved(path string) string {
	p := absPath(path)
	var rest []string
	for {
		if r, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Join(append([]string{r}, rest...)...)
		}
		parent := filepath.Dir(p)
		if parent == p {
			return absPath(path)
		}
		rest = append([]string{filepath.Base(p)}, rest...)
		p = parent
	}
}

func absPath(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}

func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	}
	return "a special file"
}

// removeStaleTemps removes the temporary report, summary, page and retry files that a
// run killed while writing them left behind (see report.RemoveStaleTemps
// for which: those whose writing process is gone). A failure only warns.
func (c *command) removeStaleTemps() {
	for _, p := range []string{c.o.report, report.SummaryPath(c.o.report), report.PagePath(c.o.report),
		report.RetryPath(c.o.report, false), report.RetryPath(c.o.report, true)} {
		removed, err := report.RemoveStaleTemps(p)
		for _, f := range removed {
			c.ui.info("removed a temporary file left by an interrupted run", "file", f)
		}
		if err != nil {
			c.ui.warn("could not clean up after an interrupted run", "error", err)
		}
	}
}

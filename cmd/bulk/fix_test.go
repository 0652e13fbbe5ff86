package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"bulk/internal/journal"
	"bulk/internal/whopsim"
)

// A file whose name cannot name a campaign is a usage error with a way
// out (--campaign), not "run again": running again meets the same name.
func TestCampaignNameFromTheFile(t *testing.T) {
	tests := []struct {
		file string
		args []string
		want int
	}{
		{"my file.csv", []string{"--plan", "--offline"}, exitInput},
		{"é.csv", []string{"--plan", "--offline"}, exitInput},
		{".hidden.csv", []string{"--plan", "--offline"}, exitInput},
		{"my file.csv", nil, exitInput},
		{"ok.csv", []string{"--campaign", "bad name", "--plan", "--offline"}, exitInput},
		{"my file.csv", []string{"--campaign", "fine", "--plan", "--offline"}, exitOK},
	}
	for _, tt := range tests {
		t.Run(tt.file+strings.Join(tt.args, " "), func(t *testing.T) {
			c := newCLI(t, whopsim.Config{})
			in := c.file(tt.file, "membership_id,days\nmem_x1,7\n")
			code, _, stderr := c.run(append(tt.args, in)...)
			if code != tt.want {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.want, stderr)
			}
			if tt.want == exitOK {
				return
			}
			if !strings.Contains(stderr, "bulk: hint: name the campaign with --campaign NAME") || strings.Contains(stderr, "run the same command again") {
				t.Errorf("stderr:\n%s", stderr)
			}
			if n := len(c.sim.Requests()); n != 0 {
				t.Errorf("%d requests sent", n)
			}
		})
	}
}

// A corrupt journal stops every run at the same line: exit 2 (nothing is
// sent), naming the journal and the line, not "run again".
func TestCorruptJournal(t *testing.T) {
	tests := []struct {
		name    string
		corrupt func(good string) string // the journal's new content, from a good one
		line    int
		plan    bool
	}{
		{"first line", func(good string) string { return "{not a record\n" + good }, 1, false},
		{"a middle line", func(good string) string {
			first, rest, _ := strings.Cut(good, "\n")
			return first + "\n{not a record\n" + rest
		}, 2, false},
		{"a middle line, plan", func(good string) string {
			first, rest, _ := strings.Cut(good, "\n")
			return first + "\n{not a record\n" + rest
		}, 2, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(t, whopsim.Config{})
			in := c.file("a.csv", "membership_id,days\nmem_x1,7\nmem_x2,7\n")
			if code, _, stderr := c.run(in); code != exitOK {
				t.Fatalf("first run: exit %d\n%s", code, stderr)
			}
			jpath := filepath.Join(c.dir, ".bulk", "a.journal")
			good, err := os.ReadFile(jpath)
			must(t, err)
			bad := tt.corrupt(string(good))
			must(t, os.WriteFile(jpath, []byte(bad), 0o600))
			os.WriteFile(in, []byte("membership_id,days\nmem_x1,7\nmem_x2,7\nmem_x3,7\n"), 0o644)
			before := len(c.sim.Requests())
			args := []string{in}
			if tt.plan {
				args = []string{"--plan", in}
			}
			code, _, stderr := c.run(args...)
			if code != exitInput {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, exitInput, stderr)
			}
			want := fmt.Sprintf("bulk: hint: inspect %s at line %d: bulk never rewrites a journal", jpath, tt.line)
			if !strings.Contains(stderr, want) || strings.Contains(stderr, "run the same command again") {
				t.Errorf("stderr does not say %q:\n%s", want, stderr)
			}
			if n := len(c.sim.Requests()) - before; n != 0 && !tt.plan {
				t.Errorf("%d requests sent", n)
			}
			if got, _ := os.ReadFile(jpath); string(got) != bad {
				t.Error("the journal was changed")
			}
		})
	}
}

// needsFix and exitCode: what cannot be fixed by running again says what
// to fix, exits 2 when nothing was sent, and 3 (with the same hint) when
// changes may have been sent before it.
func TestNeedsFix(t *testing.T) {
	dir := t.TempDir()
	state := filepath.Join(dir, ".bulk")
	must(t, os.Mkdir(state, 0o700))
	lock := filepath.Join(state, "a.lock")
	must(t, os.WriteFile(lock, nil, 0o600))
	corrupt := &journal.CorruptError{Path: filepath.Join(state, "a.journal"), Line: 7, Err: errors.New("bad")}
	tests := []struct {
		name     string
		err      error
		sent     bool
		wantCode int
		wantHint string // "": not a fixError
	}{
		{"corrupt journal", fmt.Errorf("journal: %w", corrupt), false, exitInput, "inspect " + corrupt.Path + " at line 7"},
		{"corrupt journal after sending", corrupt, true, exitStopped, "inspect " + corrupt.Path + " at line 7"},
		{"lock file not writable", &fs.PathError{Op: "open", Path: lock, Err: syscall.EACCES}, false, exitInput, lock + " must be writable"},
		{"state directory not writable", &fs.PathError{Op: "open", Path: filepath.Join(state, "new.lock"), Err: syscall.EACCES}, false, exitInput, state + " must be writable"},
		{"state directory on a read-only file system", &fs.PathError{Op: "mkdir", Path: state, Err: syscall.EROFS}, false, exitInput, dir + " must be writable"},
		{"report directory not writable", fmt.Errorf("create r.csv: %w", &fs.PathError{Op: "createtemp", Path: filepath.Join(dir, "out", ".r.csv.tmp-1-*"), Err: syscall.EACCES}), false, exitInput, filepath.Join(dir, "out") + " must be writable"},
		{"summary not writable after sending", fmt.Errorf("write the summary: %w", &fs.PathError{Op: "createtemp", Path: filepath.Join(dir, ".r.summary.json.tmp-1-*"), Err: syscall.EPERM}), true, exitStopped, dir + " must be writable"},
		{"anything else", errors.New("disk on fire"), false, exitStopped, ""},
		{"a usage error stays one", &usageError{"no"}, false, exitInput, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := needsFix(tt.err, tt.sent)
			if got := exitCode(err, false); got != tt.wantCode {
				t.Errorf("exit %d, want %d", got, tt.wantCode)
			}
			var fx *fixError
			switch {
			case tt.wantHint == "" && errors.As(err, &fx):
				t.Errorf("got a fixError, hint %q", fx.hint)
			case tt.wantHint != "" && !errors.As(err, &fx):
				t.Errorf("got %T %v, want a fixError", err, err)
			case tt.wantHint != "" && !strings.HasPrefix(fx.hint, tt.wantHint):
				t.Errorf("hint %q, want it to begin %q", fx.hint, tt.wantHint)
			}
			if !errors.Is(err, tt.err) {
				t.Error("the cause is lost")
			}
		})
	}
}

// A read-only state directory is exit 2 with the directory named (not as
// root: root writes anyway).
func TestReadOnlyStateDirectory(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root ignores directory permissions")
	}
	c := newCLI(t, whopsim.Config{})
	in := c.file("a.csv", "membership_id,days\nmem_x1,7\n")
	state := filepath.Join(c.dir, "st")
	must(t, os.Mkdir(state, 0o500))
	t.Cleanup(func() { os.Chmod(state, 0o700) })
	code, _, stderr := c.run("--state", state, in)
	if code != exitInput || !strings.Contains(stderr, state+" must be writable") {
		t.Errorf("exit %d, want %d naming %s; stderr:\n%s", code, exitInput, state, stderr)
	}
}

// WHOP_API_KEY from a secret file often ends with a newline: surrounding
// whitespace is trimmed; whitespace or a control character inside is
// refused before any request, without printing the key.
func TestAPIKeyWhitespace(t *testing.T) {
	tests := []struct {
		name string
		key  string
		want int
	}{
		{"trailing newline", testKey + "\n", exitOK},
		{"CRLF and spaces", "  " + testKey + "\r\n", exitOK},
		{"tab in front", "\t" + testKey, exitOK},
		{"space inside", testKey[:8] + " " + testKey[8:], exitInput},
		{"newline inside", testKey[:8] + "\n" + testKey[8:], exitInput},
		{"control inside", testKey[:8] + "\x00" + testKey[8:], exitInput},
		{"only whitespace", " \n", exitInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := newCLI(t, whopsim.Config{})
			c.key = tt.key
			in := c.file("a.csv", "membership_id,days\nmem_x1,7\n")
			code, stdout, stderr := c.run(in)
			if code != tt.want {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tt.want, stderr)
			}
			if tt.want != exitOK {
				if n := len(c.sim.Requests()); n != 0 {
					t.Errorf("%d requests sent", n)
				}
				if !strings.Contains(stderr, "WHOP_API_KEY") {
					t.Errorf("stderr does not name WHOP_API_KEY:\n%s", stderr)
				}
			}
			for _, part := range []string{testKey[:8], testKey[8:]} {
				if strings.Contains(stdout+stderr, part) {
					t.Errorf("output holds part of the key %q", part)
				}
			}
		})
	}
}

func TestRateBounds(t *testing.T) {
	tests := []struct {
		rate string
		ok   bool
	}{
		{"1e-300", false},
		{"0.001", false},
		{"NaN", false},
		{"Inf", false},
		{"+Inf", false},
		{"-1", false},
		{"0.01", true},
		{"0", true}, // the default pace
		{"5", true},
		{"1e6", true},
	}
	for _, tt := range tests {
		t.Run(tt.rate, func(t *testing.T) {
			_, _, err := parseArgs([]string{"--rate", tt.rate, "a.csv"}, nil)
			if got := err == nil; got != tt.ok {
				t.Errorf("--rate %s: error %v, want ok=%v", tt.rate, err, tt.ok)
			}
			if err != nil && exitCode(err, false) != exitInput {
				t.Errorf("--rate %s: exit %d, want %d", tt.rate, exitCode(err, false), exitInput)
			}
		})
	}
}

package journal

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// otherUID owns what another local user would have created.
const otherUID = 65534

func needRoot(t *testing.T) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to create a directory or file owned by another user")
	}
}

// victimContent is a torn journal line: a writer that opened it would
// truncate it to nothing, and a lock would overwrite it.
const victimContent = `{"t":"run","at":1,"run":"victim"`

// The operations that open a state directory, and what each opens.
type safeOp struct {
	name string
	lock bool // takes the lock
	run  func(dir string) error
}

var safeOps = []safeOp{
	{"Open", true, func(dir string) error {
		j, err := Open(dir, "c", Options{})
		if err == nil {
			j.Close()
		}
		return err
	}},
	{"OpenReadOnly", false, func(dir string) error {
		j, err := Open(dir, "c", Options{ReadOnly: true})
		if err == nil {
			j.Close()
		}
		return err
	}},
	{"OpenTail", true, func(dir string) error {
		t, err := OpenTail(dir, "c")
		if err == nil {
			t.Close()
		}
		return err
	}},
	{"Origin", false, func(dir string) error {
		_, _, err := Origin(dir, "c")
		return err
	}},
}

func writeFile(t *testing.T, path, content string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, mode); err != nil { // whatever the umask
		t.Fatal(err)
	}
}

func TestUnsafeStateRefused(t *testing.T) {
	type env struct {
		state  string // the --state directory handed to bulk
		victim string // a file of someone else's that must be left alone
	}
	tests := []struct {
		name     string
		root     bool                      // needs root (chown)
		setup    func(t *testing.T, e env) // e.state does not exist yet
		lockOnly bool                      // only the ops taking the lock are refused (every op reads the journal)
		want     string                    // in the error message
		after    func(t *testing.T, e env) // extra checks
	}{
		{
			name: "symlinked journal",
			setup: func(t *testing.T, e env) {
				mkdir(t, e.state, 0o700)
				symlink(t, e.victim, filepath.Join(e.state, "c.journal"))
			},
			want: "journal STATE/c.journal is a symbolic link, which bulk does not follow: ",
		},
		{
			name: "symlinked journal to a missing file",
			setup: func(t *testing.T, e env) {
				mkdir(t, e.state, 0o700)
				os.Remove(e.victim)
				symlink(t, e.victim, filepath.Join(e.state, "c.journal"))
			},
			want: "journal STATE/c.journal is a symbolic link, which bulk does not follow: ",
			after: func(t *testing.T, e env) {
				if _, err := os.Lstat(e.victim); !errors.Is(err, os.ErrNotExist) {
					t.Errorf("the link's target was created: %v", err)
				}
			},
		},
		{
			name: "symlinked lock",
			setup: func(t *testing.T, e env) {
				mkdir(t, e.state, 0o700)
				symlink(t, e.victim, filepath.Join(e.state, "c.lock"))
			},
			lockOnly: true,
			want:     "lock file STATE/c.lock is a symbolic link, which bulk does not follow: ",
		},
		{
			name: "hard-linked journal",
			setup: func(t *testing.T, e env) {
				mkdir(t, e.state, 0o700)
				link(t, e.victim, filepath.Join(e.state, "c.journal"))
			},
			want: "journal STATE/c.journal has 2 hard links, so another name can change it: ",
		},
		{
			name: "hard-linked lock",
			setup: func(t *testing.T, e env) {
				mkdir(t, e.state, 0o700)
				link(t, e.victim, filepath.Join(e.state, "c.lock"))
			},
			lockOnly: true,
			want:     "lock file STATE/c.lock has 2 hard links",
		},
		{
			name:  "group-writable directory",
			setup: func(t *testing.T, e env) { mkdir(t, e.state, 0o770) },
			want:  "state directory STATE is writable by group or others (mode 0770): check what is in it, then run chmod go-w on it, or use a directory of your own with --state",
		},
		{
			name:  "other-writable sticky directory",
			setup: func(t *testing.T, e env) { mkdir(t, e.state, 0o703|os.ModeSticky) },
			want:  "state directory STATE is writable by group or others (mode 0703)",
		},
		{
			name: "directory owned by another user",
			root: true,
			setup: func(t *testing.T, e env) {
				mkdir(t, e.state, 0o700)
				chown(t, e.state)
			},
			want: fmt.Sprintf("state directory STATE is owned by uid %d, not you (uid %d): use a directory of your own with --state", otherUID, os.Geteuid()),
		},
		{
			name: "symlinked directory owned by another user",
			root: true,
			setup: func(t *testing.T, e env) {
				mkdir(t, e.state+".real", 0o700)
				chown(t, e.state+".real")
				symlink(t, filepath.Base(e.state)+".real", e.state)
			},
			want: fmt.Sprintf("state directory STATE is owned by uid %d", otherUID),
		},
		{
			name: "directory reached through another user's symlink",
			root: true,
			setup: func(t *testing.T, e env) {
				mkdir(t, e.state+".real", 0o700)
				symlink(t, e.state+".real", e.state)
				if err := os.Lchown(e.state, otherUID, otherUID); err != nil {
					t.Fatal(err)
				}
			},
			want: fmt.Sprintf("state directory STATE is reached through a symbolic link (STATE) owned by uid %d, not you (uid %d)", otherUID, os.Geteuid()),
		},
		{
			name:  "file in place of the directory",
			setup: func(t *testing.T, e env) { writeFile(t, e.state, "", 0o600) },
			want:  "state directory STATE is a regular file, not a directory: use a directory of your own with --state",
		},
		{
			name: "journal owned by another user",
			root: true,
			setup: func(t *testing.T, e env) {
				mkdir(t, e.state, 0o700)
				writeFile(t, filepath.Join(e.state, "c.journal"), victimContent, 0o600)
				chown(t, filepath.Join(e.state, "c.journal"))
			},
			want: fmt.Sprintf("journal STATE/c.journal is owned by uid %d, not you (uid %d): ", otherUID, os.Geteuid()),
		},
		{
			name: "group-writable journal",
			setup: func(t *testing.T, e env) {
				mkdir(t, e.state, 0o700)
				writeFile(t, filepath.Join(e.state, "c.journal"), victimContent, 0o620)
			},
			want: "journal STATE/c.journal is writable by group or others (mode 0620): check it, then run chmod go-w on it",
		},
		{
			name: "other-writable lock",
			setup: func(t *testing.T, e env) {
				mkdir(t, e.state, 0o700)
				writeFile(t, filepath.Join(e.state, "c.lock"), "", 0o602)
			},
			lockOnly: true,
			want:     "lock file STATE/c.lock is writable by group or others (mode 0602)",
		},
		{
			name: "fifo in place of the journal",
			setup: func(t *testing.T, e env) {
				mkdir(t, e.state, 0o700)
				if err := syscall.Mkfifo(filepath.Join(e.state, "c.journal"), 0o600); err != nil {
					t.Fatal(err)
				}
			},
			want: "journal STATE/c.journal is a named pipe, not a regular file: move it out of the way",
		},
		{
			name: "directory in place of the journal",
			setup: func(t *testing.T, e env) {
				mkdir(t, e.state, 0o700)
				mkdir(t, filepath.Join(e.state, "c.journal"), 0o700)
			},
			want: "journal STATE/c.journal is a directory, not a regular file",
		},
		{
			name: "directory in place of the lock",
			setup: func(t *testing.T, e env) {
				mkdir(t, e.state, 0o700)
				mkdir(t, filepath.Join(e.state, "c.lock"), 0o700)
			},
			lockOnly: true,
			want:     "lock file STATE/c.lock is a directory, not a regular file",
		},
	}
	for _, tt := range tests {
		for _, op := range safeOps {
			t.Run(tt.name+"/"+op.name, func(t *testing.T) {
				if tt.root {
					needRoot(t)
				}
				base := t.TempDir()
				e := env{state: filepath.Join(base, ".bulk"), victim: filepath.Join(base, "victim")}
				writeFile(t, e.victim, victimContent, 0o600)
				tt.setup(t, e)

				err := op.run(e.state)
				if tt.lockOnly && !op.lock {
					if err != nil {
						t.Errorf("%s: %v, want no error (it does not open what is wrong)", op.name, err)
					}
				} else {
					var ue *UnsafeError
					if !errors.As(err, &ue) {
						t.Errorf("%s: %v (%T), want *UnsafeError", op.name, err, err)
					} else {
						want := strings.ReplaceAll(tt.want, "STATE", e.state)
						msg := err.Error()
						if !strings.Contains(msg, want) {
							t.Errorf("%s: error %q\nwant it to contain %q", op.name, msg, want)
						}
						if msg != strings.ToLower(msg[:1])+msg[1:] || strings.HasSuffix(msg, ".") {
							t.Errorf("error %q: want lowercase, no final period", msg)
						}
					}
				}
				if b, err := os.ReadFile(e.victim); err == nil && string(b) != victimContent {
					t.Errorf("victim file now holds %q, want it untouched (%q)", b, victimContent)
				}
				if tt.after != nil {
					tt.after(t, e)
				}
			})
		}
	}
}

// A state directory reached through the user's own links, to a directory
// of theirs, is fine.
func TestSymlinkedStateDirOfYourOwn(t *testing.T) {
	base := t.TempDir()
	real := filepath.Join(base, "real")
	mkdir(t, real, 0o700)
	mkdir(t, filepath.Join(base, "sub"), 0o700)
	symlink(t, "../real", filepath.Join(base, "sub", "hop"))              // relative, through ..
	symlink(t, filepath.Join("sub", "hop"), filepath.Join(base, ".bulk")) // a chain of two
	state := filepath.Join(base, ".bulk")

	j := openT(t, state, "c", Options{})
	appendT(t, j, true, Record{Type: TypeRun, Run: "r", File: "f.csv", SHA256: "s"})
	j.Close()
	if _, err := os.Stat(filepath.Join(real, "c.journal")); err != nil {
		t.Fatalf("journal not in the linked directory: %v", err)
	}
	if _, ok, err := Origin(state, "c"); err != nil || !ok {
		t.Errorf("Origin: %v, %v", ok, err)
	}
	tail, err := OpenTail(state, "c")
	if err != nil {
		t.Fatal(err)
	}
	tail.Close()
	ro := openT(t, state, "c", Options{ReadOnly: true})
	if got := len(allRecords(t, ro)); got != 1 {
		t.Errorf("read-only: %d records, want 1", got)
	}
}

// A link to a directory that does not exist yet is followed and the
// directory created there, mode 0700; read-only, it is an empty journal.
func TestSymlinkedStateDirMissing(t *testing.T) {
	base := t.TempDir()
	real := filepath.Join(base, "a", "real")
	state := filepath.Join(base, ".bulk")
	symlink(t, real, state)

	ro := openT(t, state, "c", Options{ReadOnly: true})
	if ro.Len() != 0 {
		t.Errorf("read-only Open of a missing directory is not empty")
	}
	if _, ok, err := Origin(state, "c"); err != nil || ok {
		t.Errorf("Origin of a missing directory: %v, %v", ok, err)
	}
	if _, err := os.Lstat(real); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("read-only Open created %s", real)
	}
	openT(t, state, "c", Options{})
	for _, d := range []string{filepath.Dir(real), real} {
		fi, err := os.Stat(d)
		if err != nil || fi.Mode() != os.ModeDir|0o700 {
			t.Errorf("%s: %v, %v; want a directory, mode 0700", d, fi.Mode(), err)
		}
	}
}

func TestUnsafeErrorMessage(t *testing.T) {
	e := &UnsafeError{What: "state directory", Path: "/x/.bulk", Why: "is owned by uid 1001, not you (uid 1000)", Fix: "use a directory of your own with --state"}
	want := "state directory /x/.bulk is owned by uid 1001, not you (uid 1000): use a directory of your own with --state"
	if got := e.Error(); got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}

func mkdir(t *testing.T, dir string, mode os.FileMode) {
	t.Helper()
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(dir, mode); err != nil {
		t.Fatal(err)
	}
}

func symlink(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Symlink(target, name); err != nil {
		t.Fatal(err)
	}
}

func link(t *testing.T, target, name string) {
	t.Helper()
	if err := os.Link(target, name); err != nil {
		t.Fatal(err)
	}
}

func chown(t *testing.T, path string) {
	t.Helper()
	if err := os.Chown(path, otherUID, otherUID); err != nil {
		t.Fatal(err)
	}
}

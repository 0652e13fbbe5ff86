//go:build unix

package report

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestFilesAre0600UnderUmask0(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)

	dir := t.TempDir()
	tests := []struct {
		name  string
		write func(path string) error
	}{
		{"r.csv", commitOneRow},
		{"r.jsonl", commitOneRow},
		{"r.summary.json", func(path string) error { return WriteSummary(path, Summary{Campaign: "c"}) }},
		{"replaced.csv", func(path string) error {
			if err := os.WriteFile(path, []byte("old"), 0o644); err != nil {
				return err
			}
			return commitOneRow(path)
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name)
			if err := tt.write(path); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != 0o600 {
				t.Errorf("mode = %v, want 0600", got)
			}
		})
	}
}

func TestTempFileIs0600UnderUmask0(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)

	w, err := Create(filepath.Join(t.TempDir(), "r.csv"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Abort()
	fi, err := w.f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != 0o600 {
		t.Errorf("temporary file mode = %v, want 0600", got)
	}
}

func TestWriteFileAtomicPerm(t *testing.T) {
	old := syscall.Umask(0o022)
	defer syscall.Umask(old)

	tests := []struct {
		perm os.FileMode
	}{{0o600}, {0o640}, {0o644}}
	for _, tt := range tests {
		t.Run(tt.perm.String(), func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "f")
			if err := WriteFileAtomic(path, []byte("x"), tt.perm); err != nil {
				t.Fatal(err)
			}
			fi, err := os.Stat(path)
			if err != nil {
				t.Fatal(err)
			}
			if got := fi.Mode().Perm(); got != tt.perm {
				t.Errorf("mode = %v, want %v", got, tt.perm)
			}
		})
	}
}

func commitOneRow(path string) error {
	w, err := Create(path, []string{"note"})
	if err != nil {
		return err
	}
	defer w.Abort()
	if err := w.Write(Row{Line: 1, MembershipID: "mem_a", Extra: []string{"n"}}); err != nil {
		return err
	}
	return w.Commit()
}

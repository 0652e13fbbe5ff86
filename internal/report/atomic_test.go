package report

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestWriteFileAtomic(t *testing.T) {
	tests := []struct {
		name string
		old  []byte // nil: no file before
		data string
	}{
		{"new file", nil, "hello\n"},
		{"replaces", []byte("old content, longer than the new\n"), "new\n"},
		{"empty", []byte("old\n"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "f.json")
			if tt.old != nil {
				if err := os.WriteFile(path, tt.old, 0o600); err != nil {
					t.Fatal(err)
				}
			}
			if err := WriteFileAtomic(path, []byte(tt.data), 0o600); err != nil {
				t.Fatal(err)
			}
			assertContent(t, path, tt.data)
			if got := dirNames(t, dir); !slices.Equal(got, []string{"f.json"}) {
				t.Errorf("dir holds %q, want only f.json", got)
			}
		})
	}
}

func TestWriteFileAtomicFailure(t *testing.T) {
	dir := t.TempDir()
	if err := WriteFileAtomic(filepath.Join(dir, "missing", "f"), []byte("x"), 0o600); err == nil {
		t.Error("write into a missing directory: got nil error")
	}
	target := filepath.Join(dir, "d")
	if err := os.Mkdir(target, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(target, "keep"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(target, []byte("x"), 0o600); err == nil {
		t.Error("replace a non-empty directory: got nil error")
	}
	if got := dirNames(t, dir); !slices.Equal(got, []string{"d"}) {
		t.Errorf("dir holds %q after failures, want only d", got)
	}
}

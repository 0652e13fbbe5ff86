package main

import (
	"bytes"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"bulk/internal/whopsim"
)

// The API key must never be written anywhere: the real binary is run
// through success, failed rows, timeouts, a refused key and JSON logs, and
// every byte it wrote (stdout, stderr, report, summary, journal, lock) is
// searched for the key.
func TestKeyIsNeverWritten(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the real binary")
	}
	t.Parallel()
	const key = "whop_secret_Zx81kQ0pLm"
	sim := whopsim.New(whopsim.Config{Key: key, NoLimit: true, AutoCreate: true,
		FailRate: 0.2, DropRate: 0.2, Seed: 9})
	srv := httptest.NewServer(sim)
	defer srv.Close()
	slow := whopsim.New(whopsim.Config{Key: key, NoLimit: true, AutoCreate: true, Latency: 3 * time.Second})
	slowSrv := httptest.NewServer(slow)
	defer slowSrv.Close()

	dir := t.TempDir()
	in := filepath.Join(dir, "camp.csv")
	os.WriteFile(in, []byte("membership_id,days,metadata\nmem_k1,7,\nmem_k2,,\"{\"\"a\"\":1}\"\nmem_missing3,7,\nmem_lifetime4,7,\n"), 0o644)

	var written bytes.Buffer
	runs := []struct {
		name string
		url  string
		key  string
		args []string
	}{
		{"success and failures", srv.URL, key, nil},
		{"json logs", srv.URL, key, []string{"--log-format", "json", "--campaign", "json"}},
		{"plan", srv.URL, key, []string{"--plan"}},
		{"refused key", srv.URL, key + "x", []string{"--campaign", "refused"}},
		{"timeouts", slowSrv.URL, key, []string{"--campaign", "slow", "--timeout", "500ms"}},
	}
	for _, r := range runs {
		cmd, out, errb := startBulk(t, r.url+"/api/v1", r.key, append(r.args, in)...)
		err := cmd.Wait()
		t.Logf("%s: exit %d", r.name, exitOf(err))
		written.WriteString(out.String())
		written.WriteString(errb.String())
	}
	files := 0
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files++
		written.Write(b)
		return nil
	})
	if files < 8 {
		t.Fatalf("only %d files written; the runs did not do what this test needs", files)
	}
	for _, needle := range []string{key, key[len(key)/2:]} {
		if i := strings.Index(written.String(), needle); i >= 0 {
			t.Fatalf("the key appears in what bulk wrote: ...%s...", written.String()[max(0, i-80):i+len(needle)])
		}
	}
	if !strings.Contains(written.String(), "timed out") {
		t.Error("no request timed out; the test did not exercise timeouts")
	}
	if !strings.Contains(written.String(), "the API refused the key") {
		t.Error("the refused-key run did not say so; the test did not exercise a 401")
	}
}

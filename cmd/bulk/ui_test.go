package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"bulk/internal/whopsim"
)

// TestHumanOutputOnATerminal: on a terminal stderr is for a person (a
// header, a line per failure reason as it appears, no log records);
// elsewhere it is log records. The summary tells this run from the
// campaign either way.
func TestHumanOutputOnATerminal(t *testing.T) {
	for _, terminal := range []bool{true, false} {
		c := newCLI(t, whopsim.Config{})
		in := c.file("h.csv", "membership_id,days\nmem_x1,7\nmem_missing2,7\nmem_missing3,7\n")
		var out, errb bytes.Buffer
		e := keyEnv(terminal)
		code := run(context.Background(), []string{"--base-url", c.url, "--api-limit", "none", "--yes", in}, e, &out, &errb)
		if code != exitRows {
			t.Fatalf("terminal=%v: exit %d: %s", terminal, code, errb.String())
		}
		stderr := errb.String()
		human := []string{"bulk: campaign h: 3 rows from " + in, "bulk: Whop Current API, version ",
			"bulk: 404 no such membership: 1 row so far (line 3)"}
		for _, want := range human {
			if strings.Contains(stderr, want) != terminal {
				t.Errorf("terminal=%v: stderr says %q: %v, want %v:\n%s", terminal, want, !terminal, terminal, stderr)
			}
		}
		if logs := strings.Contains(stderr, "level=INFO"); logs == terminal {
			t.Errorf("terminal=%v: log records in stderr: %v:\n%s", terminal, logs, stderr)
		}
		for _, want := range []string{"this run: applied 1, failed 2", "campaign: applied 1 of 3, failed 2",
			"what went wrong, by reason:\n    404 no such membership: 2 rows (lines 3, 4)"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("terminal=%v: summary does not say %q:\n%s", terminal, want, out.String())
			}
		}
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"bulk/internal/report"
	"bulk/internal/whopsim"
)

// TestFinalFailuresStayFinal: a row the API refused for good (404) is
// reported by the run that saw it (exit 1); later runs send nothing for it
// and exit 0, saying the campaign finished with a failed row; only
// --retry-failed sends it again. A row whose outcome is unknown is another
// matter (see the settle tests): it keeps exit 1 until settled.
func TestFinalFailuresStayFinal(t *testing.T) {
	for _, api := range []string{"current", "v2"} {
		t.Run(api, func(t *testing.T) {
			c := newCLI(t, whopsim.Config{API: api})
			in := c.file("f.csv", "membership_id,days,metadata\nmem_x1,7,\nmem_missing2,7,\nmem_missing3,,\"{\"\"a\"\":1}\"\n")

			code, _, stderr := c.run(in)
			if code != exitRows {
				t.Fatalf("first run: exit %d, want %d; stderr:\n%s", code, exitRows, stderr)
			}
			sent := len(c.sim.Requests())

			code, stdout, stderr := c.run(in)
			if code != exitOK {
				t.Fatalf("second run: exit %d, want %d (the failures were reported by the first); stderr:\n%s", code, exitOK, stderr)
			}
			if n := len(c.sim.Requests()) - sent; n != 0 {
				t.Errorf("second run sent %d requests, want 0", n)
			}
			if !strings.Contains(stdout, "campaign: applied 1 of 3 (1 by earlier runs), failed 2 (2 failed rows were reported by an earlier run") {
				t.Errorf("the summary does not tell the campaign from the run:\n%s", stdout)
			}
			if !strings.Contains(stderr, "finished with 2 failed rows") {
				t.Errorf("no line saying the campaign finished with failed rows:\n%s", stderr)
			}
			for _, r := range readReport(t, strings.TrimSuffix(in, ".csv")+".report.csv") {
				if r["membership_id"] != "mem_x1" && (r["status"] != "failed" || r["http_status"] != "404") {
					t.Errorf("line %s: status %s %s, want failed 404 as the first run saw it", r["line"], r["status"], r["http_status"])
				}
			}

			sent = len(c.sim.Requests())
			code, _, stderr = c.run("--retry-failed", in)
			if code != exitRows {
				t.Fatalf("--retry-failed: exit %d, want %d; stderr:\n%s", code, exitRows, stderr)
			}
			if n := len(c.sim.Requests()) - sent; n < 2 {
				t.Errorf("--retry-failed sent %d requests, want the two failed rows tried again", n)
			}
		})
	}
}

// TestRetryFileContinuesTheCampaign: the failed rows of a run are written
// beside the report in the input's format; running that file belongs to
// the same campaign (nothing sent for rows known to fail for good), and
// with --retry-failed sends exactly those rows again. The summary counts
// them by reason, and the campaign page is written.
func TestRetryFileContinuesTheCampaign(t *testing.T) {
	for _, ext := range []string{"csv", "jsonl"} {
		t.Run(ext, func(t *testing.T) {
			c := newCLI(t, whopsim.Config{})
			content := "membership_id,days,note\nmem_x1,7,a\nmem_missing2,7,b\nmem_missing3,5,\"c, d\"\n"
			if ext == "jsonl" {
				content = `{"membership_id":"mem_x1","days":7,"note":"a"}` + "\n" +
					`{"membership_id":"mem_missing2","days":7,"note":"b"}` + "\n" +
					`{"membership_id":"mem_missing3","days":5,"note":"c, d"}` + "\n"
			}
			in := c.file("r."+ext, content)
			if code, _, stderr := c.run(in); code != exitRows {
				t.Fatalf("first run: exit %d; stderr:\n%s", code, stderr)
			}
			retry := filepath.Join(c.dir, "r.report.retry."+ext)
			b, err := os.ReadFile(retry)
			if err != nil {
				t.Fatalf("no retry file: %v", err)
			}
			for _, want := range []string{"mem_missing2", "mem_missing3", "c, d"} {
				if !strings.Contains(string(b), want) {
					t.Errorf("retry file lacks %q:\n%s", want, b)
				}
			}
			if strings.Contains(string(b), "mem_x1") {
				t.Errorf("retry file holds the applied row:\n%s", b)
			}
			s, err := report.ReadSummary(filepath.Join(c.dir, "r.report.summary.json"))
			if err != nil {
				t.Fatal(err)
			}
			if len(s.Reasons) != 1 || s.Reasons[0].Count != 2 || s.Reasons[0].HTTPStatus != 404 {
				t.Errorf("reasons %+v, want one: 2 rows of 404", s.Reasons)
			}
			if _, err := os.Stat(filepath.Join(c.dir, "r.report.html")); err != nil {
				t.Errorf("no campaign page: %v", err)
			}

			sent := len(c.sim.Requests())
			code, _, stderr := c.run(retry)
			if code != exitOK || len(c.sim.Requests()) != sent {
				t.Fatalf("the retry file without --retry-failed: exit %d, %d requests; want 0 and none (same campaign); stderr:\n%s",
					code, len(c.sim.Requests())-sent, stderr)
			}
			code, _, stderr = c.run("--retry-failed", retry)
			if code != exitRows {
				t.Fatalf("--retry-failed on the retry file: exit %d; stderr:\n%s", code, stderr)
			}
			var ids []string
			for _, r := range c.sim.Requests()[sent:] {
				ids = append(ids, r.Path)
			}
			if len(ids) != 2 || !strings.Contains(strings.Join(ids, " "), "mem_missing2") || !strings.Contains(strings.Join(ids, " "), "mem_missing3") {
				t.Errorf("--retry-failed sent %v, want one read of each failed row", ids)
			}
		})
	}
}

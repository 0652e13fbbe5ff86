package main

import (
	"context"
	"embed"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"bulk/internal/whopsim"
)

//go:embed tools/curl-loop.sh tools/node-loop.mjs
var toolScripts embed.FS

// compareRows is the size of the side-by-side campaign: 600 requests for
// bulk (a GET and a POST a row), a minute at the real limit.
const compareRows = 300

// toolResult is what one tool did to one fresh simulator.
type toolResult struct {
	tool        string
	wall        time.Duration
	finished    bool
	requests    int
	n429        int
	once, twice int // memberships extended once, more than once
	reported    int // rows the tool reported failed (or unknown)
	lost        int // never applied and not reported
	falseFail   int // reported failed, yet applied
}

// compare: the same 300 add-free-days rows applied by bulk, a curl loop and
// a Node script, each against its own fresh simulator of the v2 API at its
// real limit; then again with faults injected. It stays on v2, the API the
// naive tools were written for (add_free_days, one shared limit and a
// cooldown): bulk runs with --api v2.
func (b *bench) compare(ctx context.Context) error {
	file, err := b.rowsFile(daysRows, compareRows)
	if err != nil {
		return err
	}
	tools, err := b.setupTools(ctx)
	if err != nil {
		return err
	}
	rounds := []struct {
		name string
		cfg  whopsim.Config
	}{
		{"no faults", whopsim.Config{API: whopsim.APIV2}},
		{"faults (FailRate 0.02, DropRate 0.02)", whopsim.Config{API: whopsim.APIV2, FailRate: 0.02, DropRate: 0.02, Seed: 7}},
	}
	// Every tool and round has its own simulator and waits on the limit,
	// not on the CPU: they all run at once, so that the scenario takes as
	// long as its slowest tool rather than the sum.
	reps := b.cfg.runs
	res := make([][]toolResult, len(rounds))
	var wg sync.WaitGroup
	errs := make(chan error, len(rounds)*len(tools)*reps)
	for i, round := range rounds {
		res[i] = make([]toolResult, len(tools)*reps)
		for j, t := range tools {
			for k := range reps {
				wg.Go(func() {
					s, err := startSim(round.cfg)
					if err != nil {
						errs <- err
						return
					}
					defer s.close()
					b.progress("compare: %s: %s on %d rows (capped at %s)", round.name, t.name, compareRows, b.cfg.toolCap)
					r, err := t.run(ctx, s, file)
					if err != nil {
						errs <- fmt.Errorf("%s: %w", t.name, err)
						return
					}
					r.tool = t.name
					if reps > 1 {
						r.tool += fmt.Sprintf(", run %d", k+1)
					}
					res[i][j*reps+k] = r
					b.progress("compare: %s: %s: %.1f s, %d requests, %d 429s, %d/%d extended once/twice, %d reported failed (%d applied anyway), %d lost",
						round.name, r.tool, secs(r.wall), r.requests, r.n429, r.once, r.twice, r.reported, r.falseFail, r.lost)
				})
			}
		}
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		return err
	}
	for i, round := range rounds {
		b.compareTable(round.name, res[i])
	}
	b.note("compare", "%d add-free-days rows; one fresh simulator of the v2 API per tool and round, bulk with --api v2 (limit 100/10 s, 60 s cooldown, memberships created on first sight); all %d runs at once",
		compareRows, len(rounds)*len(tools)*reps)
	b.note("compare", "extended once/twice: from the simulator's ledger; reported failed: the tool's own report (bulk: rows failed, unknown or pending in its report; curl: rows written to its failed list; Node: rows printed as failed)")
	b.note("compare", "applied anyway: reported failed but in the ledger (a dropped connection after the server applied it): an operator re-running the failed rows extends these twice")
	return nil
}

// tally reads the ledger of a run whose tool reported the rows in failed.
func tally(s *sim, file string, failed map[string]bool) (toolResult, error) {
	ids, err := fileIDs(file)
	if err != nil {
		return toolResult{}, err
	}
	applied := s.appliedDays()
	r := toolResult{requests: len(s.Requests()), n429: s.Count429(), reported: len(failed)}
	for _, id := range ids {
		n := applied[id]
		switch {
		case n == 1:
			r.once++
		case n > 1:
			r.twice++
		}
		if n == 0 && !failed[id] {
			r.lost++
		}
		if n > 0 && failed[id] {
			r.falseFail++
		}
	}
	return r, nil
}

// compareTable is one round as a table of its own, a tool a line.
func (b *bench) compareTable(round string, res []toolResult) {
	var t strings.Builder
	fmt.Fprintf(&t, "%s:\n\n", round)
	fmt.Fprintln(&t, "| tool | completion time | requests | 429s | extended once | extended twice | reported failed (applied anyway) | rows lost |")
	fmt.Fprintln(&t, "| --- | --- | --- | --- | --- | --- | --- | --- |")
	for _, r := range res {
		done := fmt.Sprintf("%.1f s", secs(r.wall))
		if !r.finished {
			done = fmt.Sprintf("did not finish (%.1f s)", secs(r.wall))
		}
		fmt.Fprintf(&t, "| %s | %s | %d | %d | %d | %d %s | %d (%d) | %d %s |\n", r.tool, done, r.requests, r.n429,
			r.once, r.twice, verdict(r.twice == 0), r.reported, r.falseFail, r.lost, verdict(r.lost == 0))
	}
	b.tables["compare"] = append(b.tables["compare"], t.String())
}

// fileIDs are the membership IDs of a CSV's rows.
func fileIDs(file string) ([]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	var ids []string
	for i := 0; ; i++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return ids, nil
		}
		if err != nil {
			return nil, err
		}
		if i > 0 {
			ids = append(ids, rec[0])
		}
	}
}

// reportedBad are the rows a bulk report says were not done: failed,
// unknown or pending.
func reportedBad(path string) (map[string]bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	cr := csv.NewReader(f)
	head, err := cr.Read()
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range head {
		col[h] = i
	}
	bad := map[string]bool{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return bad, nil
		}
		if err != nil {
			return nil, err
		}
		switch rec[col["status"]] {
		case "failed", "unknown", "pending":
			bad[rec[col["membership_id"]]] = true
		}
	}
}

// tool is one way of applying the rows.
type tool struct {
	name string
	run  func(ctx context.Context, s *sim, file string) (toolResult, error)
}

// setupTools writes the naive tools' scripts and installs @whop/sdk.
func (b *bench) setupTools(ctx context.Context) ([]tool, error) {
	dir := filepath.Join(b.dir, "tools")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	for _, name := range []string{"curl-loop.sh", "node-loop.mjs"} {
		data, _ := toolScripts.ReadFile("tools/" + name)
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o755); err != nil {
			return nil, err
		}
	}
	ts := []tool{{"bulk (defaults, --api v2)", b.runBulkTool}}
	if _, err := exec.LookPath("curl"); err != nil {
		b.note("compare", "curl is not installed: the curl loop was not run (apt-get install curl)")
	} else {
		ts = append(ts, tool{"curl + xargs -P 8, --retry 3", b.runCurl(dir)})
	}
	if _, err := exec.LookPath("node"); err != nil {
		b.note("compare", "node is not installed: the Node script was not run")
		return ts, nil
	}
	mode := b.nodeMode(ctx, dir)
	name := "Node, @whop/sdk, 8 concurrent, maxRetries 3"
	if mode == "fetch" {
		name = "Node, fetch, 8 concurrent, 3 retries"
	}
	return append(ts, tool{name, b.runNode(dir, mode)}), nil
}

// nodeMode installs @whop/sdk and checks that it reaches the v2
// add_free_days route at a custom base URL: "sdk" if so, else "fetch".
func (b *bench) nodeMode(ctx context.Context, dir string) string {
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "@whop", "sdk")); err != nil {
		os.WriteFile(filepath.Join(dir, "package.json"), []byte(`{"private": true}`+"\n"), 0o644)
		b.progress("compare: npm install @whop/sdk")
		p, err := runProc(ctx, command("npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "@whop/sdk"), runOpts{dir: dir, cap: 5 * time.Minute})
		if err != nil || p.exit != 0 {
			b.note("compare", "npm install @whop/sdk failed (%v, exit %d): the Node script uses fetch\n%s", err, p.exit, tail(p.stderr, 500))
			return "fetch"
		}
	}
	version := "?"
	if data, err := os.ReadFile(filepath.Join(dir, "node_modules", "@whop", "sdk", "package.json")); err == nil {
		if _, v, ok := strings.Cut(string(data), `"version": "`); ok {
			version, _, _ = strings.Cut(v, `"`)
		}
	}
	// One row against a throwaway simulator: did the server apply it?
	s, err := startSim(whopsim.Config{API: whopsim.APIV2})
	if err != nil {
		return "fetch"
	}
	defer s.close()
	probe := filepath.Join(dir, "probe.csv")
	os.WriteFile(probe, []byte("membership_id,days\nmem_Probe1,3\n"), 0o644)
	p, err := runProc(ctx, nodeCmd(dir, s, probe, "sdk"), runOpts{dir: dir, cap: time.Minute})
	if err == nil && p.exit == 0 && s.appliedDays()["mem_Probe1"] == 1 && strings.TrimSpace(p.stdout) == "" {
		b.note("compare", "@whop/sdk %s reaches POST /api/v2/memberships/{id}/add_free_days when given baseURL .../api/v2: "+
			"its memberships.addFreeDays posts to {baseURL}/memberships/{id}/add_free_days; its types name the body {free_days} "+
			"(the current API), so the script passes {days} untyped. It sends no Idempotency-Key and retries 408/409/429/5xx and connection errors", version)
		return "sdk"
	}
	b.note("compare", "@whop/sdk %s could not apply add_free_days through the v2 route at a custom base URL (exit %d): the Node script uses fetch\n%s",
		version, p.exit, tail(p.stderr, 500))
	return "fetch"
}

func nodeCmd(dir string, s *sim, file, mode string) *exec.Cmd {
	cmd := command("node", filepath.Join(dir, "node-loop.mjs"), file, mode)
	cmd.Env = append(cmd.Env, "WHOP_API_KEY="+s.key, "WHOP_BASE_URL="+s.url)
	return cmd
}

func (b *bench) runNode(dir, mode string) func(context.Context, *sim, string) (toolResult, error) {
	return func(ctx context.Context, s *sim, file string) (toolResult, error) {
		p, err := runProc(ctx, nodeCmd(dir, s, file, mode), runOpts{dir: dir, cap: b.cfg.toolCap})
		if err != nil {
			return toolResult{}, err
		}
		failed := map[string]bool{}
		for _, id := range strings.Fields(p.stdout) {
			failed[id] = true
		}
		r, err := tally(s, file, failed)
		r.wall, r.finished = p.wall, !p.capped && p.exit == 0
		return r, err
	}
}

func (b *bench) runCurl(dir string) func(context.Context, *sim, string) (toolResult, error) {
	return func(ctx context.Context, s *sim, file string) (toolResult, error) {
		failedFile := filepath.Join(dir, "failed-"+randomHex(4)+".txt")
		os.WriteFile(failedFile, nil, 0o644)
		cmd := command("bash", filepath.Join(dir, "curl-loop.sh"), file)
		cmd.Env = append(cmd.Env, "WHOP_API_KEY="+s.key, "WHOP_BASE_URL="+s.url, "FAILED="+failedFile)
		p, err := runProc(ctx, cmd, runOpts{dir: dir, cap: b.cfg.toolCap})
		if err != nil {
			return toolResult{}, err
		}
		data, _ := os.ReadFile(failedFile)
		failed := map[string]bool{}
		for _, id := range strings.Fields(string(data)) {
			failed[id] = true
		}
		r, err := tally(s, file, failed)
		r.wall, r.finished = p.wall, !p.capped && p.exit == 0
		return r, err
	}
}

func (b *bench) runBulkTool(ctx context.Context, s *sim, file string) (toolResult, error) {
	r, err := b.runBulk(ctx, bulkSpec{file: file, sim: s, cap: b.cfg.toolCap, tag: "compare-" + randomHex(4)})
	if err != nil && !r.capped {
		return toolResult{}, err
	}
	bad := map[string]bool{}
	if !r.capped {
		if bad, err = reportedBad(r.report); err != nil {
			return toolResult{}, err
		}
	}
	t, err := tally(s, file, bad)
	t.wall, t.finished = r.wall, !r.capped && (r.exit == 0 || r.exit == 1)
	return t, err
}

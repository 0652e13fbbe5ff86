package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"golang.org/x/term"

	"bulk/internal/batch"
	"bulk/internal/campaign"
	"bulk/internal/client"
	"bulk/internal/input"
	"bulk/internal/journal"
	"bulk/internal/outcome"
	"bulk/internal/report"
	"bulk/internal/whopsim"
)

// env is what run takes from the process: injected so that tests can say
// "stderr is a terminal" or shorten delays without one.
type env struct {
	getenv    func(string) string
	terminal  bool                  // stderr is a terminal
	stdinTerm bool                  // stdin is a terminal: a run asks before it sends (confirm.go)
	stdin     io.Reader             // where the answer is read
	simulator func(*whopsim.Config) // adjusts the built-in simulator (tests)
	tune      func(*batch.Options)  // adjusts the engine (tests)
}

func systemEnv() env {
	return env{getenv: os.Getenv, terminal: term.IsTerminal(int(os.Stderr.Fd())),
		stdinTerm: term.IsTerminal(int(os.Stdin.Fd())), stdin: os.Stdin}
}

// run is the whole command: it returns the exit code.
func run(ctx context.Context, args []string, e env, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "help" {
		return runHelp(ctx, args[1:], e, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "settle" {
		return runSettle(ctx, args[1:], e.getenv, stdout, stderr)
	}
	if len(args) > 0 && args[0] == "select" {
		return runSelect(ctx, args[1:], e, stdout, stderr)
	}
	o, fs, err := parseArgs(args, stderr)
	switch {
	case err != nil:
		printError(newUI(stderr, "text", false, nil), err, "bulk --help")
		return exitInput
	case o.help:
		printUsage(fs, stdout)
		return exitOK
	case o.version:
		fmt.Fprintln(stdout, versionText())
		return exitOK
	}
	c := &command{o: o, env: e, stdout: stdout, stderr: stderr}
	c.ui = newUI(stderr, o.logFormat, e.terminal, nil)
	err = needsFix(c.run(ctx), c.sent)
	code := exitCode(err, c.rowsBad)
	switch {
	case err != nil:
		c.explain(err)
	case c.rowsBad:
		c.ui.errorf("some rows %s: see the status and error columns of %s, or the page %s", c.bad, c.o.report, report.PagePath(c.o.report))
		if c.retry != "" {
			c.ui.hint(fmt.Sprintf("those rows are in %s: fix what their error says, then run %s (it belongs to the same campaign)", c.retry, c.retryCommand(c.retry)))
		}
	case c.failedEarlier > 0:
		c.ui.say("the campaign finished with %s that an earlier run reported: they are in %s; --retry-failed sends them again",
			plural(c.failedEarlier, "failed row"), report.RetryPath(c.o.report, c.jsonl))
	}
	return code
}

// command is one invocation.
type command struct {
	o             *options
	env           env
	stdout        io.Writer
	stderr        io.Writer
	ui            *ui
	scan          *input.Scan
	rowsBad       bool
	bad           string                 // what rowsBad means, for the closing line
	failedEarlier int                    // failed rows an earlier run reported
	retry         string                 // the retry file this run wrote, if it holds rows
	jsonl         bool                   // the input is JSON lines (so is the retry file)
	named         string                 // --campaign as given
	stateGiven    bool                   // --state was given
	key           string                 // never printed, logged or written
	planned       map[int]report.Planned // --apply-plan: what the plan read, by line
	sent          bool                   // changes may have been sent: the engine started a run
}

func (c *command) run(ctx context.Context) error {
	o := c.o
	format, err := input.FormatOf(o.file, o.format)
	if err != nil {
		return &usageError{err.Error()}
	}
	c.jsonl = format == input.JSONL
	c.named, c.stateGiven = o.campaign, o.state != ""
	tag := simulatedTag(o.simulate, o.api)
	o.campaign = campaignName(o.file, o.campaign, tag)
	if err := journal.CheckCampaign(o.campaign); err != nil {
		return badCampaign(err, c.named != "")
	}
	legacy := false
	if o.state == "" {
		o.state, legacy = defaultState(o.file, o.campaign, c.env.getenv)
	}
	if o.simulate {
		// Simulated campaigns keep their journals and ledger apart: a
		// rehearsal of a real file must never make its real run skip rows
		// as already extended.
		o.state, legacy = filepath.Join(o.state, "simulated"), false
	}
	if o.report == "" {
		o.report = report.DefaultPath(o.file, o.plan, tag)
	}
	if err := c.checkOutputs(); err != nil {
		return err
	}
	c.ui = newUI(c.stderr, o.logFormat, c.env.terminal, []any{"campaign", o.campaign, "run", newRunID()})
	if legacy {
		c.ui.info("using this campaign's journal in .bulk beside the file, where bulk kept state before; new campaigns keep theirs in the state directory (--state, BULK_STATE)", "state", o.state)
	}
	c.removeStaleTemps()
	if err := c.sameAPI(); err != nil {
		return err
	}
	if o.plan {
		if err := c.checked(c.scanFile(format)); err != nil {
			return err
		}
		if o.offline {
			return c.planOffline(format)
		}
		api, stopSim, err := c.connect()
		if err != nil {
			return err
		}
		defer stopSim()
		return c.plan(ctx, format, api)
	}
	if _, err := os.Stat(o.file); err != nil {
		return &usageError{err.Error()} // before a state directory is made beside it
	}
	if done, err := c.alreadyFinished(); err != nil || done {
		return err
	}
	j, err := c.checkAndLock(format)
	if err != nil {
		return err
	}
	defer j.Close()
	if err := c.loadPlan(); err != nil {
		return err
	}
	api, stopSim, err := c.connect()
	if err != nil {
		return err
	}
	defer stopSim()
	if ok, err := c.confirm(ctx, api); !ok || err != nil {
		return err
	}
	return c.apply(ctx, format, api, j)
}

// badCampaign says why the campaign name cannot name a journal, and how to
// give one that can: a usage error, which running again cannot fix.
func badCampaign(err error, named bool) error {
	if !named {
		err = fmt.Errorf("%w; the campaign is named after the file unless --campaign says otherwise", err)
	}
	return &fixError{err: err, hint: "name the campaign with --campaign NAME: letters, digits, '.', '_' and '-', not starting with a dot"}
}

// retryCommand is the command that sends the rows of the retry file
// again, in this run's campaign and state directory.
func (c *command) retryCommand(retry string) string {
	args := []string{"bulk"}
	if c.o.simulate {
		args = append(args, "--simulate")
	}
	if c.o.api != "current" {
		args = append(args, "--api", c.o.api)
	}
	if c.named != "" {
		args = append(args, "--campaign", c.named)
	}
	if c.stateGiven {
		args = append(args, "--state", c.o.state)
	}
	args = append(args, "--retry-failed", retry)
	for i, a := range args {
		args[i] = shellQuote(a)
	}
	return strings.Join(args, " ")
}

// campaignName is the campaign a run of file belongs to: named, else
// the file's (see defaultCampaign); a simulated run's campaign has the
// tag after it, which a simulated run's retry file already has.
func campaignName(file, named, tag string) string {
	name := named
	if name == "" {
		name = defaultCampaign(file)
	}
	if tag == "" || (named == "" && strings.HasSuffix(name, "."+tag)) {
		return name
	}
	return name + "." + tag
}

// simulatedTag is what a simulated run adds to its campaign's and
// report's names: it keeps its own, one per API, so that it never touches
// the real campaign's and either API can be tried on the same file.
func simulatedTag(simulate bool, api string) string {
	switch {
	case simulate && api == "v2":
		return "v2.simulated"
	case simulate:
		return "simulated"
	}
	return ""
}

// defaultState is the state directory when --state is not given:
// BULK_STATE, else $XDG_STATE_HOME/bulk, else ~/.local/state/bulk, so that
// it does not move with the file. A journal of the campaign in .bulk beside
// the file, where bulk kept state before, is still used (legacy is true):
// a half-done campaign must not forget what it did. With no home directory
// known at all, .bulk beside the file is the state directory.
func defaultState(file, campaign string, getenv func(string) string) (dir string, legacy bool) {
	beside := filepath.Join(filepath.Dir(file), ".bulk")
	if _, err := os.Lstat(filepath.Join(beside, campaign+".journal")); err == nil {
		return beside, true
	}
	switch {
	case getenv("BULK_STATE") != "":
		return getenv("BULK_STATE"), false
	case getenv("XDG_STATE_HOME") != "":
		return filepath.Join(getenv("XDG_STATE_HOME"), "bulk"), false
	case getenv("HOME") != "":
		return filepath.Join(getenv("HOME"), ".local", "state", "bulk"), false
	}
	return beside, false
}

// version is the Api-Version-Date this run sends (none on v2).
func (c *command) version() string {
	if c.o.api == "v2" {
		return ""
	}
	return cmp.Or(c.o.apiVersion, c.env.getenv("WHOP_API_VERSION"), client.DefaultVersion)
}

// sameAPI refuses to go on with a campaign that an earlier run started on
// another API or API version: its journal's before-states, keys and dates
// belong to that one.
func (c *command) sameAPI() error {
	origin, ok, err := journal.Origin(c.o.state, c.o.campaign)
	if err != nil || !ok {
		return err
	}
	if origin.API == c.o.api && origin.Version == c.version() {
		return nil
	}
	return &apiMismatchError{campaign: c.o.campaign, api: origin.API, version: origin.Version}
}

// alreadyFinished handles running a finished campaign again, as cron
// does (see campaign.Finished): it says so and the run ends.
func (c *command) alreadyFinished() (bool, error) {
	if c.o.retryFailed {
		return false, nil // the rows that failed for good are to be sent again
	}
	s, done, err := campaign.Finished(c.o.state, c.o.campaign, c.o.file, c.o.report)
	if err != nil || !done {
		return false, err
	}
	c.ui.info("nothing to do: an earlier run finished this file and the campaign has not changed since", "report", c.o.report)
	printSummary(c.stdout, s, c.o.report)
	c.failedEarlier = s.FailedEarlier
	return true, nil
}

// meta is what this run's summary says of it besides its rows.
func (c *command) meta() campaign.Meta {
	o := c.o
	return campaign.Meta{
		Campaign: o.campaign, Input: o.file, InputSHA256: c.scan.SHA256, API: o.api, APIVersion: c.version(),
		Simulated: o.simulate, Sandbox: o.sandbox, Rows: c.scan.Rows,
	}
}

// scanned is what reading the whole input once found.
type scanned struct {
	scan *input.Scan
	err  error
}

func (c *command) scanFile(format input.Format) scanned {
	// A null value asks the API to merge it, wherever its update merges
	// (the Current API) or --metadata merge does.
	d, err := client.DialectOf(c.clientOptions())
	if err != nil {
		return scanned{nil, err}
	}
	s, err := input.ScanFile(c.o.file, format, c.o.metadata == "merge" || d.MetadataMerges)
	return scanned{s, err}
}

// checkAndLock checks the input, then takes the campaign's journal. One
// after the other, not at once: the scan's duplicate table and the
// journal's index, built together, would double the peak memory of a
// million-row campaign.
func (c *command) checkAndLock(format input.Format) (*journal.Journal, error) {
	if err := c.checked(c.scanFile(format)); err != nil {
		return nil, err
	}
	return journal.Open(c.o.state, c.o.campaign, journal.Options{OpenedKeysOnly: true})
}

// checked lists the input's problems; any problem ends the run before
// anything is sent.
func (c *command) checked(s scanned) error {
	if s.err != nil {
		return &usageError{s.err.Error()}
	}
	c.scan = s.scan
	if s.scan.ProblemCount == 0 {
		return c.withinCaps()
	}
	for _, p := range s.scan.Problems {
		c.ui.problem(p.String())
	}
	if more := s.scan.ProblemCount - len(s.scan.Problems); more > 0 {
		c.ui.problem(fmt.Sprintf("%s: ... and %s more %s", c.o.file, report.Thousands(more), noun(more, "problem")))
	}
	if kinds := s.scan.ProblemKinds(); len(kinds) > 1 && s.scan.ProblemCount >= 10 {
		c.ui.problem(fmt.Sprintf("%s: the problems by kind:", c.o.file))
		for _, k := range kinds {
			c.ui.problem(fmt.Sprintf("  %s: %s", plural(k.Count, "problem"), k.Kind))
		}
	}
	return &usageError{fmt.Sprintf("%s: %s; nothing was sent", c.o.file, plural(s.scan.ProblemCount, "problem"))}
}

// maxPlanAge is how old a saved plan may be for --apply-plan.
const maxPlanAge = 24 * time.Hour

// loadPlan reads the saved plan of --apply-plan, refusing one that is not
// of this very file, read nothing, or is older than a day.
func (c *command) loadPlan() error {
	o := c.o
	if o.applyPlan == "" {
		return nil
	}
	s, err := report.ReadSummary(report.SummaryPath(o.applyPlan))
	switch {
	case err != nil:
		return &usageError{fmt.Sprintf("--apply-plan %s: %v", o.applyPlan, err)}
	case s.Mode != "plan":
		return &usageError{fmt.Sprintf("--apply-plan %s is not a plan that read the memberships (mode %q); plan again without --offline", o.applyPlan, s.Mode)}
	case s.InputSHA256 != c.scan.SHA256:
		return &usageError{fmt.Sprintf("%s is not the file the plan %s rehearsed (its SHA-256 differs); nothing was sent", o.file, o.applyPlan)}
	case time.Since(s.Started) > maxPlanAge:
		return &usageError{fmt.Sprintf("the plan %s was made %s ago, more than %s; plan again", o.applyPlan,
			time.Since(s.Started).Round(time.Minute), maxPlanAge)}
	}
	c.planned, err = report.ReadPlan(o.applyPlan)
	if err != nil {
		return &usageError{err.Error()}
	}
	return nil
}

// withinCaps refuses, before anything is sent, a campaign over
// --max-days-total or --max-memberships. The file is the campaign: its
// rows already applied count too.
func (c *command) withinCaps() error {
	o, s := c.o, c.scan
	switch {
	case o.maxDaysTotal > 0 && s.Days > o.maxDaysTotal:
		return &usageError{fmt.Sprintf("%s would grant %d free days in all, over --max-days-total %d; nothing was sent", o.file, s.Days, o.maxDaysTotal)}
	case o.maxMemberships > 0 && s.Memberships > o.maxMemberships:
		return &usageError{fmt.Sprintf("%s would touch %d memberships, over --max-memberships %d; nothing was sent", o.file, s.Memberships, o.maxMemberships)}
	}
	return nil
}

// clientOptions are the API client's settings, key and base URL aside.
func (c *command) clientOptions() client.Options {
	o := c.o
	return client.Options{
		API: o.api, Version: c.version(), Sandbox: o.sandbox,
		UserAgent: "bulk/" + version, MaxConns: o.concurrency, Timeout: o.timeout,
	}
}

// connect builds the API client: to the built-in simulator with
// --simulate, else to --base-url (or the API's own) with WHOP_API_KEY.
func (c *command) connect() (client.API, func(), error) {
	o := c.o
	stop := func() {}
	co := c.clientOptions()
	co.BaseURL = cmp.Or(o.baseURL, c.env.getenv("WHOP_BASE_URL"))
	key, err := apiKey(c.env.getenv)
	if err != nil && !o.simulate {
		return nil, stop, err
	}
	c.key = key
	if o.simulate {
		c.key = "sim_" + newRunID()
		cfg := whopsim.Config{API: o.api, Key: c.key, AutoCreate: true, NoLog: true}
		if c.env.simulator != nil {
			c.env.simulator(&cfg)
		}
		url, shutdown, err := whopsim.Listen(cfg)
		if err != nil {
			return nil, stop, fmt.Errorf("start the simulator: %w", err)
		}
		co.BaseURL, stop = url, shutdown
		c.ui.record("simulating the Whop API on loopback", "api", o.api, "base_url", url)
	}
	if c.key == "" {
		return nil, stop, &fixError{err: errors.New("WHOP_API_KEY is not set; nothing was sent"),
			hint: "export WHOP_API_KEY=... (an API key of the business, with the member:basic:read and member:manage scopes), or rehearse with --simulate"}
	}
	co.Key = c.key
	api, err := client.New(co)
	if err != nil {
		return nil, stop, &usageError{err.Error()}
	}
	return api, stop, nil
}

// apiKey is WHOP_API_KEY without the whitespace around it: a key mounted
// from a Kubernetes or systemd secret file often ends with a newline, which
// the API would refuse on every row after retries. Whitespace or a control
// character left inside is refused before any request. The key is never
// printed, not even in part.
func apiKey(getenv func(string) string) (string, error) {
	key := strings.TrimSpace(getenv("WHOP_API_KEY"))
	if i := strings.IndexFunc(key, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }); i >= 0 {
		return "", &fixError{
			err:  fmt.Errorf("WHOP_API_KEY has whitespace or a control character inside it (at byte %d); nothing was sent", i+1),
			hint: "set WHOP_API_KEY to the key alone, exactly as Whop shows it",
		}
	}
	return key, nil
}

// openLedger opens the state directory's ledger, and says when an earlier
// campaign already ran this very file.
func (c *command) openLedger(readOnly bool) (*journal.Ledger, error) {
	l, err := journal.OpenLedger(c.o.state, readOnly)
	if err != nil {
		return nil, err
	}
	if other, at, ok := l.InputRunBy(c.scan.SHA256, c.o.campaign); ok {
		c.ui.warn(fmt.Sprintf("this very file was already run as campaign %s on %s: its memberships are skipped unless --allow-repeat",
			other, at.UTC().Format(time.DateOnly)), "file", c.o.file)
	}
	return l, nil
}

// apply is the real run.
func (c *command) apply(ctx context.Context, format input.Format, api client.API, j *journal.Journal) error {
	o := c.o
	started := time.Now()
	runID := c.ui.runID()
	if err := j.Append(journal.Record{
		Type: "run", At: started.UnixMilli(), Run: runID, File: o.file, SHA256: c.scan.SHA256, PID: os.Getpid(),
		API: o.api, Version: c.version(),
	}, true); err != nil {
		return fmt.Errorf("journal: %w", err)
	}
	ledger, err := c.openLedger(false)
	if err != nil {
		return err
	}
	defer ledger.Close()
	if err := ledger.RecordInput(c.scan.SHA256, o.campaign, started); err != nil {
		return fmt.Errorf("ledger: %w", err)
	}
	rows, err := c.scan.Open()
	if err != nil {
		return err
	}
	defer rows.Close()
	out, err := c.createOutputs(format)
	if err != nil {
		return err
	}
	defer out.abort()

	pace, _ := o.pace()
	maxFail := o.maxFailures
	if maxFail < 0 {
		maxFail = defaultMaxFailures(c.scan.Rows)
	}
	c.header(j.Len())
	prog := c.ui.progress(c.scan.Rows, "applying")
	pace.OnPause = c.onPause(prog)
	opts := batch.Options{
		Campaign: o.campaign, RunID: runID, InputSHA256: c.scan.SHA256,
		Concurrency: o.concurrency, Pace: pace, MaxFailures: maxFail, SettleDelay: o.settleDelay, QuietPeriod: o.quietPeriod,
		ReplaceMetadata: o.metadata == "replace",
		Ledger:          ledger, AllowRepeat: o.allowRepeat, RetryFailed: o.retryFailed, Planned: c.planned,
	}
	if c.env.tune != nil {
		c.env.tune(&opts)
	}
	c.ui.record("run started", "file", o.file, "rows", c.scan.Rows, "api", o.api, "version", c.version(), "concurrency", o.concurrency)
	t := campaign.NewTally(c.scan)
	eng := batch.New(api, j, opts)
	c.sent = true
	runErr := eng.Run(ctx, rows, func(r report.Row) error {
		t.Add(r)
		if r.Earlier {
			prog.earlierRow()
		} else {
			prog.row()
		}
		reason, tell, err := out.write(r)
		if tell && !r.Earlier {
			c.ui.say("%s: %s so far (line %d)", reason.Label(), plural(reason.Count, "row"), r.Line)
		}
		return err
	})
	prog.finish()
	if runErr == nil && rows.SHA256() != c.scan.SHA256 {
		runErr = fmt.Errorf("%s changed while it was being applied; check the report, then run again", o.file)
	}
	if fi, err := os.Stat(o.file); runErr == nil && err == nil && fi.Size() != c.scan.Size {
		// Only the rows checked before the run were read and applied.
		runErr = fmt.Errorf("%s changed while it was being applied: rows added after it was checked were not applied; run again to apply them", o.file)
	}
	if err := j.Sync(); err != nil && runErr == nil {
		runErr = fmt.Errorf("journal: %w", err)
	}
	c.rowsBad, c.bad, c.failedEarlier = t.Bad(), "failed or are unknown", t.FailedEarlier()
	s := t.Summary(c.meta(), started, time.Now())
	s.Mode = "run"
	s.RequestsSent, s.RequestsPerOp, s.RateLimited = requestsSent(api)
	s.ExitCode = exitCode(runErr, c.rowsBad)
	if runErr != nil {
		s.Stopped = runErr.Error()
	}
	if err := out.commit(&s, c.retryCommand); err != nil {
		return err
	}
	if out.retry.Rows() > 0 {
		c.retry = out.retry.Path()
	}
	if s.ExitCode == exitOK {
		run := campaign.Run{ID: runID, Report: o.report, InputSHA256: c.scan.SHA256, API: o.api, Version: c.version()}
		if err := campaign.MarkFinished(j, run); err != nil {
			c.ui.warn("could not record that the campaign is finished; the next run will check every row again", "error", err)
		}
	}
	c.ui.record("run ended", "applied", s.Counts[outcome.Applied], "skipped", s.Counts[outcome.Skipped],
		"failed", s.Counts[outcome.Failed], "unknown", s.Counts[outcome.Unknown],
		"pending", s.Counts[outcome.Pending], "requests", s.RequestsSent, "rate_limited", s.RateLimited)
	printSummary(c.stdout, s, o.report)
	return runErr
}

// onPause tells the operator that a 429 paused an operation: a warning log
// line with the wait and whether bulk cut the server's wait to its maximum,
// and the progress output (the bar's description, or the progress line).
func (c *command) onPause(prog *progress) func(op string, d time.Duration, capped bool) {
	return func(op string, d time.Duration, capped bool) {
		wait := d.Round(time.Second)
		if capped {
			c.ui.warn("rate limited (429): pausing "+op+" requests", "wait", wait.String(), "capped", true,
				"note", fmt.Sprintf("the API asked for longer; bulk waits at most %s, then goes on at a lower pace", batch.MaxPause))
		} else {
			c.ui.warn("rate limited (429): pausing "+op+" requests", "wait", wait.String(), "capped", false)
		}
		prog.paused(d)
	}
}

// writeReport commits the report and writes the summary beside it.
func (c *command) writeReport(w *report.Writer, s report.Summary) error {
	if err := w.Commit(); err != nil {
		return fmt.Errorf("write the report: %w", err)
	}
	if err := report.WriteSummary(report.SummaryPath(c.o.report), s); err != nil {
		return fmt.Errorf("write the summary: %w", err)
	}
	return nil
}

// explain prints why the run ended early, with a hint where one helps.
func (c *command) explain(err error) {
	var le *journal.LockedError
	var fe *batch.FatalError
	var ue *usageError
	var me *apiMismatchError
	var fx *fixError
	switch {
	case errors.As(err, &ue):
		c.ui.errorf("%v", err)
		if c.scan == nil || c.scan.ProblemCount == 0 {
			c.ui.hint("bulk --help shows the flags and the input format")
		}
	case errors.As(err, &fx) && fx.sent:
		c.ui.errorf("%v", err)
		c.ui.hint(fx.hint + "; then run the same command again to continue")
	case errors.As(err, &fx):
		c.ui.errorf("%v", err)
		c.ui.hint(fx.hint)
	case errors.As(err, &le):
		c.ui.errorf("%v", err)
		c.ui.hint("wait for that run to end; two runs of one campaign never work at once")
	case errors.As(err, &me):
		c.ui.errorf("%v", err)
		c.ui.hint(me.hint())
	case errors.As(err, &fe) && client.KindOf(fe.Err) == client.BadVersion:
		c.ui.errorf("the API refused Api-Version-Date %s: %v", c.version(), fe.Err)
		c.ui.hint("pick one of the versions the API lists with --api-version or WHOP_API_VERSION")
	case errors.As(err, &fe):
		c.ui.errorf("%v", err)
		c.ui.hint("check WHOP_API_KEY: it must be an API key of the business with the scopes named above (member:basic:read, member:manage); then run again")
	case errors.Is(err, batch.ErrInterrupted):
		c.ui.errorf("interrupted; the report covers every row so far")
		c.ui.hint("run the same command again to continue")
	case errors.Is(err, batch.ErrTooManyFailures):
		c.ui.errorf("stopped: more than the allowed number of rows failed (--max-failures)")
		c.ui.hint("read the error column of the report, fix the cause, then run again")
	default:
		c.ui.errorf("%v", err)
		c.ui.hint("run the same command again to continue")
	}
}

// requestsSent is what the client counted: in all, per operation, and 429s.
func requestsSent(api client.API) (int64, map[string]int64, int64) {
	var all int64
	per := map[string]int64{}
	for op, n := range api.Sent() {
		if n > 0 {
			per[string(op)] = n
		}
		all += n
	}
	return all, per, api.RateLimited()
}

func newRunID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"bulk/internal/batch"
	"bulk/internal/client"
)

// minFlagRate is the slowest --rate accepted: one request every 100 s. A
// slower one (1e-300, say) would send nothing in any run's lifetime.
const minFlagRate = 0.01

// options is everything the command line says.
type options struct {
	file           string
	format         string
	plan           bool
	offline        bool
	campaign       string
	state          string
	report         string
	rate           float64
	concurrency    int
	maxFailures    int // -1: the default, which depends on the file's size
	baseURL        string
	api            string // "current" or "v2"
	apiVersion     string // Api-Version-Date (Current API)
	sandbox        bool
	metadata       string // "merge" or "replace"
	apiLimit       string
	settleDelay    time.Duration
	quietPeriod    time.Duration
	allowRepeat    bool
	retryFailed    bool
	maxDaysTotal   int64
	maxMemberships int
	applyPlan      string
	timeout        time.Duration
	simulate       bool
	yes            bool // do not ask before a run on a terminal
	logFormat      string
	version        bool
	help           bool
}

const usageText = `usage: bulk [flags] FILE

Apply one Whop membership operation to every row of FILE (.csv or .jsonl):
add free days (rows with "days") or set metadata (rows with "metadata").
Every row is checked before anything is sent. Running the same command
again resumes an interrupted campaign; no membership gets free days twice.

  bulk --plan FILE          dry run: what would happen, nothing is changed
  bulk --simulate FILE      rehearse against a built-in simulator of the API
  bulk FILE                 do it (needs WHOP_API_KEY)
  bulk select [filters] --days N -o FILE
                            write a campaign file from a filtered listing (bulk select --help)
  bulk settle FILE --applied|--not-applied IDS
                            record what you found for rows bulk left unknown

Flags:
`

const usageFooter = `
Environment:
  WHOP_API_KEY      the API key (not needed with --simulate or --plan --offline)
  WHOP_API_VERSION  Api-Version-Date when --api-version is not given
  WHOP_BASE_URL     API base when --base-url is not given
  BULK_STATE        the state directory when --state is not given

Exit codes: 0 every row applied or skipped; 1 some rows failed or are
unknown (see the report); 2 usage or input error, or something to fix
first (see the hint), nothing sent; 3 stopped early (interrupt, SIGTERM or
SIGHUP, campaign locked, key refused, --max-failures): run again.
`

func newFlagSet(o *options, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("bulk", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.BoolVar(&o.plan, "plan", false, "dry run: validate, read each membership, write the plan report; send no change")
	fs.BoolVar(&o.offline, "offline", false, "with --plan: no network at all; validation and totals only")
	fs.StringVar(&o.campaign, "campaign", "", "campaign this run belongs to (default: FILE's base name without extension)")
	fs.StringVar(&o.state, "state", "", "directory for campaign journals, the ledger and locks (default: $BULK_STATE, else $XDG_STATE_HOME/bulk, else ~/.local/state/bulk; a campaign's journal in .bulk beside FILE is still used)")
	fs.Int64Var(&o.maxDaysTotal, "max-days-total", 0, "refuse, before sending anything, a campaign that would grant more than N free days in all (0: no cap)")
	fs.IntVar(&o.maxMemberships, "max-memberships", 0, "refuse, before sending anything, a campaign that would touch more than N memberships (0: no cap)")
	fs.StringVar(&o.applyPlan, "apply-plan", "", "apply exactly what the plan report PLAN rehearsed: refused for another file or a plan older than 24 hours; rows whose membership changed since are not sent")
	fs.BoolVar(&o.retryFailed, "retry-failed", false, "send again rows that an earlier run recorded as failed for good (400, 404, 409, 422); without it they stay failed and are not sent")
	fs.BoolVar(&o.allowRepeat, "allow-repeat", false, "extend memberships even when another campaign of this state directory already extended them")
	fs.StringVar(&o.report, "report", "", "report path; .jsonl gives JSON lines (default: FILE without extension + .report.csv, plan: .plan.csv)")
	fs.StringVar(&o.format, "format", "", "input format csv|jsonl (default: by FILE's extension)")
	fs.StringVar(&o.api, "api", "current", "which Whop API: current (https://api.whop.com/api/v1) or v2 (retired November 13, 2026)")
	fs.StringVar(&o.apiVersion, "api-version", "", "Api-Version-Date sent with every Current API request (default: $WHOP_API_VERSION, else "+client.DefaultVersion+")")
	fs.BoolVar(&o.sandbox, "sandbox", false, "use Whop's sandbox ("+client.SandboxBaseURL+") instead of production")
	fs.StringVar(&o.metadata, "metadata", "merge", "merge: set the row's keys and keep the others; replace: the metadata becomes exactly the row's object")
	fs.Float64Var(&o.rate, "rate", 0, fmt.Sprintf("requests per second, at least %v, per operation on the Current API, GETs included (default %.1f or less: never over --api-limit)", minFlagRate, batch.DefaultRate))
	fs.IntVar(&o.concurrency, "concurrency", 8, "requests in flight at most")
	fs.IntVar(&o.maxFailures, "max-failures", -1, "stop (exit 3) once more than N rows failed in this run; 0 = no limit (default: 10% of the rows, at least 50, at most 1000)")
	fs.StringVar(&o.baseURL, "base-url", "", "API base URL, https (or http to a loopback host) (default: $WHOP_BASE_URL, else by --api and --sandbox)")
	fs.StringVar(&o.apiLimit, "api-limit", "", "the API's limit, never exceeded whatever --rate says: N/DURATION, or none (simulators only) (default: 600/1m per operation on the Current API, 100/10s in all on v2)")
	fs.DurationVar(&o.settleDelay, "settle-delay", 5*time.Second, "wait before reading back a membership whose update has an unknown outcome")
	fs.DurationVar(&o.quietPeriod, "quiet-period", time.Minute, "send again a request whose outcome was unknown only when a read this long after it still shows nothing")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "give up waiting for an answer after this long (the outcome of such a request is then unknown, and settled)")
	fs.BoolVar(&o.yes, "yes", false, "do not ask for confirmation before a run on a terminal (bulk never asks when stdin is not a terminal)")
	fs.BoolVar(&o.simulate, "simulate", false, "run against the built-in simulator of the API on loopback (files get .simulated in their names)")
	fs.StringVar(&o.logFormat, "log-format", "text", "log lines on stderr: text|json")
	fs.BoolVar(&o.version, "version", false, "print the version and exit")
	fs.BoolVar(&o.help, "help", false, "show this help")
	// A mistake gets one line and a hint, not the whole help: fs.Usage
	// stays silent while parsing, and --help calls printUsage.
	fs.Usage = func() {}
	return fs
}

func printUsage(fs *flag.FlagSet, stderr io.Writer) {
	fmt.Fprint(stderr, usageText)
	fs.VisitAll(func(f *flag.Flag) {
		typ, usage := flag.UnquoteUsage(f)
		fmt.Fprintf(stderr, "  %s\n        %s", strings.TrimSpace("--"+f.Name+" "+typ), usage)
		switch f.DefValue {
		case "", "0", "false", "-1":
		default:
			if !strings.Contains(usage, "default") {
				fmt.Fprintf(stderr, " (default %s)", f.DefValue)
			}
		}
		fmt.Fprintln(stderr)
	})
	fmt.Fprint(stderr, usageFooter)
}

// parseArgs reads flags placed before or after FILE.
func parseArgs(args []string, stderr io.Writer) (*options, *flag.FlagSet, error) {
	o := &options{}
	fs := newFlagSet(o, stderr)
	var files []string
	for {
		if err := parseFlags(fs, args); errors.Is(err, flag.ErrHelp) {
			o.help = true
			return o, fs, nil
		} else if err != nil {
			return o, fs, err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if o.help || o.version {
		return o, fs, nil
	}
	switch {
	case len(files) == 0:
		return o, fs, &usageError{"no input file given"}
	case len(files) > 1:
		return o, fs, &usageError{fmt.Sprintf("one input file at a time, got %d: %s", len(files), strings.Join(files, " "))}
	}
	o.file = files[0]
	return o, fs, o.check()
}

func (o *options) check() error {
	switch {
	case o.offline && !o.plan:
		return &usageError{"--offline works only with --plan"}
	case o.concurrency < 1 || o.concurrency > 64:
		return &usageError{"--concurrency must be from 1 to 64"}
	case o.rate < 0:
		return &usageError{"--rate must be positive"}
	case o.rate != 0 && !(o.rate >= minFlagRate && o.rate <= math.MaxFloat64): // NaN and ±Inf fail too
		return &usageError{fmt.Sprintf("--rate %v: want at least %v requests per second, a finite number (or leave it out for the default pace)", o.rate, minFlagRate)}
	case o.maxFailures < -1:
		return &usageError{"--max-failures must be 0 (no limit) or more"}
	case o.logFormat != "text" && o.logFormat != "json":
		return &usageError{"--log-format must be text or json"}
	case o.timeout <= 0:
		return &usageError{"--timeout must be positive"}
	case o.settleDelay < 0:
		return &usageError{"--settle-delay must not be negative"}
	case o.applyPlan != "" && o.plan:
		return &usageError{"--apply-plan applies a plan: it does not go with --plan"}
	case o.maxDaysTotal < 0 || o.maxMemberships < 0:
		return &usageError{"--max-days-total and --max-memberships must be 0 (no cap) or more"}
	case o.quietPeriod < o.settleDelay:
		return &usageError{"--quiet-period must not be shorter than --settle-delay"}
	case o.api != "current" && o.api != "v2":
		return &usageError{fmt.Sprintf("--api %q: want current or v2", o.api)}
	case o.sandbox && o.api != "current":
		return &usageError{"--sandbox is a Current API sandbox: it works only with --api current"}
	case o.metadata != "merge" && o.metadata != "replace":
		return &usageError{fmt.Sprintf("--metadata %q: want merge or replace", o.metadata)}
	}
	if _, err := o.pace(); err != nil {
		return err
	}
	return nil
}

// pace turns --rate and --api-limit into the pacer's settings; what they
// leave unset, the engine takes from the API (batch.New).
func (o *options) pace() (batch.Pace, error) {
	p := batch.Pace{Rate: o.rate}
	switch o.apiLimit {
	case "":
		return p, nil
	case "none":
		p.Unlimited = o.rate == 0
		if o.rate > 0 {
			p.Limit, p.Window = 1, time.Nanosecond // --rate alone paces
		}
		return p, nil
	}
	n, d, ok := strings.Cut(o.apiLimit, "/")
	limit, err1 := strconv.Atoi(n)
	window, err2 := time.ParseDuration(d)
	if !ok || err1 != nil || err2 != nil || limit < 1 || window <= 0 {
		return p, &usageError{fmt.Sprintf("--api-limit %q: want N/DURATION such as 100/10s, or none", o.apiLimit)}
	}
	p.Limit, p.Window = limit, window
	if o.rate == 0 {
		// One request every window/(limit-1) at most, like the default
		// 9.9 per second for 100 per 10 s.
		p.Rate = float64(limit-1) / window.Seconds()
	}
	return p, nil
}

// defaultCampaign is FILE's base name without its extension. A retry file
// that a run wrote beside its report (NAME.report.retry.csv) belongs to
// the campaign of NAME, so that running it continues that campaign.
func defaultCampaign(file string) string {
	base := filepath.Base(file)
	if ext := filepath.Ext(base); ext != base {
		base = strings.TrimSuffix(base, ext)
	}
	for strings.HasSuffix(base, retrySuffix) && len(base) > len(retrySuffix) {
		base = strings.TrimSuffix(base, retrySuffix)
	}
	return base
}

// retrySuffix ends the base name of a retry file (see report.RetryPath).
const retrySuffix = ".report.retry"

// defaultMaxFailures stops a run whose rows are mostly failing before it
// burns through the file: 10% of the rows, at least 50, at most 1000.
func defaultMaxFailures(rows int) int {
	return min(max(rows/10, 50), 1000)
}

package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"bulk/internal/batch"
	"bulk/internal/client"
	"bulk/internal/input"
	"bulk/internal/report"
	"bulk/internal/whopsim"
)

const selectUsage = `usage: bulk select [filters] (--days N | --metadata JSON) -o FILE

List the memberships of the key's business that match every filter given,
paced like any run, and write a campaign file (FILE: .csv or .jsonl) with
membership_id and days or metadata, plus status, period_end, product_id,
plan_id and user_id for information. Then: bulk --plan FILE. Running it
again lists from the start and rewrites FILE.

Flags:
`

// simulatedPopulation is how many memberships the simulator holds for
// bulk select --simulate to find.
const simulatedPopulation = 2000

// selectPerm is the campaign file's mode: like any file a user writes by
// hand (the umask does not apply to it). It names memberships and users,
// not secrets.
const selectPerm = 0o644

// listStatuses are the values the list's status filter takes.
var listStatuses = []string{"active", "trialing", "past_due", "completed", "canceled", "expired", "canceling", "paused"}

// selectOptions is what `bulk select` takes.
type selectOptions struct {
	o        options // the flags a run shares: api, version, base URL, pace...
	out      string
	filter   client.ListFilter
	days     int
	metadata json.RawMessage
}

// runSelect is `bulk select`: it returns the exit code.
func runSelect(ctx context.Context, args []string, e env, stdout, stderr io.Writer) int {
	s, fs, err := parseSelect(args)
	if err != nil {
		printError(newUI(stderr, "text", false, nil), err, "bulk select --help")
		return exitInput
	}
	if s == nil {
		fmt.Fprint(stdout, selectUsage)
		fs.SetOutput(stdout)
		fs.PrintDefaults()
		return exitOK
	}
	if s.o.simulate {
		hook := e.simulator
		e.simulator = func(cfg *whopsim.Config) {
			cfg.Population = simulatedPopulation
			if hook != nil {
				hook(cfg)
			}
		}
	}
	c := &command{o: &s.o, env: e, stdout: stdout, stderr: stderr}
	c.ui = newUI(stderr, s.o.logFormat, e.terminal, []any{"run", newRunID()})
	err = c.selectAndWrite(ctx, s)
	if err != nil {
		c.ui.errorf("%v", err)
		if errors.Is(err, errNoneSelected) {
			return exitRows
		}
	}
	return exitCode(err, false)
}

// errNoneSelected: nothing matched, so there is no campaign to write (a
// file without rows is not a campaign).
var errNoneSelected = errors.New("no membership matches the filters")

func parseSelect(args []string) (*selectOptions, *flag.FlagSet, error) {
	s := &selectOptions{}
	o := &s.o
	fs := flag.NewFlagSet("bulk select", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	var status, after, before, days, metadata string
	var help bool
	fs.Func("product", "only memberships of this product (prod_...); repeat for any of several", func(v string) error {
		return addID(&s.filter.ProductIDs, "--product", "prod_", v)
	})
	fs.Func("plan-id", "only memberships of this plan (plan_...); repeat for any of several", func(v string) error {
		return addID(&s.filter.PlanIDs, "--plan-id", "plan_", v)
	})
	fs.StringVar(&status, "status", "", "only memberships with this status: "+strings.Join(listStatuses, ", "))
	fs.StringVar(&after, "created-after", "", "only memberships created after this time (RFC 3339, e.g. 2026-01-01T00:00:00Z)")
	fs.StringVar(&before, "created-before", "", "only memberships created before this time (RFC 3339)")
	fs.StringVar(&days, "days", "", "each row adds N free days (1 to 1095)")
	fs.StringVar(&metadata, "metadata", "", "each row sets this metadata (a JSON object)")
	fs.StringVar(&s.out, "o", "", "the campaign file to write, .csv or .jsonl (required)")
	fs.StringVar(&o.api, "api", "current", "which Whop API: current or v2")
	fs.StringVar(&o.apiVersion, "api-version", "", "Api-Version-Date (default: $WHOP_API_VERSION, else "+client.DefaultVersion+")")
	fs.BoolVar(&o.sandbox, "sandbox", false, "use Whop's sandbox (Current API)")
	fs.StringVar(&o.baseURL, "base-url", "", "API base URL (default: $WHOP_BASE_URL, else by --api and --sandbox)")
	fs.BoolVar(&o.simulate, "simulate", false, fmt.Sprintf("list from the built-in simulator (%d memberships) instead of Whop", simulatedPopulation))
	fs.Float64Var(&o.rate, "rate", 0, "list requests per second (default: never over --api-limit)")
	fs.StringVar(&o.apiLimit, "api-limit", "", "the API's limit: N/DURATION, or none (default: the API's)")
	fs.DurationVar(&o.timeout, "timeout", 30*time.Second, "give up waiting for a page after this long (it is asked for again)")
	fs.StringVar(&o.logFormat, "log-format", "text", "log lines on stderr: text|json")
	fs.BoolVar(&help, "help", false, "show this help")
	if err := parseFlags(fs, args); errors.Is(err, flag.ErrHelp) {
		return nil, fs, nil
	} else if err != nil {
		return nil, fs, err
	}
	if help {
		return nil, fs, nil
	}
	if fs.NArg() > 0 {
		return nil, fs, &usageError{fmt.Sprintf("bulk select takes no file argument, got %s: name the file to write with -o FILE", strings.Join(fs.Args(), " "))}
	}
	o.concurrency, o.quietPeriod, o.metadata = 1, time.Minute, "merge" // so that check judges only what select sets
	if err := o.check(); err != nil {
		return nil, fs, err
	}
	return s, fs, s.check(status, after, before, days, metadata)
}

// addID adds a --product or --plan-id value: prefix and letters, digits
// and underscores; a repeated one is taken once.
func addID(ids *[]string, flagName, prefix, v string) error {
	rest, ok := strings.CutPrefix(v, prefix)
	if !ok || rest == "" || strings.IndexFunc(rest, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_')
	}) >= 0 || len(v) > 64 {
		return fmt.Errorf("%s %q: want %s followed by letters and digits", flagName, v, prefix)
	}
	if !slices.Contains(*ids, v) {
		*ids = append(*ids, v)
	}
	return nil
}

// check validates select's own flags as strictly as a row is validated.
func (s *selectOptions) check(status, after, before, days, metadata string) error {
	switch {
	case s.out == "":
		return &usageError{"name the campaign file to write with -o FILE (.csv or .jsonl)"}
	case days == "" && metadata == "":
		return &usageError{"say what each row does: --days N or --metadata JSON"}
	case days != "" && metadata != "":
		return &usageError{"give --days or --metadata, not both"}
	case status != "" && !slices.Contains(listStatuses, status):
		return &usageError{fmt.Sprintf("--status %q: want one of %s", status, strings.Join(listStatuses, ", "))}
	}
	s.filter.Status = status
	if _, err := input.FormatOf(s.out, ""); err != nil {
		return &usageError{"-o: " + err.Error()}
	}
	if fi, err := os.Stat(filepath.Dir(s.out)); err != nil || !fi.IsDir() {
		return &usageError{fmt.Sprintf("-o %s: its directory does not exist", s.out)}
	}
	if fi, err := os.Stat(s.out); err == nil && fi.IsDir() {
		return &usageError{fmt.Sprintf("-o %s is a directory", s.out)}
	}
	var err error
	if days != "" {
		if s.days, err = input.CheckDays(days); err != nil {
			return &usageError{"--days: " + err.Error()}
		}
	} else if s.metadata, err = input.CheckMetadata(metadata, true); err != nil {
		// null is refused: a run merges by default, and the Current API
		// always does; neither can delete one key.
		return &usageError{"--metadata: " + err.Error()}
	}
	for _, t := range []struct {
		flag, v string
		to      **time.Time
	}{{"--created-after", after, &s.filter.CreatedAfter}, {"--created-before", before, &s.filter.CreatedBefore}} {
		if t.v == "" {
			continue
		}
		v, err := time.Parse(time.RFC3339, t.v)
		if err != nil {
			return &usageError{fmt.Sprintf("%s %q: want an RFC 3339 time such as 2026-01-01T00:00:00Z", t.flag, t.v)}
		}
		*t.to = &v
	}
	if a, b := s.filter.CreatedAfter, s.filter.CreatedBefore; a != nil && b != nil && !a.Before(*b) {
		return &usageError{"--created-after must be before --created-before: no membership could match"}
	}
	return nil
}

// selectAndWrite lists, then writes the campaign file at once, whole.
func (c *command) selectAndWrite(ctx context.Context, s *selectOptions) error {
	api, stop, err := c.connect()
	if err != nil {
		return err
	}
	defer stop()
	pace, _ := s.o.pace()
	opts := batch.Options{Pace: pace}
	if c.env.tune != nil {
		c.env.tune(&opts)
	}
	format, _ := input.FormatOf(s.out, "")
	w := newCampaignWriter(format)
	byStatus := map[string]int{}
	skipped := 0
	started := time.Now()
	c.ui.info("listing memberships", "api", s.o.api, "file", s.out)
	prog := c.ui.progress(-1, "listing memberships") // no total is known in advance
	listed := 0
	err = batch.Select(ctx, api, s.filter, opts, func(m client.Membership) error {
		listed++
		prog.set(listed)
		if !input.ValidID(m.ID) {
			skipped++
			c.ui.warn("left out a listed membership whose id a campaign file cannot hold", "id", truncate(m.ID, 80))
			return nil
		}
		byStatus[m.Status]++
		return w.add(m, s)
	})
	prog.finish()
	if err != nil {
		return fmt.Errorf("%w; %s was not written", err, s.out)
	}
	if w.rows == 0 {
		return fmt.Errorf("%w; %s was not written", errNoneSelected, s.out)
	}
	if err := w.flush(); err != nil {
		return err
	}
	if err := report.WriteFileAtomic(s.out, w.buf.Bytes(), selectPerm); err != nil {
		return err
	}
	c.ui.info("selected", "memberships", w.rows, "requests", api.Sent()[client.OpList], "rate_limited", api.RateLimited(),
		"seconds", time.Since(started).Round(time.Millisecond).Seconds())
	fmt.Fprintf(c.stdout, "wrote %d memberships to %s\n", w.rows, s.out)
	for _, st := range slices.Sorted(maps.Keys(byStatus)) {
		fmt.Fprintf(c.stdout, "  %-10s %d\n", st, byStatus[st])
	}
	if skipped > 0 {
		fmt.Fprintf(c.stdout, "left out %d listed memberships with ids a campaign file cannot hold\n", skipped)
	}
	next := "bulk --plan " + shellQuote(s.out)
	if s.o.simulate {
		next = "bulk --simulate --plan " + shellQuote(s.out) + " (simulated memberships: Whop does not have them)"
	}
	fmt.Fprintf(c.stdout, "next: %s\n", next)
	return nil
}

// campaignWriter builds the campaign file in memory: it is written only
// once the whole listing succeeded.
type campaignWriter struct {
	format input.Format
	buf    bytes.Buffer
	csv    *csv.Writer
	rows   int
}

var campaignColumns = []string{"status", "period_end", "product_id", "plan_id", "user_id"}

func newCampaignWriter(f input.Format) *campaignWriter {
	w := &campaignWriter{format: f}
	if f == input.CSV {
		w.csv = csv.NewWriter(&w.buf)
	}
	return w
}

func (w *campaignWriter) add(m client.Membership, s *selectOptions) error {
	end := ""
	if m.PeriodEnd != nil {
		end = time.Unix(*m.PeriodEnd, 0).UTC().Format(time.RFC3339)
	}
	info := []string{m.Status, end, m.ProductID, m.PlanID, m.UserID}
	if w.rows == 0 && w.csv != nil {
		if err := w.csv.Write(slices.Concat([]string{"membership_id", w.action(s)}, campaignColumns)); err != nil {
			return err
		}
	}
	w.rows++
	if w.csv != nil {
		for i, v := range info {
			info[i] = neutralise(v)
		}
		return w.csv.Write(slices.Concat([]string{m.ID, w.value(s)}, info))
	}
	b := append([]byte(`{"membership_id":`), strconv.Quote(m.ID)...)
	b = append(b, `,"`+w.action(s)+`":`...)
	b = append(b, w.value(s)...)
	for i, k := range campaignColumns {
		v, _ := json.Marshal(info[i])
		b = append(b, `,"`+k+`":`...)
		b = append(b, v...)
	}
	w.buf.Write(append(b, "}\n"...))
	return nil
}

func (w *campaignWriter) action(s *selectOptions) string {
	if s.metadata != nil {
		return "metadata"
	}
	return "days"
}

func (w *campaignWriter) value(s *selectOptions) string {
	if s.metadata != nil {
		return string(s.metadata)
	}
	return strconv.Itoa(s.days)
}

func (w *campaignWriter) flush() error {
	if w.csv == nil {
		return nil
	}
	w.csv.Flush()
	return w.csv.Error()
}

// neutralise makes a CSV cell from the API safe to open in a spreadsheet,
// as the report does: a leading =, +, -, @, tab or CR gets a quote.
func neutralise(cell string) string {
	if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) {
		return "'" + cell
	}
	return cell
}

// shellQuote quotes a path for the command printed next, when it needs it.
func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("/._-+,:=@", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

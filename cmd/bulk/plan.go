package main

import (
	"context"
	"time"

	"bulk/internal/batch"
	"bulk/internal/campaign"
	"bulk/internal/client"
	"bulk/internal/input"
	"bulk/internal/journal"
	"bulk/internal/report"
)

// plan is --plan: every membership read, no change sent.
func (c *command) plan(ctx context.Context, format input.Format, api client.API) error {
	return c.runPlan(ctx, format, api)
}

// planOffline is --plan --offline: no network at all.
func (c *command) planOffline(format input.Format) error {
	return c.runPlan(context.Background(), format, nil)
}

func (c *command) runPlan(ctx context.Context, format input.Format, api client.API) error {
	o := c.o
	started := time.Now()
	// A plan only reads the journal: it takes no lock, so it may run
	// beside a real run of the campaign.
	j, err := journal.Open(o.state, o.campaign, journal.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer j.Close()
	ledger, err := c.openLedger(true)
	if err != nil {
		return err
	}
	defer ledger.Close()
	rows, err := c.scan.Open()
	if err != nil {
		return err
	}
	defer rows.Close()
	w, err := report.Create(o.report, c.scan.Extra)
	if err != nil {
		return err
	}
	defer w.Abort()

	pace, _ := o.pace()
	dialect, err := client.DialectOf(c.clientOptions())
	if err != nil {
		return &usageError{err.Error()}
	}
	opts := batch.Options{
		Campaign: o.campaign, RunID: c.ui.runID(), InputSHA256: c.scan.SHA256,
		Concurrency: o.concurrency, Pace: pace, Dialect: dialect, ReplaceMetadata: o.metadata == "replace",
		Ledger: ledger, AllowRepeat: o.allowRepeat, RetryFailed: o.retryFailed,
	}
	var eng *batch.Engine
	mode := "plan-offline"
	if api != nil {
		mode = "plan"
		prog := c.ui.progress(c.scan.Rows, "reading memberships")
		defer prog.finish()
		opts.Progress = prog.set
		opts.Pace.OnPause = c.onPause(prog)
		eng = batch.New(api, j, opts)
	} else {
		eng = batch.New(nil, j, opts)
	}
	t := campaign.NewTally(c.scan)
	cost := map[client.Op]int64{}
	reasons := report.NewReasons()
	planErr := eng.Plan(ctx, rows, func(r batch.PlanRow) error {
		t.Add(r.Row)
		reasons.Add(r.Row)
		cost[client.OpRead] += int64(r.Reads)
		cost[r.WriteOp] += int64(r.Writes)
		return w.Write(r.Row)
	})
	c.rowsBad, c.bad = t.Bad(), "would fail"
	s := t.Summary(c.meta(), started, time.Now())
	s.Mode, s.Reasons = mode, reasons.List()
	s.RequestsToSend, s.EstimatedRunSeconds = estimate(cost, pace, dialect)
	if api != nil {
		s.RequestsSent, s.RequestsPerOp, s.RateLimited = requestsSent(api)
	}
	s.ExitCode = exitCode(planErr, c.rowsBad)
	if planErr != nil {
		s.Stopped = planErr.Error()
	}
	if err := c.writeReport(w, s); err != nil {
		return err
	}
	printSummary(c.stdout, s, o.report)
	return planErr
}

// estimate is how many requests a run would send, and how long they take
// at the pace, in seconds: the operations one after the other where the
// API has one limit for all, side by side where each has its own.
func estimate(cost map[client.Op]int64, p batch.Pace, d client.Dialect) (int64, float64) {
	var all, most int64
	for _, n := range cost {
		all += n
		most = max(most, n)
	}
	if p.Unlimited || all == 0 {
		return all, 0
	}
	limit, window := p.Limit, p.Window
	if limit <= 0 {
		limit, window = d.Limit, d.Window
	}
	rate := p.Rate
	if rate <= 0 {
		rate = batch.DefaultRate
	}
	if limit > 0 && window > 0 {
		rate = min(rate, float64(limit)/window.Seconds())
	}
	if d.SharedLimit {
		return all, float64(all) / rate
	}
	return all, float64(most) / rate
}

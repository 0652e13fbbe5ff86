package main

import (
	"context"
	"time"

	"bulk/internal/batch"
	"bulk/internal/client"
	"bulk/internal/journal"
)

// plan is --plan: every membership read, no change sent.
func (c *command) plan(ctx context.Context, format batch.Format, api *client.Client) error {
	return c.runPlan(ctx, format, api)
}

// planOffline is --plan --offline: no network at all.
func (c *command) planOffline(format batch.Format) error {
	return c.runPlan(context.Background(), format, nil)
}

func (c *command) runPlan(ctx context.Context, format batch.Format, api *client.Client) error {
	o := c.o
	started := time.Now()
	// A plan only reads the journal: it takes no lock, so it may run
	// beside a real run of the campaign.
	j, err := journal.Open(o.state, o.campaign, journal.Options{ReadOnly: true})
	if err != nil {
		return err
	}
	defer j.Close()
	rows, w, err := c.open(format)
	if err != nil {
		return err
	}
	defer rows.Close()
	defer w.Abort()

	pace, _ := o.pace()
	opts := batch.Options{
		Campaign: o.campaign, RunID: c.ui.runID(), InputSHA256: c.scan.SHA256,
		Concurrency: o.concurrency, Pace: pace,
	}
	var eng *batch.Engine
	mode := "plan-offline"
	if api != nil {
		mode = "plan"
		prog := c.ui.progress(c.scan.Rows, "reading memberships")
		defer prog.finish()
		opts.Progress = prog.set
		eng = batch.New(api, j, opts)
	} else {
		eng = batch.New(nil, j, opts)
	}
	t := newTally(c.scan)
	var requests int64
	planErr := eng.Plan(ctx, rows, func(r batch.PlanRow) error {
		t.add(r.Row)
		if r.Warning {
			t.warnings++
		}
		requests += int64(r.Requests)
		return w.Write(r.Row)
	})
	c.rowsBad, c.bad = t.bad(), "would fail"
	s := t.summary(o, c.scan, started, time.Now())
	s.Mode = mode
	s.RequestsToSend = requests
	s.EstimatedRunSeconds = estimate(requests, pace)
	if api != nil {
		s.RequestsSent, s.RateLimited = api.Sent(), api.RateLimited()
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

// estimate is how long n requests take at the pace, in seconds.
func estimate(n int64, p batch.Pace) float64 {
	if p.Unlimited || n == 0 {
		return 0
	}
	rate := p.Rate
	if p.Limit > 0 && p.Window > 0 {
		rate = min(rate, float64(p.Limit)/p.Window.Seconds())
	}
	if rate <= 0 {
		rate = batch.DefaultRate
	}
	return float64(n) / rate
}

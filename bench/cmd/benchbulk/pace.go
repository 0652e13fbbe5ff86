package main

import (
	"context"
	"fmt"
	"time"

	"bulk/internal/whopsim"
)

// pace: bulk at its default pace against the Current API's real limit
// (600 a minute per operation) for a minute, then SIGTERM. The server's
// log says what reached it.
func (b *bench) pace(ctx context.Context) error {
	d := 60 * time.Second
	if b.cfg.quick {
		d = 20 * time.Second
	}
	return b.paced(ctx, "pace", whopsim.Config{}, d)
}

// latency: the same with 300 ms added to every request by the server.
func (b *bench) latency(ctx context.Context) error {
	d := 45 * time.Second
	if b.cfg.quick {
		d = 20 * time.Second
	}
	return b.paced(ctx, "latency", whopsim.Config{Latency: 300 * time.Millisecond}, d)
}

func (b *bench) paced(ctx context.Context, scenario string, cfg whopsim.Config, d time.Duration) error {
	// 2,000 metadata rows take 202 s at 9.9 per second: the run is
	// always stopped before it runs out of rows.
	file, err := b.rowsFile(metadataRows, 2000)
	if err != nil {
		return err
	}
	var ratios, maxes, n429s, stops []float64
	for i := range b.cfg.runs {
		s, err := startSim(cfg)
		if err != nil {
			return err
		}
		b.progress("%s: run %d of %d, %s at the default pace (%s)", scenario, i+1, b.cfg.runs, d, s.url)
		r, err := b.runBulk(ctx, bulkSpec{file: file, sim: s, term: d, cap: d + time.Minute, tag: fmt.Sprintf("%s%d", scenario, i)})
		s.close()
		if err != nil {
			return err
		}
		op := s.limitedOp()
		p := s.paceStats(op)
		limit, window := s.realLimit()
		ratios = append(ratios, p.rate/(float64(limit)/window.Seconds()))
		maxes = append(maxes, float64(p.maxInWindow))
		n429s = append(n429s, float64(p.n429))
		stops = append(stops, secs(r.stopWait))
		b.progress("%s: %d %s requests in %.1f s: %.3f/s, at most %d of one operation in any %g s, %d 429s, exit %d %.1f s after SIGTERM",
			scenario, p.requests, op, secs(p.span), p.rate, p.maxInWindow, window.Seconds(), p.n429, r.exit, secs(r.stopWait))
		if r.exit != 3 {
			b.note(scenario, "run %d exited %d after SIGTERM, not 3 (stopped early)", i+1, r.exit)
		}
	}
	b.check(scenario, "achieved rate of the busiest operation ÷ its limit (600/60 s), first to last request", best(ratios, false), "", true, 0.98, ratios)
	// A limit holds only if it held in every run: the worst run is reported.
	b.check(scenario, "most requests of one operation in any 60 s window (worst run)", worst(maxes, false), "", false, 600, maxes)
	b.check(scenario, "429s received (worst run)", worst(n429s, false), "", false, 0, n429s)
	b.info(scenario, "SIGTERM to exit", num(best(stops, true))+" s", stops, " s")
	b.note(scenario, "%s per run at the default pace (--rate unset: 9.9/s per operation), --concurrency 8, on 2,000 metadata rows (a GET and a PATCH each, each operation paced apart), then SIGTERM; Current API, simulator at its default limit of 600 a minute per operation", d)
	if cfg.Latency > 0 {
		b.note(scenario, "the simulator adds %s to every request it admits", cfg.Latency)
	}
	return nil
}

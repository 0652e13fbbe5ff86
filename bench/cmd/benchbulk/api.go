package main

import (
	"context"
	"fmt"
	"time"

	"bulk/internal/whopsim"
)

// apiRows is the size of each campaign of the api scenario: 72.7 s at
// 9.9 rows a second, so that the Current API's 60 s window is full for a
// while and the steady rate dominates; 145 s on v2.
const apiRows = 720

// api: bulk at its default pace (no --rate, no --api-limit) against the
// simulator at each API's real limit, three campaigns to completion, one
// run each: add free days on the Current API (a read and an extend a row,
// each operation with its own 600 a minute), the same on v2 (both from
// one budget of 100 in any 10 s) and metadata on the Current API (one
// update a row).
func (b *bench) api(ctx context.Context) error {
	sc := "api"
	n := apiRows
	if b.cfg.quick {
		n = 150
	}
	cases := []struct {
		label, kind, api string
		rate             float64 // rows per second expected at the default pace
		ops              []string
	}{
		{"Current API, add free days", daysRows, whopsim.APICurrent, 9.9, []string{whopsim.OpRead, whopsim.OpExtend}},
		{"v2, add free days", daysRows, whopsim.APIV2, 4.95, nil},
		{"Current API, metadata", metadataRows, whopsim.APICurrent, 9.9, []string{whopsim.OpUpdate}},
	}
	for i, c := range cases {
		file, err := b.rowsFile(c.kind, n)
		if err != nil {
			return err
		}
		s, err := startSim(whopsim.Config{API: c.api})
		if err != nil {
			return err
		}
		expect := time.Duration(float64(n) / c.rate * float64(time.Second))
		b.progress("api: %s: %d rows at the default pace, about %s (%s)", c.label, n, expect.Round(time.Second), s.url)
		r, err := b.runBulk(ctx, bulkSpec{file: file, sim: s, cap: 2*expect + time.Minute, tag: fmt.Sprintf("api%d", i)})
		s.close()
		if err != nil {
			return err
		}
		if r.exit != 0 {
			b.note(sc, "%s: bulk exited %d, not 0", c.label, r.exit)
		}
		p := s.paceStats("")
		rate := float64(n-1) / secs(p.span)
		changed := map[string]int{}
		for _, e := range s.Ledger() {
			if e.Op == whopsim.OpAddFreeDays || e.Op == whopsim.OpUpdateMetadata {
				changed[e.ID]++
			}
		}
		ids, err := fileIDs(file)
		if err != nil {
			return err
		}
		notOnce := 0
		for _, id := range ids {
			if changed[id] != 1 {
				notOnce++
			}
		}
		label := c.label
		b.check(sc, label+": rows/s, first request to last", rate, "", true, 0.97*c.rate, nil)
		b.info(sc, label+": rows/s ÷ "+num(c.rate), num(rate/c.rate), nil, "")
		b.info(sc, label+": rows/s over the bulk process (start to exit)", num(float64(n)/secs(r.wall)), nil, "")
		b.check(sc, label+": 429s", float64(p.n429), "", false, 0, nil)
		limit, window := s.realLimit()
		if c.api == whopsim.APIV2 {
			b.check(sc, fmt.Sprintf("%s: most requests in any %g s window (all operations)", label, window.Seconds()), float64(s.MaxInWindow(window)), "", false, float64(limit), nil)
		}
		var most []any
		for _, op := range c.ops {
			m := s.MaxInWindowOp(op, window)
			most = append(most, op, m)
			b.check(sc, fmt.Sprintf("%s: most %s requests in any %g s window", label, op, window.Seconds()), float64(m), "", false, float64(limit), nil)
		}
		b.check(sc, label+": rows not applied exactly once (ledger)", float64(notOnce), "", false, 0, nil)
		b.note(sc, "%s: %d rows, %d requests from %s to %s (%.1f s), bulk exited %d after %.1f s, %d requests in its summary",
			label, n, p.requests, p.first.Format("15:04:05.000"), p.last.Format("15:04:05.000"), secs(p.span), r.exit, secs(r.wall), r.summary.RequestsSent)
		b.progress("api: %s: %.3f rows/s first to last (%.1f s), %d 429s, most in a window %v, %d not applied once",
			label, rate, secs(p.span), p.n429, most, notOnce)
	}
	b.note(sc, "bulk with only --base-url (and --api v2 for v2), WHOP_API_KEY, --state, --report and --log-format json: default pace (9.9/s per operation on the Current API, 9.9/s for all on v2), --concurrency 8")
	b.note(sc, "simulator at its defaults for the API (Current: 600 in any 60 s per operation, no cooldown; v2: 100 in any 10 s for all requests, 60 s cooldown), in the harness's process, memberships created on first sight")
	b.note(sc, "rows/s, first request to last: (rows − 1) ÷ the time from the first request the simulator logged to the last; one run of each campaign whatever -runs says")
	return nil
}

package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"bulk/internal/whopsim"
)

// memLimit is the peak RSS bulk must stay under on a million rows.
const memLimit = 64 << 20

// campaign is a finished campaign: its file and state directory.
type campaign struct {
	file, state string
	tag         string // of the run that finished it: names its report
	wall        time.Duration
}

// sizes are the file sizes of the memory scenario.
func (b *bench) sizes() []int {
	top := b.cfg.maxRows
	if b.cfg.quick {
		top = min(top, 100_000)
	}
	var s []int
	for _, n := range []int{10_000, 100_000, 1_000_000} {
		if n < top {
			s = append(s, n)
		}
	}
	return append(s, top)
}

// memory: peak RSS of a full run and of --plan --offline as the file grows.
func (b *bench) memory(ctx context.Context) error {
	sc := "memory"
	sizes := b.sizes()
	var fullRSS, planRSS []float64
	floor := 0.0
	for _, n := range sizes {
		file, err := b.rowsFile(metadataRows, n)
		if err != nil {
			return err
		}
		// A million-row run takes minutes: it runs once; smaller ones
		// as often as the others.
		runs := b.cfg.runs
		if n >= 1_000_000 {
			runs = 1
		}
		var rss, walls []float64
		for i := range runs {
			r, c, err := b.fullRun(ctx, file, fmt.Sprintf("memory%d", i))
			if err != nil {
				return err
			}
			if i == 0 {
				b.finished(n, c)
			}
			rss = append(rss, mib(r.maxRSS))
			floor = max(floor, mib(r.floor))
			walls = append(walls, secs(r.wall))
			b.progress("memory: %d rows: full run %.1f s, peak RSS %.1f MiB", n, secs(r.wall), mib(r.maxRSS))
		}
		var prss, pwalls []float64
		for i := range b.cfg.runs {
			r, err := b.runBulk(ctx, bulkSpec{file: file, args: []string{"--plan", "--offline"}, tag: fmt.Sprintf("plan%d", i)})
			if err != nil {
				return err
			}
			if r.exit != 0 {
				return fmt.Errorf("bulk --plan --offline exited %d\n%s", r.exit, tail(r.stderr, 2000))
			}
			prss = append(prss, mib(r.maxRSS))
			floor = max(floor, mib(r.floor))
			pwalls = append(pwalls, secs(r.wall))
			b.progress("memory: %d rows: --plan --offline %.1f s, peak RSS %.1f MiB", n, secs(r.wall), mib(r.maxRSS))
		}
		fullRSS = append(fullRSS, worst(rss, true))
		planRSS = append(planRSS, worst(prss, true))
		rows := fmt.Sprintf("%d rows", n)
		b.check(sc, rows+": full run, peak RSS", worst(rss, true), " MiB", false, mib(memLimit), rss)
		b.info(sc, rows+": full run, wall time", num(best(walls, true))+" s", walls, " s")
		b.check(sc, rows+": --plan --offline, peak RSS", worst(prss, true), " MiB", false, mib(memLimit), prss)
		b.info(sc, rows+": --plan --offline, wall time", num(best(pwalls, true))+" s", pwalls, " s")
	}
	if len(sizes) > 1 {
		last := len(sizes) - 1
		b.check(sc, fmt.Sprintf("full run: peak RSS growth, %d → %d rows", sizes[0], sizes[last]), fullRSS[last]-fullRSS[0], " MiB", false, 16, nil)
		b.check(sc, fmt.Sprintf("--plan --offline: peak RSS growth, %d → %d rows", sizes[0], sizes[last]), planRSS[last]-planRSS[0], " MiB", false, 16, nil)
	}
	b.note(sc, "metadata rows; full run against the simulator with NoLimit and NoLog, --api-limit none, --concurrency 8; peak RSS is the subprocess's ru_maxrss, the worst of the runs")
	b.note(sc, "each bulk is started by a small launcher whose own peak RSS (%.1f MiB at most) is the least a measurement can show", floor)
	b.note(sc, "\"flat\" is read as: the peak grows by at most 16 MiB from the smallest file to the largest")
	return nil
}

// fullRun applies file to completion in a new state directory against a
// fresh simulator with no limit.
func (b *bench) fullRun(ctx context.Context, file, tag string) (bulkRun, campaign, error) {
	s, err := startSim(whopsim.Config{NoLimit: true, NoLog: true})
	if err != nil {
		return bulkRun{}, campaign{}, err
	}
	defer s.close()
	c := campaign{file: file, tag: tag}
	r, err := b.runBulk(ctx, bulkSpec{file: file, sim: s, args: []string{"--api-limit", "none"}, tag: tag})
	if err != nil {
		return r, c, err
	}
	if r.exit != 0 {
		return r, c, fmt.Errorf("bulk exited %d on %s\n%s", r.exit, file, tail(r.stderr, 2000))
	}
	c.state, c.wall = r.state, r.wall
	return r, c, nil
}

// finished remembers a finished campaign of n rows, for resume: in this
// run, and in the work directory for a later run given the same -dir.
func (b *bench) finished(n int, c campaign) {
	if b.done == nil {
		b.done = map[int]campaign{}
	}
	b.done[n] = c
	os.WriteFile(c.file+".done", []byte(fmt.Sprintf("%s\n%d\n%s\n", c.state, c.wall, c.tag)), 0o644)
}

// finishedCampaign is a campaign of n rows finished earlier, if any.
func (b *bench) finishedCampaign(n int, file string) (campaign, bool) {
	if c, ok := b.done[n]; ok {
		return c, true
	}
	data, err := os.ReadFile(file + ".done")
	if err != nil {
		return campaign{}, false
	}
	c := campaign{file: file}
	if _, err := fmt.Sscan(string(data), &c.state, &c.wall, &c.tag); err != nil {
		return campaign{}, false
	}
	if _, err := os.Stat(c.state); err != nil {
		return campaign{}, false
	}
	return c, true
}

package main

import (
	"context"
	"fmt"

	"bulk/internal/whopsim"
)

// resume: running again the command of a campaign whose rows are all
// done. Everything is skipped from the journal; the run reads the file and
// the journal and writes the report.
func (b *bench) resume(ctx context.Context) error {
	sc := "resume"
	sizes := b.sizes()
	n := sizes[len(sizes)-1]
	file, err := b.rowsFile(metadataRows, n)
	if err != nil {
		return err
	}
	c, ok := b.finishedCampaign(n, file)
	if !ok {
		b.progress("resume: applying %d rows once to completion", n)
		_, c, err = b.fullRun(ctx, file, "resume-first")
		if err != nil {
			return err
		}
		b.finished(n, c)
	}
	b.note(sc, "the first run (%d metadata rows to completion, NoLimit) took %.1f s", n, secs(c.wall))
	// Two ways to run a finished campaign again: the very same command
	// (its report is there unchanged: bulk reads only the journal's last
	// record), and with another report path, which makes it check every
	// row against the journal and write the whole report.
	if err := b.resumeRuns(ctx, c, n, "same command", c.tag); err != nil {
		return err
	}
	return b.resumeRuns(ctx, c, n, "every row checked", "resume")
}

func (b *bench) resumeRuns(ctx context.Context, c campaign, n int, what, tag string) error {
	sc := "resume"
	var walls, rss, reqs []float64
	for i := range b.cfg.runs {
		s, err := startSim(whopsim.Config{NoLimit: true})
		if err != nil {
			return err
		}
		t := tag
		if tag == "resume" {
			t = fmt.Sprintf("resume%d", i)
		}
		r, err := b.runBulk(ctx, bulkSpec{file: c.file, state: c.state, sim: s, args: []string{"--api-limit", "none"}, tag: t})
		logged := len(s.Requests())
		s.close()
		if err != nil {
			return err
		}
		if r.exit != 0 {
			return fmt.Errorf("the second run exited %d\n%s", r.exit, tail(r.stderr, 2000))
		}
		walls = append(walls, secs(r.wall))
		rss = append(rss, mib(r.maxRSS))
		reqs = append(reqs, float64(logged))
		b.progress("resume: run %d: %.2f s, peak RSS %.1f MiB, %d requests, counts %v", i+1, secs(r.wall), mib(r.maxRSS), logged, r.summary.Counts)
	}
	rows := fmt.Sprintf("%d rows all done, %s", n, what)
	b.check(sc, rows+": second run, wall time", best(walls, true), " s", false, 2, walls)
	b.check(sc, rows+": second run, peak RSS", worst(rss, true), " MiB", false, mib(memLimit), rss)
	b.check(sc, rows+": second run, requests sent", worst(reqs, true), "", false, 0, reqs)
	return nil
}

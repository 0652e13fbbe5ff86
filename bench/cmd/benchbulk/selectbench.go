package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"bulk/internal/whopsim"
)

// selectMemberships: bulk select of a whole population at the Current
// API's real list limit (600 a minute), at the default pace: 100 a page.
func (b *bench) selectMemberships(ctx context.Context) error {
	sc := "select"
	n := 100_000
	if b.cfg.quick {
		n = 10_000
	}
	s, err := startSim(whopsim.Config{API: whopsim.APICurrent, Population: n})
	if err != nil {
		return err
	}
	defer s.close()
	out := filepath.Join(b.dir, "selected.csv")
	b.progress("select: %d memberships at the real limit, about %s (%s)", n, time.Duration(float64(n/100)/9.9*float64(time.Second)).Round(time.Second), s.url)
	cmd := command(b.bin, "select", "--base-url", s.url, "--log-format", "json", "--days", "7", "-o", out)
	p, err := runProc(ctx, cmd, runOpts{env: []string{"WHOP_API_KEY=" + s.key}, cap: 10 * time.Minute})
	if err != nil {
		return err
	}
	if p.exit != 0 {
		return fmt.Errorf("bulk select: exit %d\n%s", p.exit, tail(p.stderr, 2000))
	}
	data, err := os.ReadFile(out)
	if err != nil {
		return err
	}
	rows := strings.Count(string(data), "\n") - 1
	b.check(sc, fmt.Sprintf("%d memberships listed and written", n), float64(rows), "", true, float64(n), nil)
	b.check(sc, fmt.Sprintf("%d memberships: wall time", n), secs(p.wall), " s", false, 120, nil)
	b.check(sc, "429s", float64(s.Count429()), "", false, 0, nil)
	b.check(sc, "list requests in any 60 s", float64(s.MaxInWindowOp(whopsim.OpList, time.Minute)), "", false, 600, nil)
	b.info(sc, "peak RSS", fmt.Sprintf("%.1f MiB", float64(p.maxRSS)/(1<<20)), nil, "")
	return nil
}

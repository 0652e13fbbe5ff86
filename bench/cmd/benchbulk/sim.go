package main

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"bulk/internal/whopsim"
)

// sim is a simulator served on 127.0.0.1 by this process.
type sim struct {
	*whopsim.Server
	api  string // whopsim.APICurrent or whopsim.APIV2
	url  string // API base: http://127.0.0.1:PORT/api/v1 (Current) or .../api/v2
	key  string
	stop func()
}

// startSim serves a new simulator for cfg (the Current API unless cfg.API
// says v2), with a fresh key and every membership created on first sight.
func startSim(cfg whopsim.Config) (*sim, error) {
	cfg.Key = "bench_" + randomHex(8)
	cfg.AutoCreate = true
	if cfg.API == "" {
		cfg.API = whopsim.APICurrent
	}
	s := whopsim.New(cfg)
	url, stop, err := s.Listen()
	if err != nil {
		return nil, err
	}
	return &sim{Server: s, api: cfg.API, url: url, key: cfg.Key, stop: stop}, nil
}

func (s *sim) close() { s.stop() }

// bulkArgs are the flags that point bulk at this simulator's dialect.
func (s *sim) bulkArgs() []string {
	if s.api == whopsim.APIV2 {
		return []string{"--api", "v2"}
	}
	return nil
}

// realLimit is the simulator's default limit: v2's 100 in any 10 s for
// every request together, the Current API's 600 in any 60 s for each
// operation apart.
func (s *sim) realLimit() (n int, w time.Duration) {
	if s.api == whopsim.APIV2 {
		return 100, 10 * time.Second
	}
	return 600, time.Minute
}

// ops are the Current API's operations, each with its own limit.
var ops = []string{whopsim.OpRead, whopsim.OpExtend, whopsim.OpUpdate, whopsim.OpList}

// maxAtLimit is the most requests the log shows in any window of the real
// limit, counted as the limit counts them: all together on v2, the busiest
// operation on the Current API.
func (s *sim) maxAtLimit() int {
	_, w := s.realLimit()
	if s.api == whopsim.APIV2 {
		return s.MaxInWindow(w)
	}
	n := 0
	for _, op := range ops {
		n = max(n, s.MaxInWindowOp(op, w))
	}
	return n
}

// paceStats is what the request log shows of one operation (all of them
// when op is empty): requests logged, the achieved rate from the first
// arrival to the last, the most in any window of the real limit (see
// maxAtLimit), and 429s (of every operation).
type paceStats struct {
	requests    int
	first, last time.Time
	span        time.Duration
	rate        float64 // requests per second
	maxInWindow int
	n429        int
}

func (s *sim) paceStats(op string) paceStats {
	p := paceStats{maxInWindow: s.maxAtLimit(), n429: s.Count429()}
	for _, r := range s.Requests() {
		if op != "" && r.Op != op {
			continue
		}
		if p.requests == 0 || r.At.Before(p.first) {
			p.first = r.At
		}
		if p.requests == 0 || r.At.After(p.last) {
			p.last = r.At
		}
		p.requests++
	}
	if p.requests > 1 {
		p.span = p.last.Sub(p.first)
		p.rate = float64(p.requests-1) / p.span.Seconds()
	}
	return p
}

// limitedOp is the operation whose pace the limit bounds: none on v2 (all
// requests count together), the busiest on the Current API.
func (s *sim) limitedOp() string {
	if s.api == whopsim.APIV2 {
		return ""
	}
	n := map[string]int{}
	for _, r := range s.Requests() {
		n[r.Op]++
	}
	busiest := ops[0]
	for _, op := range ops {
		if n[op] > n[busiest] {
			busiest = op
		}
	}
	return busiest
}

// applied counts the ledger's add_free_days entries per membership.
func (s *sim) appliedDays() map[string]int {
	n := map[string]int{}
	for _, e := range s.Ledger() {
		if e.Op == whopsim.OpAddFreeDays {
			n[e.ID]++
		}
	}
	return n
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

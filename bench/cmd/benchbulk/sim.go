package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net"
	"net/http"
	"time"

	"bulk/internal/whopsim"
)

// sim is a simulator served on 127.0.0.1 by this process.
type sim struct {
	*whopsim.Server
	url string // API base, http://127.0.0.1:PORT/api/v2
	key string
	srv *http.Server
}

// startSim serves a new simulator for cfg, with a fresh key and every
// membership created on first sight.
func startSim(cfg whopsim.Config) (*sim, error) {
	cfg.Key = "bench_" + randomHex(8)
	cfg.AutoCreate = true
	s := whopsim.New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	srv := &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	return &sim{Server: s, url: "http://" + ln.Addr().String() + "/api/v2", key: cfg.Key, srv: srv}, nil
}

func (s *sim) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if s.srv.Shutdown(ctx) != nil {
		s.srv.Close()
	}
}

// paceStats is what the request log shows: requests logged, the achieved rate
// from the first arrival to the last, the most in any window, and 429s.
type paceStats struct {
	requests    int
	span        time.Duration
	rate        float64 // requests per second
	maxInWindow int
	n429        int
}

func (s *sim) paceStats(window time.Duration) paceStats {
	log := s.Requests()
	p := paceStats{requests: len(log), maxInWindow: s.MaxInWindow(window), n429: s.Count429()}
	if len(log) > 1 {
		first, last := log[0].At, log[0].At
		for _, r := range log {
			if r.At.Before(first) {
				first = r.At
			}
			if r.At.After(last) {
				last = r.At
			}
		}
		p.span = last.Sub(first)
		p.rate = float64(len(log)-1) / p.span.Seconds()
	}
	return p
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

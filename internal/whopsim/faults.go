package whopsim

import (
	"net/http"
	"time"
)

// faults are what the seeded dice decided for one request at its arrival.
type faults struct {
	delay time.Duration
	fail  bool // answer 500 without applying
	proxy bool // a change: apply, then answer a gateway's 502
	drop  bool // a change: apply, then close the connection unanswered
	renew bool // renew the membership first (Config.RenewRate)
	late  bool // an extend: answer a gateway's 504 now, apply later (Config.LateCommitRate)
}

// rollFaults throws the dice for one request; the caller holds mu. Every
// request draws the same numbers, so the dice depend only on arrival order.
func (s *Server) rollFaults(c call) faults {
	f := faults{delay: s.cfg.Latency}
	if s.cfg.Jitter > 0 {
		f.delay += time.Duration(s.rng.Int64N(int64(s.cfg.Jitter)))
	}
	fail, proxy, drop, renew := s.rng.Float64(), s.rng.Float64(), s.rng.Float64(), s.rng.Float64()
	f.fail = fail < s.cfg.FailRate
	f.proxy = changes(c.op) && proxy < s.cfg.FailAfterApplyRate
	f.drop = changes(c.op) && drop < s.cfg.DropRate
	f.renew = c.touchesOne() && renew < s.cfg.RenewRate
	if s.cfg.LateCommitRate > 0 { // its own die, so that other seeds' faults stay as they were
		f.late = c.op == OpExtend && s.rng.Float64() < s.cfg.LateCommitRate
	}
	return f
}

// commitLate applies an extend whose client was already told 504, after
// Config.LateCommitDelay, and stores its real answer under its key.
func (s *Server) commitLate(c call, slot *idemSlot, f faults) {
	time.Sleep(s.cfg.LateCommitDelay)
	f.fail = false
	s.settle(slot, s.execute(c, f))
}

// sleep waits d, or less when the client goes away; it reports whether
// the client is still there.
func sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return r.Context().Err() == nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-r.Context().Done():
		return false
	case <-timer.C:
		return true
	}
}

// execute runs the call, after a renewal when the dice said so, unless
// the server is to fail first.
func (s *Server) execute(c call, f faults) reply {
	if f.renew {
		s.Renew(c.id)
	}
	if f.fail {
		return s.api.internalError()
	}
	return s.api.run(c)
}

// deliver sends the reply, or, for an applied change, the fault chosen
// instead: a gateway's 502 takes precedence over a dropped connection.
func (s *Server) deliver(w http.ResponseWriter, t ticket, rep reply, f faults) {
	switch {
	case rep.applied && f.proxy:
		s.answer(w, t, proxyError())
	case rep.applied && f.drop:
		s.finish(t, rep.status, true)
		hangUp(w)
	default:
		s.answer(w, t, rep)
	}
}

// hangUp closes the connection without a byte of answer.
func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // no hijacking (HTTP/2): abort the stream instead
	}
	conn.Close()
}

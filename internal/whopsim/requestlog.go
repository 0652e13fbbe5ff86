package whopsim

import (
	"slices"
	"time"
)

// Operations, as used in Request.Op and MaxInWindowOp: what a request
// asks for, whichever dialect's route it took. Each has its own rate
// limit in the Current API.
const (
	OpRead   = "read"
	OpExtend = "extend" // Current: POST .../extend; v2: POST .../add_free_days
	OpUpdate = "update" // Current: PATCH; v2: POST /memberships/{id}
	OpList   = "list"   // Current only
)

// Request is one request received under the dialect's prefix (/api/v1 or
// /api/v2), as logged on arrival.
type Request struct {
	At             time.Time
	Method, Path   string
	Op             string // OpRead, OpExtend, OpUpdate, OpList; empty when no route matched
	Version        string // the Api-Version-Date header as sent, empty when absent
	Status         int    // the answer's status; 0 while in flight or when the client left first
	IdempotencyKey string
	Dropped        bool // applied, then the connection closed unanswered; Status is the answer it would have had
}

// Requests returns every logged request, in arrival order, refused ones
// included. It is empty with Config.NoLog.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// MaxInWindow is the largest number of logged arrivals in any window
// (t-w, t], refused requests included: what a client's pace put on the wire.
func (s *Server) MaxInWindow(w time.Duration) int {
	return s.maxInWindow(w, func(Request) bool { return true })
}

// MaxInWindowOp is MaxInWindow counting only the requests of one
// operation (OpRead, OpExtend, OpUpdate or OpList).
func (s *Server) MaxInWindowOp(op string, w time.Duration) int {
	return s.maxInWindow(w, func(r Request) bool { return r.Op == op })
}

func (s *Server) maxInWindow(w time.Duration, count func(Request) bool) int {
	if w <= 0 {
		return 0
	}
	var times []time.Time
	for _, r := range s.Requests() {
		if count(r) {
			times = append(times, r.At)
		}
	}
	slices.SortFunc(times, time.Time.Compare)
	best, first := 0, 0
	for last, t := range times {
		for !times[first].After(t.Add(-w)) {
			first++
		}
		best = max(best, last-first+1)
	}
	return best
}

// finish records a request's answer in the log.
func (s *Server) finish(t ticket, status int, dropped bool) {
	if t.logIndex < 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log[t.logIndex].Status = status
	s.log[t.logIndex].Dropped = dropped
}

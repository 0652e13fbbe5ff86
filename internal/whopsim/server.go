package whopsim

import (
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Server is a simulated Whop v2 API. It is an http.Handler and safe for
// concurrent use.
type Server struct {
	cfg Config

	mu sync.Mutex
	// members holds every membership that exists. A stored membership,
	// with the maps and pointers it holds, is never changed in place: a
	// change stores a modified copy. So a value read under mu may be read
	// after mu is released, and ledger entries share their values with it.
	members map[string]Membership
	ledger  ledger
	log     []Request
	limit   window
	rng     *rand.Rand
	n429    int
	idem    idempotency
}

// New returns a Server with no memberships (see Put and Config.AutoCreate).
func New(cfg Config) *Server {
	cfg = cfg.withDefaults()
	return &Server{
		cfg:     cfg,
		members: make(map[string]Membership),
		limit:   window{limit: cfg.Limit, width: cfg.Window, cooldown: cfg.Cooldown, off: cfg.NoLimit},
		rng:     rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5eed)),
		idem:    idempotency{slots: make(map[string]*idemSlot)},
	}
}

// Put creates or replaces a membership.
func (s *Server) Put(m Membership) {
	m = m.clone()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.members[m.ID] = m
}

// Get returns a membership's current state. It does not auto-create.
func (s *Server) Get(id string) (Membership, bool) {
	s.mu.Lock()
	m, ok := s.members[id]
	s.mu.Unlock()
	return m.clone(), ok
}

// Ledger returns every change the server applied, in order.
func (s *Server) Ledger() []LedgerEntry {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ledger.copyAll()
}

// Requests returns every request received under /api/v2, in arrival order,
// refused ones included. It is empty with Config.NoLog.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.log)
}

// MaxInWindow is the largest number of logged arrivals in any window
// (t-w, t], refused requests included: what a client's pace put on the wire.
func (s *Server) MaxInWindow(w time.Duration) int {
	if w <= 0 {
		return 0
	}
	s.mu.Lock()
	times := make([]time.Time, len(s.log))
	for i, r := range s.log {
		times[i] = r.At
	}
	s.mu.Unlock()
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

// Count429 is the number of requests answered 429.
func (s *Server) Count429() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n429
}

// StartCooldown refuses every request with 429 for d from now, as if the
// rate limit had been crossed.
func (s *Server) StartCooldown(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.limit.until = s.cfg.Now().Add(d)
}

const apiPrefix = "/api/v2/"

// ServeHTTP answers one request: rate limit at arrival, then auth, route
// and body, an idempotency claim, latency, injected faults, and the operation.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, apiPrefix) {
		notFound("No such Resource found").write(w)
		return
	}
	t := s.arrive(r)
	if t.refused != nil {
		s.answer(w, t, *t.refused)
		return
	}
	c, early := s.parse(w, r)
	var slot *idemSlot
	if early == nil {
		slot, early = s.claim(c)
	}
	if !sleep(r, t.faults.delay) {
		s.release(slot)
		s.finish(t, 0, false) // the client left; nothing was applied
		return
	}
	if early != nil {
		s.answer(w, t, *early)
		return
	}
	rep := s.execute(c, t.faults)
	s.settle(slot, rep)
	s.deliver(w, t, rep, t.faults)
}

// ticket is a request admitted to (or refused at) the door.
type ticket struct {
	logIndex int // -1 when not logged
	faults   faults
	refused  *reply
}

// arrive logs the request, rolls its faults and applies the rate limit, all
// at one instant under the lock, so arrival order decides everything.
func (s *Server) arrive(r *http.Request) ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	t := ticket{logIndex: -1, faults: s.rollFaults(r.Method == http.MethodPost)}
	if !s.cfg.NoLog {
		t.logIndex = len(s.log)
		s.log = append(s.log, Request{At: now, Method: r.Method, Path: r.URL.Path, IdempotencyKey: r.Header.Get("Idempotency-Key")})
	}
	if !s.limit.admit(now) {
		s.n429++
		retry := 0
		if s.cfg.RetryAfter {
			retry = s.limit.retryAfter(now)
		}
		t.refused = new(rateLimited(retry))
	}
	return t
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

// answer logs the reply, then writes it, so that a client that has read
// the answer finds it in the log.
func (s *Server) answer(w http.ResponseWriter, t ticket, rep reply) {
	s.finish(t, rep.status, false)
	rep.write(w)
}

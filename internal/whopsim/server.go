package whopsim

import (
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"
)

// Server is a simulated Whop API in one dialect. It is an http.Handler
// and safe for concurrent use.
type Server struct {
	cfg Config
	api dialect

	mu sync.Mutex
	// members holds every membership that exists. A stored membership is
	// never changed in place: a change stores a new value with new maps
	// and pointers, so ledger entries may share values with it.
	members map[string]Membership
	ledger  []LedgerEntry
	log     []Request
	limits  map[string]*window // by dialect.limitKey
	rng     *rand.Rand
	n429    int
	idem    idempotency
}

// New returns a Server with no memberships (see Put and Config.AutoCreate).
// It panics on a Config.API it does not know; Listen returns an error instead.
func New(cfg Config) *Server {
	cfg, err := cfg.withDefaults()
	if err != nil {
		panic(err)
	}
	s := &Server{
		cfg:     cfg,
		members: make(map[string]Membership),
		limits:  make(map[string]*window),
		rng:     rand.New(rand.NewPCG(uint64(cfg.Seed), 0x5eed)),
		idem:    idempotency{slots: make(map[string]*idemSlot)},
	}
	if cfg.API == APIV2 {
		s.api = v2API{s}
	} else {
		s.api = currentAPI{s}
	}
	s.populate()
	return s
}

// Put creates or replaces a membership. Empty ProductID, PlanID, UserID
// and AccountID are filled from the ID's hash.
func (s *Server) Put(m Membership) {
	m = m.clone().withIDs()
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

// Count429 is the number of requests answered 429.
func (s *Server) Count429() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n429
}

// StartCooldown refuses every request with 429 for d from now, as if the
// rate limit had been crossed (in the Current API, every operation's).
func (s *Server) StartCooldown(d time.Duration) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, key := range []string{OpRead, OpExtend, OpUpdate, OpList} {
		if key, ok := s.api.limitKey(key); ok {
			s.window(key).until = s.now().Add(d)
		}
	}
}

// window is the rate-limit window under key; the caller holds mu.
func (s *Server) window(key string) *window {
	w := s.limits[key]
	if w == nil {
		w = &window{limit: s.cfg.Limit, width: s.cfg.Window, cooldown: s.cfg.Cooldown, off: s.cfg.NoLimit}
		s.limits[key] = w
	}
	return w
}

// ServeHTTP answers one request: rate limit at arrival, then the
// dialect's checks and the body, an idempotency claim, latency, injected
// faults, and the operation.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if !strings.HasPrefix(r.URL.Path, s.api.prefix()) {
		s.api.notFound().write(w)
		return
	}
	op, id := s.api.route(r.Method, r.URL.Path)
	c := newCall(r, op, id)
	t := s.arrive(c)
	if t.refused != nil {
		s.answer(w, t, *t.refused)
		return
	}
	early := s.api.check(r, &c)
	if early == nil {
		early = s.readBody(w, r, &c)
	}
	var slot *idemSlot
	if early == nil {
		slot, early = s.claim(c)
	}
	if early == nil && t.faults.late {
		s.answer(w, t, gatewayTimeout())
		go s.commitLate(c, slot, t.faults)
		return
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

// arrive logs the request, rolls its dice and applies the rate limit, all
// at one instant under the lock, so arrival order decides everything.
func (s *Server) arrive(c call) ticket {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	t := ticket{logIndex: -1, faults: s.rollFaults(c)}
	if !s.cfg.NoLog {
		t.logIndex = len(s.log)
		s.log = append(s.log, Request{At: now, Method: c.method, Path: c.path, Op: c.op,
			Version: c.version, IdempotencyKey: c.idempotencyKey})
	}
	key, limited := s.api.limitKey(c.op)
	if limited && !s.window(key).admit(now) {
		s.n429++
		t.refused = new(s.api.rateLimited(s.window(key).wait(now)))
	}
	return t
}

// answer logs the reply, then writes it, so that a client that has read
// the answer finds it in the log.
func (s *Server) answer(w http.ResponseWriter, t ticket, rep reply) {
	s.finish(t, rep.status, false)
	rep.write(w)
}

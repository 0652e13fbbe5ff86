package whopsim

import (
	"crypto/sha256"
	"net/http"
	"time"
)

// IdempotencyTTL is how long an Idempotency-Key is remembered when
// Config.HonorIdempotency is on, as the current Whop API does.
const IdempotencyTTL = 24 * time.Hour

// idempotency remembers POSTs by key. Only applied requests are stored:
// a refused or failed one releases its key, so a corrected retry runs.
type idempotency struct {
	slots map[string]*idemSlot
	order []*idemSlot // by creation, for expiry
}

type idemSlot struct {
	key         string
	fingerprint [32]byte
	at          time.Time
	done        bool
	rep         reply // when done
}

// claim reserves c's key before it runs, or answers for it: a replay of the
// stored answer, 400 when the key came with another request, 409 while
// the first request with the key is still running.
func (s *Server) claim(c call) (*idemSlot, *reply) {
	if !s.cfg.HonorIdempotency || c.op == opGet || c.key == "" {
		return nil, nil
	}
	fp := sha256.Sum256([]byte(c.op + "\x00" + c.id + "\x00" + string(c.body)))
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.cfg.Now()
	s.idem.expire(now)
	if old := s.idem.slots[c.key]; old != nil {
		switch {
		case old.fingerprint != fp:
			return nil, new(namedError(http.StatusBadRequest, "bad_request",
				"Keys for idempotent requests can only be used with the same parameters they were first used with"))
		case !old.done:
			return nil, new(apiError(http.StatusConflict,
				"A request with the same Idempotency-Key is still being processed"))
		}
		replay := old.rep
		replay.applied = false
		replay.header = map[string]string{"Idempotent-Replayed": "true"}
		return nil, &replay
	}
	slot := &idemSlot{key: c.key, fingerprint: fp, at: now}
	s.idem.slots[c.key] = slot
	s.idem.order = append(s.idem.order, slot)
	return slot, nil
}

// settle stores an applied answer under its key, or releases the key.
func (s *Server) settle(slot *idemSlot, rep reply) {
	if slot == nil {
		return
	}
	if !rep.applied {
		s.release(slot)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	slot.done, slot.rep = true, rep
}

func (s *Server) release(slot *idemSlot) {
	if slot == nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idem.slots[slot.key] == slot {
		delete(s.idem.slots, slot.key)
	}
}

// expire forgets keys older than IdempotencyTTL; the caller holds mu.
func (x *idempotency) expire(now time.Time) {
	cut := now.Add(-IdempotencyTTL)
	i := 0
	for ; i < len(x.order) && !x.order[i].at.After(cut); i++ {
		if slot := x.order[i]; x.slots[slot.key] == slot {
			delete(x.slots, slot.key)
		}
	}
	x.order = x.order[i:]
}

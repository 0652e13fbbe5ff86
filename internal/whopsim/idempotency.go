package whopsim

import (
	"crypto/sha256"
	"maps"
	"time"
)

// IdempotencyTTL is how long an answer is kept under its Idempotency-Key.
const IdempotencyTTL = 24 * time.Hour

// MaxIdempotencyKey is the longest Idempotency-Key the Current API takes, in bytes.
const MaxIdempotencyKey = 255

// idempotency remembers answers by key. Which calls have a key, and which
// answers are kept, is the dialect's to say; an answer not kept releases
// its key, so a corrected retry runs.
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
// stored answer, or the dialect's refusal when the key came with another
// request or the first request with it is still running.
func (s *Server) claim(c call) (*idemSlot, *reply) {
	key, fingerprint := s.api.idempotencyKey(c)
	if key == "" {
		return nil, nil
	}
	fp := sha256.Sum256([]byte(fingerprint))
	s.mu.Lock()
	defer s.mu.Unlock()
	s.idem.expire(s.now())
	old := s.idem.slots[key]
	switch {
	case old == nil:
		slot := &idemSlot{key: key, fingerprint: fp, at: s.now()}
		s.idem.slots[key] = slot
		s.idem.order = append(s.idem.order, slot)
		return slot, nil
	case old.fingerprint != fp:
		return nil, new(s.api.idempotencyRefused(false))
	case !old.done:
		return nil, new(s.api.idempotencyRefused(true))
	}
	return nil, new(replay(old.rep))
}

// replay is a stored answer sent again: same status and body, marked.
func replay(stored reply) reply {
	stored.applied = false
	stored.header = maps.Clone(stored.header)
	if stored.header == nil {
		stored.header = map[string]string{}
	}
	stored.header["Idempotent-Replayed"] = "true"
	return stored
}

// settle stores an answer under its key when the dialect keeps it, or
// releases the key.
func (s *Server) settle(slot *idemSlot, rep reply) {
	if slot == nil {
		return
	}
	if !s.api.keep(rep) {
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

package batch

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"bulk/internal/client"
)

// The defaults when neither the options nor the API say otherwise: v2's
// limit of 100 requests in any 10 seconds, and its 60-second cooldown.
const (
	APILimit    = 100
	APIWindow   = 10 * time.Second
	APICooldown = 60 * time.Second
	// DefaultRate is the steady pace, at most: one request every 101 ms
	// puts at most 100 requests in any 10-second window (99 intervals fit
	// in 9.9 s plus the first request), and 595 in any minute, leaving
	// room for jitter between here and the server's clock.
	DefaultRate = 9.9
	// MaxPause is the longest a 429 pauses an operation, whatever its
	// Retry-After or message asks: a server that answers "a year" (or a
	// misconfigured proxy) must not hold a campaign silently until then.
	// After MaxPause the operation resumes at its lowered pace; a further
	// 429 pauses it again.
	MaxPause = 5 * time.Minute
)

// newPacers gives every operation its pacer: one each where the API limits
// each operation apart (the Current API), one shared by all where it
// counts them together (v2). The API's limit and cooldown fill what p
// leaves unset, and the default rate never crosses the limit.
func newPacers(p Pace, d client.Dialect) map[client.Op]*pacer {
	if p.Limit <= 0 && d.Limit > 0 {
		p.Limit, p.Window = d.Limit, d.Window
	}
	if p.Cooldown <= 0 {
		p.Cooldown = d.Cooldown
	}
	if p.Rate <= 0 && p.Limit > 1 && p.Window > 0 {
		p.Rate = min(DefaultRate, float64(p.Limit-1)/p.Window.Seconds())
	}
	pacers := make(map[client.Op]*pacer, len(client.Ops))
	shared := newPacer(p)
	shared.op = SharedOp
	for _, op := range client.Ops {
		if d.SharedLimit {
			pacers[op] = shared
		} else {
			pacers[op] = newPacer(p)
			pacers[op].op = string(op)
		}
	}
	return pacers
}

// Pace configures the pacer.
type Pace struct {
	Rate     float64       // requests per second; default DefaultRate
	Limit    int           // hard cap: at most Limit requests in any Window (default APILimit, APIWindow)
	Window   time.Duration //
	Cooldown time.Duration // pause after a 429 without Retry-After (default APICooldown)
	// Unlimited: no pace and no cap at all, for a simulator without a limit.
	// 429s still pause every worker.
	Unlimited bool
	// OnPause, when set, hears of every pause a 429 starts or lengthens:
	// the operation paused (SharedOp where one limit counts them all), how
	// long from now, and whether the server asked for longer than MaxPause.
	// It is called once per pause, not once per refused worker, from the
	// worker that got the 429, without any lock held; it must not block.
	OnPause func(op string, d time.Duration, capped bool)
}

// SharedOp is the operation OnPause names when one limit counts every
// operation together (v2).
const SharedOp = "all"

func (p Pace) withDefaults() Pace {
	if p.Rate <= 0 {
		p.Rate = DefaultRate
	}
	if p.Limit <= 0 {
		p.Limit = APILimit
	}
	if p.Window <= 0 {
		p.Window = APIWindow
	}
	if p.Cooldown <= 0 {
		p.Cooldown = APICooldown
	}
	return p
}

// windowGuard is a margin added to the hard cap's window, so that requests
// sent at its edge do not arrive inside the server's previous window.
const windowGuard = 50 * time.Millisecond

// pacer is shared by every worker. Before each request a worker calls Wait,
// which honours, in order: a pause after a 429 (every worker waits, not
// only the one refused), the token bucket at the current rate, and the hard
// cap of Limit requests per Window.
//
// After a 429 the rate is halved and a ceiling is set just under the rate
// that was refused; the rate then grows back additively every Window
// without a 429, up to the ceiling, and the ceiling itself creeps up slowly
// (1% a minute) so that a server with a lower limit costs a few cooldowns
// rather than one per burst.
type pacer struct {
	cfg     Pace
	op      string // for OnPause: the operation, or SharedOp
	lim     *rate.Limiter
	now     func() time.Time
	sleep   func(ctx context.Context, d time.Duration) error
	mu      sync.Mutex
	paused  time.Time   // no request before this
	ceiling float64     // highest rate allowed now
	grown   time.Time   // last change of rate
	ring    []time.Time // send times of the last Limit requests
	next    int         // oldest entry of ring once full
}

func newPacer(cfg Pace) *pacer {
	cfg = cfg.withDefaults()
	now := time.Now()
	lim := rate.NewLimiter(rate.Limit(cfg.Rate), 1)
	if cfg.Unlimited {
		lim.SetLimit(rate.Inf)
	}
	return &pacer{
		cfg:     cfg,
		lim:     lim,
		now:     time.Now,
		sleep:   sleepCtx,
		ceiling: cfg.Rate,
		grown:   now,
		ring:    make([]time.Time, 0, min(cfg.Limit, 1024)),
	}
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Wait blocks until one request may be sent, and counts it as sent now.
func (p *pacer) Wait(ctx context.Context) error {
	_, err := p.Reserve(ctx)
	return err
}

// Reserve blocks until one request may be sent, and counts it as sent.
// When the request leaves a little later (after an intent is fsynced, say),
// the caller calls sent as it leaves, so that the hard cap counts the time
// the request was really sent, not the time it was allowed.
func (p *pacer) Reserve(ctx context.Context) (sent func(), err error) {
	for {
		if d := p.pauseLeft(); d > 0 {
			if err := p.sleep(ctx, d); err != nil {
				return nil, err
			}
			continue
		}
		now := p.now()
		r := p.lim.ReserveN(now, 1)
		if !r.OK() {
			return nil, context.Canceled // burst is 1: cannot happen
		}
		if err := p.sleep(ctx, r.DelayFrom(now)); err != nil {
			r.CancelAt(p.now())
			return nil, err
		}
		if p.pauseLeft() > 0 { // a 429 arrived while this worker waited
			continue
		}
		d, slot := p.take()
		if d == 0 {
			return func() { p.restamp(slot) }, nil
		}
		if err := p.sleep(ctx, d); err != nil {
			return nil, err
		}
	}
}

func (p *pacer) pauseLeft() time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.paused.Sub(p.now())
}

// take records a send in the ring if the hard cap allows it now, and
// returns its slot; otherwise it returns how long to wait.
func (p *pacer) take() (time.Duration, int) {
	if p.cfg.Unlimited {
		return 0, -1
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if len(p.ring) < p.cfg.Limit {
		p.ring = append(p.ring, now)
		return 0, len(p.ring) - 1
	}
	oldest := p.ring[p.next]
	span := p.cfg.Window + min(windowGuard, p.cfg.Window/100)
	if age := now.Sub(oldest); age < span {
		return span - age, -1
	}
	slot := p.next
	p.ring[slot] = now
	p.next = (p.next + 1) % len(p.ring)
	return 0, slot
}

// restamp moves a slot's send time to now, when the request left after
// it was allowed. A slot the ring has reused since keeps its time.
func (p *pacer) restamp(slot int) {
	if slot < 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if now := p.now(); now.After(p.ring[slot]) && now.Sub(p.ring[slot]) < p.cfg.Window {
		p.ring[slot] = now
	}
}

// RateLimited records a 429: every worker pauses for retryAfter (or the
// cooldown when the answer gave none), at most MaxPause, and the pace
// drops. OnPause hears of a pause this starts or lengthens.
func (p *pacer) RateLimited(retryAfter time.Duration) {
	d, capped, tell := p.rateLimited(retryAfter)
	if tell && p.cfg.OnPause != nil {
		p.cfg.OnPause(p.op, d, capped)
	}
}

// rateLimited is RateLimited under the lock: it returns the pause left from
// now, whether retryAfter was cut to MaxPause, and whether the pause began
// or grew (by a second or more, so that a burst of 429s of one cooldown,
// each a little later than the one before, is told once).
func (p *pacer) rateLimited(retryAfter time.Duration) (time.Duration, bool, bool) {
	if retryAfter <= 0 {
		retryAfter = p.cfg.Cooldown
	}
	capped := retryAfter > MaxPause
	retryAfter = min(retryAfter, MaxPause)
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	until := now.Add(retryAfter)
	first := !p.paused.After(now) // the first 429 of this cooldown cuts the rate
	tell := first || until.Sub(p.paused) >= time.Second
	if until.After(p.paused) {
		p.paused = until
	}
	left := p.paused.Sub(now)
	if !first {
		return left, capped, tell
	}
	cur := float64(p.lim.Limit())
	if p.lim.Limit() == rate.Inf {
		cur = p.cfg.Rate
	}
	p.ceiling = max(cur*0.9, minRate)
	p.lim.SetLimitAt(now, rate.Limit(max(cur/2, minRate)))
	p.grown = until
	return left, capped, tell
}

const minRate = 0.2

// Succeeded lets the rate grow back after a 429, gradually.
func (p *pacer) Succeeded() {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	if now.Sub(p.grown) < p.cfg.Window {
		return
	}
	steps := float64(now.Sub(p.grown) / p.cfg.Window)
	p.grown = now
	if p.ceiling < p.cfg.Rate {
		p.ceiling = min(p.cfg.Rate, p.ceiling*(1+0.01*steps*p.cfg.Window.Minutes()))
	}
	cur := float64(p.lim.Limit())
	if cur < p.ceiling {
		p.lim.SetLimitAt(now, rate.Limit(min(p.ceiling, cur+steps*p.cfg.Rate/20)))
	}
}

// Rate is the current pace in requests per second.
func (p *pacer) Rate() float64 { return float64(p.lim.Limit()) }

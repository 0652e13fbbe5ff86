package whopsim

import "time"

// Config sets up a Server. The zero value is a v2 API with the documented
// rate limit (100 requests per 10 seconds, then a 60-second cooldown), no
// faults, no idempotency and no memberships.
type Config struct {
	// Key is the bearer key a request must carry
	// (Authorization: Bearer <Key>). Empty: any non-empty bearer is accepted.
	Key string
	// ReadOnlyKey, when set, is a second key that may GET but gets 403 on POST.
	ReadOnlyKey string

	Limit      int           // accepted requests per Window across /api/v2/*; 0 means 100
	Window     time.Duration // 0 means 10s
	Cooldown   time.Duration // 0 means 60s
	NoLimit    bool          // no rate limit at all (a forced StartCooldown still applies)
	RetryAfter bool          // 429s carry Retry-After (v2 documents none, so off by default)

	FailRate           float64       // fraction of requests answered 500 without applying anything
	FailAfterApplyRate float64       // fraction of POSTs that, when they apply a change, are answered 502 with a proxy's HTML page
	DropRate           float64       // fraction of POSTs that, when they apply a change, get their connection closed unanswered
	Latency            time.Duration // added to every request that passes the rate limit
	Jitter             time.Duration // extra random latency in [0, Jitter)
	Seed               int64         // seeds the fault and jitter dice; same seed, same request order, same faults

	// AutoCreate creates a membership the first time its ID is seen,
	// deterministically from the ID (see AutoMembership).
	AutoCreate bool
	// HonorIdempotency replays POSTs by Idempotency-Key like the current
	// Whop API does; v2 documents no idempotency, so it is off by default.
	HonorIdempotency bool

	// NoLog disables the request log (Requests, MaxInWindow) for
	// benchmarks with millions of requests. The ledger is kept.
	NoLog bool

	// Now is the clock; nil means time.Now. Latency always sleeps in real time.
	Now func() time.Time
}

func (c Config) withDefaults() Config {
	if c.Limit <= 0 {
		c.Limit = 100
	}
	if c.Window <= 0 {
		c.Window = 10 * time.Second
	}
	if c.Cooldown <= 0 {
		c.Cooldown = 60 * time.Second
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}

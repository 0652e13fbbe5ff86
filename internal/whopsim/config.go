package whopsim

import (
	"fmt"
	"slices"
	"time"
)

// The two dialects, for Config.API.
const (
	APICurrent = "current"
	APIV2      = "v2"
)

// LatestVersion is the newest Api-Version-Date in Whop's docs; a request
// without the header is served as this version.
const LatestVersion = "2026-11-17"

// DefaultVersions are the Api-Version-Date values the Current API accepts
// when Config.Versions is empty.
var DefaultVersions = []string{"2026-09-25", LatestVersion}

// Config sets up a Server. The zero value is the Current API with its
// documented rate limit (600 requests a minute per operation), idempotency
// keys honoured, no faults and no memberships.
type Config struct {
	API      string   // APICurrent (when empty) or APIV2
	Versions []string // Current: accepted Api-Version-Date values; empty means DefaultVersions

	// Key is the bearer key a request must carry
	// (Authorization: Bearer <Key>). Empty: any non-empty bearer is accepted.
	Key string
	// ReadOnlyKey, when set, is a second key that may read and list but
	// gets 403 on changes (Current: extend and PATCH; v2: every POST).
	ReadOnlyKey string

	Limit      int           // v2: accepted requests per Window in all, 0 means 100; Current: per operation, 0 means 600
	Window     time.Duration // 0 means 10s (v2) or 60s (Current)
	Cooldown   time.Duration // v2 only: refusal period after an excess, 0 means 60s; Current documents none
	NoLimit    bool          // no rate limit at all (a forced StartCooldown still applies)
	RetryAfter bool          // 429s carry Retry-After (neither dialect documents one, so off by default)

	FailRate           float64 // fraction of requests answered 500 without applying anything
	FailAfterApplyRate float64 // fraction of changing requests that, when they apply, are answered 502 with a proxy's HTML page
	DropRate           float64 // fraction of changing requests that, when they apply, get their connection closed unanswered
	// LateCommitRate is the fraction of extends answered at once with a
	// gateway's 504 while the change is applied LateCommitDelay later, as
	// in a real outage: a read soon after shows nothing, and the days land
	// afterwards. Off (0) unless set; it then draws its own dice.
	LateCommitRate  float64
	LateCommitDelay time.Duration
	Latency         time.Duration // added to every request that passes the rate limit
	Jitter          time.Duration // extra random latency in [0, Jitter)
	Seed            int64         // seeds the dice; same seed, same request order, same faults and renewals

	// AutoCreate creates a membership the first time its ID is read or
	// changed, deterministically from the ID (see AutoMembership). A list
	// shows only memberships that exist already.
	AutoCreate bool
	// HonorIdempotency (v2 only) replays POSTs by Idempotency-Key like the
	// Current API does; v2 documents no idempotency, so it is off by default.
	HonorIdempotency bool
	// IgnoreIdempotency (Current only) ignores Idempotency-Key entirely, as
	// a server that does not keep its documented promise would.
	IgnoreIdempotency bool
	// RenewRate is the fraction of requests touching one membership (read,
	// extend, update) before which that membership, if it renews, starts
	// its next period (see Renew). The dice are thrown at arrival; the
	// renewal happens when the request is carried out, after the checks
	// and the latency, even if a fault then fails it.
	RenewRate float64

	// Population creates this many memberships at New (PopulationID(0)
	// on), spread over products, plans, statuses and creation dates from
	// Seed, for listing (bulk select --simulate) to find.
	Population int

	// NoLog disables the request log (Requests, MaxInWindow) for
	// benchmarks with millions of requests. The ledger is kept.
	NoLog bool

	// Now is the clock; nil means time.Now. Latency always sleeps in real time.
	Now func() time.Time
}

func (c Config) withDefaults() (Config, error) {
	if c.API == "" {
		c.API = APICurrent
	}
	if c.API != APICurrent && c.API != APIV2 {
		return c, fmt.Errorf("whopsim: unknown API %q (want %q or %q)", c.API, APICurrent, APIV2)
	}
	if len(c.Versions) == 0 {
		c.Versions = DefaultVersions
	}
	c.Versions = slices.Clone(c.Versions)
	limit, window := 600, time.Minute
	if c.API == APIV2 {
		limit, window = 100, 10*time.Second
	}
	c.Limit = orDefault(c.Limit, limit)
	c.Window = orDefault(c.Window, window)
	c.Cooldown = orDefault(c.Cooldown, 60*time.Second)
	if c.API == APICurrent {
		c.Cooldown = 0
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c, nil
}

// orDefault is v, or def when v is not positive.
func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// Package whopsim simulates the Whop memberships API over HTTP, in either
// of its two dialects: the Current API (/api/v1, the default) and the
// retired v2 API (/api/v2).
//
// It owns one membership model (Membership), a ledger of every change it
// applied, a request log, and the behaviour a client must survive: each
// dialect's routes, answers and error shapes, its rate limit (v2: one
// window for everything and a cooldown; Current: one window per
// operation), idempotency keys, renewals happening behind the client's
// back, and injected faults (a 5xx before applying, a proxy's 502 or a
// dropped connection after applying, latency). Tests drive it over real
// HTTP and read its ledger; `bulk --simulate` runs it on loopback.
//
// current.go and v2.go hold each dialect's routes and wire format; they
// share the model (model.go), ledger, rate limit (window.go), idempotency
// store and faults. Where the docs are silent, a comment says what the
// simulator chose, usually the behaviour a client can rely on least.
//
// The package must stay a faithful, self-contained model of the API: it
// imports the standard library only and never another bulk package, so
// that it cannot share a misunderstanding with the client it tests.
package whopsim

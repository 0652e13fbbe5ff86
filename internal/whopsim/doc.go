// Package whopsim simulates the Whop v2 memberships API as an http.Handler.
//
// It owns one thing: answering GET /api/v2/memberships/{id},
// POST /api/v2/memberships/{id}/add_free_days and POST /api/v2/memberships/{id}
// the way the real API documents, including its two error shapes, its
// sliding-window rate limit with a cooldown, and the faults a client must
// survive (5xx before applying, a proxy error after applying, a connection
// dropped after applying, latency). Tests drive it over real HTTP and read
// its ledger to see exactly what the server applied; `bulk --simulate` runs
// it on loopback.
//
// Where v2 documents nothing (idempotency, Retry-After), the simulator
// defaults to the behaviour a client can rely on least, and the stricter
// behaviours are opt-in through Config.
//
// The package must stay a faithful, self-contained model of the API: it
// imports the standard library only and never another bulk package, so
// that it cannot share a misunderstanding with the client it tests.
package whopsim

// Package client talks to Whop's memberships API in one of two dialects,
// behind the API interface (api.go): the Current API (current.go, the
// default, /api/v1 with an Api-Version-Date on every request) and the
// retired v2 API (v2.go). Each dialect maps its wire format onto the
// engine's Membership with encoding/json; nothing outside this package sees
// a wire type.
//
// It owns the HTTP details: the base URL rule (https, or plain http to a
// loopback host), bearer auth, the version header, the User-Agent, the
// Idempotency-Key header, timeouts, the cap on response size, the check of
// a membership ID before it reaches a path, and the decoding of every error
// shape the APIs are known to answer with. Its errors are typed (*Error
// with a Kind) so that callers can tell what a failure means for the run,
// the row and the membership. The API key goes into the Authorization
// header and nowhere else: never into an error or a message.
//
// It must not retry, pace or sleep: deciding whether a request is sent
// again belongs to the caller, who knows whether sending it twice could
// extend a membership twice. For the same reason a POST or PATCH is never
// made replayable by the HTTP transport (see conn.request).
package client

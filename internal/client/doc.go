// Package client talks to the Whop v2 memberships API: it reads a
// membership, adds free days to it and replaces its metadata.
//
// It owns the HTTP details: the base URL rule (https, or plain http to a
// loopback host), bearer auth, the User-Agent, the Idempotency-Key header,
// timeouts, the cap on response size and the decoding of every error shape
// the API is known to answer with. Its errors are typed (*Error with a
// Kind) so that callers can tell what a failure means for the run, the row
// and the membership.
//
// It must not retry, pace or sleep: deciding whether a request is sent
// again belongs to the caller, who knows whether sending it twice could
// extend a membership twice. For the same reason a POST is never made
// replayable by the HTTP transport (see Client.do).
package client

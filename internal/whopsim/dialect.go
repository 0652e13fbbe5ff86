package whopsim

import (
	"crypto/subtle"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// dialect is one API's routes, checks, operations and wire format over
// the shared model. current.go and v2.go implement it.
type dialect interface {
	prefix() string // "/api/v1/" or "/api/v2/"
	// route names the operation and membership of a request; op is empty
	// when no route matches.
	route(method, path string) (op, id string)
	// limitKey is the rate-limit window a request of op counts in;
	// limited is false when it counts in none.
	limitKey(op string) (key string, limited bool)
	// check authorizes a call and checks its headers; a non-nil reply
	// refuses it before its body is read.
	check(r *http.Request, c *call) *reply
	// idempotencyKey is the key under which c is remembered, with its
	// fingerprint; key is empty when c is not idempotent.
	idempotencyKey(c call) (key string, fingerprint string)
	// keep reports whether an answer is stored under its idempotency key.
	keep(rep reply) bool
	run(c call) reply

	// The answers shared code gives in the dialect's shape.
	notFound() reply
	badBody() reply
	internalError() reply
	rateLimited(waitSecs int) reply
	idempotencyRefused(running bool) reply
}

// call is a routed request.
type call struct {
	op, id         string
	method, path   string
	query          url.Values
	rawQuery       string
	version        string // Api-Version-Date, as sent
	credential     string // the bearer key
	readOnly       bool   // credential is Config.ReadOnlyKey
	body           []byte // extend and update only
	idempotencyKey string // the header, as sent
}

const maxBody = 1 << 20

func newCall(r *http.Request, op, id string) call {
	return call{
		op: op, id: id, method: r.Method, path: r.URL.Path,
		query: r.URL.Query(), rawQuery: r.URL.RawQuery,
		version:        r.Header.Get("Api-Version-Date"),
		idempotencyKey: r.Header.Get("Idempotency-Key"),
	}
}

// changes reports whether the operation changes a membership.
func changes(op string) bool { return op == OpExtend || op == OpUpdate }

// readBody reads the body of a changing call, at most maxBody bytes.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, c *call) *reply {
	if !changes(c.op) {
		return nil
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	if err != nil {
		return new(s.api.badBody())
	}
	c.body = body
	return nil
}

// authState is what a request's Authorization header says.
type authState int

const (
	authMissing authState = iota
	authInvalid
	authFull
	authReadOnly
)

// authenticate checks the bearer key against Config.Key and ReadOnlyKey
// and notes the credential in c.
func (s *Server) authenticate(r *http.Request, c *call) authState {
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	c.credential = bearer
	switch {
	case !ok || bearer == "":
		return authMissing
	case s.cfg.ReadOnlyKey != "" && same(bearer, s.cfg.ReadOnlyKey):
		c.readOnly = true
		return authReadOnly
	case s.cfg.Key == "" || same(bearer, s.cfg.Key):
		return authFull
	}
	return authInvalid
}

func same(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// touchesOne reports whether a call reads or changes one membership.
func (c call) touchesOne() bool { return c.id != "" }

// now is the simulator's clock.
func (s *Server) now() time.Time { return s.cfg.Now() }

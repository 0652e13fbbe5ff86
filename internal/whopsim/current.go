package whopsim

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
)

// currentAPI is the Current API dialect under /api/v1: read, extend,
// update (PATCH, merging metadata) and list; a rate limit per operation;
// Api-Version-Date; idempotency keys on extend, honoured as documented
// unless Config.IgnoreIdempotency.
type currentAPI struct{ s *Server }

func (currentAPI) prefix() string { return "/api/v1/" }

func (a currentAPI) route(method, path string) (op, id string) {
	rest, ok := strings.CutPrefix(path, a.prefix()+"memberships")
	switch {
	case !ok:
		return "", ""
	case rest == "" && method == http.MethodGet:
		return OpList, ""
	}
	id, action, nested := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
	switch {
	case !strings.HasPrefix(rest, "/") || id == "":
		return "", ""
	case !nested && method == http.MethodGet:
		return OpRead, id
	case !nested && method == http.MethodPatch:
		return OpUpdate, id
	case nested && action == "extend" && method == http.MethodPost:
		return OpExtend, id
	}
	return "", ""
}

// limitKey: "per API operation and API credential", 600 a minute each.
// The simulator keeps one window per operation for all credentials
// together, the stricter reading for a client with one key. A request
// that matches no route counts in none.
func (currentAPI) limitKey(op string) (string, bool) { return op, op != "" }

// check authorizes a call, then checks its version, route and scope.
func (a currentAPI) check(r *http.Request, c *call) *reply {
	switch a.s.authenticate(r, c) {
	case authMissing:
		return new(currentError(http.StatusUnauthorized, "unauthorized", "", "Missing API key: send 'Authorization: Bearer <key>'"))
	case authInvalid:
		return new(currentError(http.StatusUnauthorized, "unauthorized", "", "Invalid API key"))
	}
	versions := a.s.cfg.Versions
	switch {
	case c.version != "" && !slices.Contains(versions, c.version): // absent: the latest
		return new(currentError(http.StatusBadRequest, "bad_request", "unsupported_api_version",
			fmt.Sprintf("Unsupported Api-Version-Date %q. Supported versions: %s.", c.version, strings.Join(versions, ", "))))
	case c.op == "":
		return new(a.notFound())
	case c.readOnly && changes(c.op):
		return new(currentError(http.StatusForbidden, "forbidden", "", "The API key lacks the member:manage scope"))
	case c.op == OpExtend && len(c.idempotencyKey) > MaxIdempotencyKey:
		return new(currentError(http.StatusBadRequest, "bad_request", "",
			fmt.Sprintf("Idempotency-Key must be at most %d bytes", MaxIdempotencyKey)))
	}
	return nil
}

// idempotencyKey: only POST (extend) takes a key, scoped to the
// credential; "the same request" is method, path, query, body and
// Api-Version-Date.
func (a currentAPI) idempotencyKey(c call) (string, string) {
	if a.s.cfg.IgnoreIdempotency || c.op != OpExtend || c.idempotencyKey == "" {
		return "", ""
	}
	key := c.credential + "\x00" + c.idempotencyKey
	return key, strings.Join([]string{c.method, c.path, c.rawQuery, string(c.body), c.version}, "\x00")
}

// keep: 2xx and 4xx answers are stored, as documented. Whether 5xx are is
// not documented: one that applied nothing releases the key, so a retry
// runs; one that applied was a 200 lost on the way, and that is stored.
func (currentAPI) keep(rep reply) bool { return rep.applied || rep.status < 500 }

func (a currentAPI) run(c call) reply {
	switch c.op {
	case OpRead:
		m, err := a.s.read(c.id)
		return a.answer(m, err, false)
	case OpExtend:
		return a.extend(c)
	case OpUpdate:
		return a.update(c)
	}
	return a.list(c)
}

// extend adds free days: current_period_end moves, current_period_start
// stays (not documented; assumed). A canceled or expired membership is
// extended from its current end like any other, even one in the past
// (not documented either).
func (a currentAPI) extend(c call) reply {
	fields, ok := decodeObject(c.body)
	if !ok {
		return a.badBody()
	}
	days, err := decodeDays(fields)
	if err != nil {
		return a.refusal(err)
	}
	m, err := a.s.extend(c, days)
	return a.answer(m, err, true)
}

// update merges metadata: "Pass an empty object to clear it." Deleting
// one key with a null value is not documented, so it is refused.
func (a currentAPI) update(c call) reply {
	fields, ok := decodeObject(c.body)
	if !ok {
		return a.badBody()
	}
	md, err := decodeMetadata(fields)
	if err == nil && hasNull(md) {
		err = &fieldError{field: "metadata", problem: "values must not be null: deleting a key is not supported"}
	}
	if err != nil {
		return a.refusal(err)
	}
	m, err := a.s.setMetadata(c, md, true)
	return a.answer(m, err, true)
}

// answer is 200 with the membership, or the refusal for err.
func (a currentAPI) answer(m Membership, err error, applied bool) reply {
	if err != nil {
		return a.refusal(err)
	}
	rep := jsonReply(http.StatusOK, currentWire(m))
	rep.applied = applied
	return rep
}

// refusal words a model or request error.
func (a currentAPI) refusal(err error) reply {
	var field *fieldError
	var limit *limitError
	switch {
	case errors.Is(err, errNotFound):
		return currentError(http.StatusNotFound, "not_found", "", "Membership not found")
	case errors.Is(err, errNoPeriod):
		return currentError(http.StatusUnprocessableEntity, "unprocessable_entity", "",
			"This membership has no billing period or expiration to extend")
	case errors.As(err, &field) && field.field == "metadata" && field.missing:
		return currentError(http.StatusBadRequest, "bad_request", "", "no updatable fields given")
	case errors.As(err, &field):
		return currentError(http.StatusBadRequest, "bad_request", "", field.Error())
	case errors.As(err, &limit):
		return currentError(http.StatusUnprocessableEntity, "unprocessable_entity", "", limit.Error())
	}
	return a.internalError()
}

func (currentAPI) notFound() reply {
	return currentError(http.StatusNotFound, "not_found", "", "Resource not found")
}

func (currentAPI) badBody() reply {
	return currentError(http.StatusBadRequest, "bad_request", "", "The request body must be a JSON object")
}

func (currentAPI) internalError() reply {
	return currentError(http.StatusInternalServerError, "internal_server_error", "", "An unexpected error occurred")
}

// rateLimited is the documented 429; no Retry-After unless asked for.
func (a currentAPI) rateLimited(wait int) reply {
	rep := currentError(http.StatusTooManyRequests, "rate_limit_exceeded", "", fmt.Sprintf("Try again in %d seconds.", wait))
	return rep.withRetryAfter(a.s.cfg.RetryAfter, wait)
}

func (currentAPI) idempotencyRefused(running bool) reply {
	if running {
		return currentError(http.StatusConflict, "conflict", "idempotency_request_in_progress",
			"A request with this Idempotency-Key is still being processed")
	}
	return currentError(http.StatusBadRequest, "bad_request", "idempotency_key_mismatch",
		"This Idempotency-Key was used with a different request")
}

func hasNull(md map[string]any) bool {
	for _, v := range md {
		if v == nil {
			return true
		}
	}
	return false
}

package whopsim

import (
	"errors"
	"net/http"
	"strings"
)

// v2API is the retired v2 dialect: GET /api/v2/memberships/{id},
// POST /api/v2/memberships/{id}/add_free_days and POST
// /api/v2/memberships/{id} (metadata), answered 200 and 201, and GET
// /api/v2/memberships?page&per (the list, v2list.go); one rate
// limit for everything with a cooldown; idempotency only when
// Config.HonorIdempotency asks for it.
type v2API struct{ s *Server }

func (v2API) prefix() string { return "/api/v2/" }

// route maps the membership endpoints and the list; the expand[] query
// is ignored.
func (a v2API) route(method, path string) (op, id string) {
	if path == a.prefix()+"memberships" && method == http.MethodGet {
		return OpList, ""
	}
	rest, ok := strings.CutPrefix(path, a.prefix()+"memberships/")
	if !ok {
		return "", ""
	}
	id, action, nested := strings.Cut(rest, "/")
	switch {
	case id == "":
		return "", ""
	case !nested && method == http.MethodGet:
		return OpRead, id
	case !nested && method == http.MethodPost:
		return OpUpdate, id
	case nested && action == "add_free_days" && method == http.MethodPost:
		return OpExtend, id
	}
	return "", ""
}

// limitKey: 100 requests per 10 s across /v2/*, whatever they are.
func (v2API) limitKey(string) (string, bool) { return "v2", true }

func (a v2API) check(r *http.Request, c *call) *reply {
	switch a.s.authenticate(r, c) {
	case authMissing:
		return new(v2Status(http.StatusUnauthorized, "You must provide an API key as 'Authorization: Bearer <key>'"))
	case authInvalid:
		return new(v2Status(http.StatusUnauthorized, "Invalid API key"))
	}
	switch {
	case c.op == "":
		return new(a.notFound())
	case c.readOnly && changes(c.op):
		return new(v2Status(http.StatusForbidden, "This API key is not permitted to perform this action"))
	}
	return nil
}

// idempotencyKey: v2 documents no idempotency; with HonorIdempotency,
// POSTs are remembered by key alone, across credentials.
func (a v2API) idempotencyKey(c call) (string, string) {
	if !a.s.cfg.HonorIdempotency || !changes(c.op) || c.idempotencyKey == "" {
		return "", ""
	}
	return c.idempotencyKey, c.op + "\x00" + c.id + "\x00" + string(c.body)
}

// keep: only answers that applied a change are stored; a refused or
// failed request releases its key, so a corrected retry runs.
func (v2API) keep(rep reply) bool { return rep.applied }

func (a v2API) run(c call) reply {
	switch c.op {
	case OpRead:
		m, err := a.s.read(c.id)
		if err != nil {
			return a.refusal(c.id, err)
		}
		return jsonReply(http.StatusOK, a.wire(m))
	case OpExtend:
		return a.extend(c)
	case OpList:
		return a.list(c)
	}
	return a.update(c)
}

// extend moves renewal_period_end of a renewing membership, otherwise
// expires_at: both are the model's PeriodEnd.
func (a v2API) extend(c call) reply {
	fields, ok := decodeObject(c.body)
	if !ok {
		return a.badBody()
	}
	days, err := decodeDays(fields)
	if err != nil {
		return a.refusal(c.id, err)
	}
	m, err := a.s.extend(c, days)
	return a.changed(c, m, err)
}

// update replaces the whole metadata object. v2 does not document
// replace or merge; replace is the behaviour that loses data, so it is the
// one a client must be ready for.
func (a v2API) update(c call) reply {
	fields, ok := decodeObject(c.body)
	if !ok {
		return a.badBody()
	}
	md, err := decodeMetadata(fields)
	if err != nil {
		return a.refusal(c.id, err)
	}
	m, err := a.s.setMetadata(c, md, false)
	return a.changed(c, m, err)
}

// changed is the answer to a change: 201 with the new state.
func (a v2API) changed(c call, m Membership, err error) reply {
	if err != nil {
		return a.refusal(c.id, err)
	}
	rep := jsonReply(http.StatusCreated, a.wire(m))
	rep.applied = true
	return rep
}

// refusal words a model or request error.
func (a v2API) refusal(id string, err error) reply {
	var field *fieldError
	var limit *limitError
	switch {
	case errors.Is(err, errNotFound):
		return v2NotFound("No such Resource found with the provided ID: " + id)
	case errors.Is(err, errNoPeriod):
		return v2Named(http.StatusUnprocessableEntity, "unprocessable_entity", "This membership has no renewal or expiration date to extend")
	case errors.As(err, &field):
		return v2Status(http.StatusUnprocessableEntity, "Parameter "+field.Error())
	case errors.As(err, &limit):
		return v2Status(http.StatusUnprocessableEntity, limit.Error())
	}
	return a.internalError()
}

func (v2API) notFound() reply { return v2NotFound("No such Resource found") }

func (v2API) badBody() reply {
	return v2Named(http.StatusBadRequest, "bad_request", "The request body must be a JSON object")
}

func (v2API) internalError() reply {
	return v2Status(http.StatusInternalServerError, "Internal server error")
}

// rateLimited is v2's 429, body exactly as documented. Retry-After, when
// asked for, is the cooldown left.
func (a v2API) rateLimited(wait int) reply {
	rep := reply{status: http.StatusTooManyRequests, contentType: "application/json; charset=utf-8",
		body: []byte(`{"message":"You are being rate limited"}`)}
	return rep.withRetryAfter(a.s.cfg.RetryAfter, wait)
}

func (v2API) idempotencyRefused(running bool) reply {
	if running {
		return v2Status(http.StatusConflict, "A request with the same Idempotency-Key is still being processed")
	}
	return v2Named(http.StatusBadRequest, "bad_request",
		"Keys for idempotent requests can only be used with the same parameters they were first used with")
}

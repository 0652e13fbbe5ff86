package whopsim

import (
	"crypto/subtle"
	"io"
	"net/http"
	"strings"
)

// call is a routed, authorized request.
type call struct {
	op   string // opGet, OpAddFreeDays or OpUpdateMetadata
	id   string
	body []byte // POST only
	key  string // Idempotency-Key, POST only
}

const (
	opGet   = "get"
	maxBody = 1 << 20
)

// parse authorizes and routes a request and reads its body; a non-nil
// reply refuses it.
func (s *Server) parse(w http.ResponseWriter, r *http.Request) (call, *reply) {
	readOnly, refused := s.authorize(r)
	if refused != nil {
		return call{}, refused
	}
	c, ok := route(r.Method, r.URL.Path)
	if !ok {
		return call{}, new(notFound("No such Resource found"))
	}
	if c.op == opGet {
		return c, nil
	}
	if readOnly {
		return call{}, new(apiError(http.StatusForbidden, "This API key is not permitted to perform this action"))
	}
	body, err := readBody(w, r)
	if err != nil {
		return call{}, new(namedError(http.StatusBadRequest, "bad_request", "The request body could not be read"))
	}
	c.body, c.key = body, r.Header.Get("Idempotency-Key")
	return c, nil
}

// readBody reads a request body of at most maxBody bytes, into a buffer of
// the declared Content-Length when there is one.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	body := http.MaxBytesReader(w, r.Body, maxBody)
	if r.ContentLength < 0 || r.ContentLength > maxBody {
		return io.ReadAll(body)
	}
	b := make([]byte, 0, r.ContentLength+1) // one more byte, so the read that meets EOF needs no growth
	for {
		n, err := body.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // longer than declared: let append grow it
		}
	}
}

// authorize checks the bearer key; readOnly is true for Config.ReadOnlyKey.
func (s *Server) authorize(r *http.Request) (readOnly bool, refused *reply) {
	bearer, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	switch {
	case !ok || bearer == "":
		return false, new(apiError(http.StatusUnauthorized, "You must provide an API key as 'Authorization: Bearer <key>'"))
	case s.cfg.ReadOnlyKey != "" && same(bearer, s.cfg.ReadOnlyKey):
		return true, nil
	case s.cfg.Key == "" || same(bearer, s.cfg.Key):
		return false, nil
	}
	return false, new(apiError(http.StatusUnauthorized, "Invalid API key"))
}

func same(a, b string) bool {
	return subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}

// route maps the three membership endpoints; the expand[] query is ignored.
func route(method, path string) (call, bool) {
	rest, ok := strings.CutPrefix(path, apiPrefix+"memberships/")
	if !ok {
		return call{}, false
	}
	id, action, nested := strings.Cut(rest, "/")
	switch {
	case id == "":
		return call{}, false
	case !nested && method == http.MethodGet:
		return call{op: opGet, id: id}, true
	case !nested && method == http.MethodPost:
		return call{op: OpUpdateMetadata, id: id}, true
	case nested && action == "add_free_days" && method == http.MethodPost:
		return call{op: OpAddFreeDays, id: id}, true
	}
	return call{}, false
}

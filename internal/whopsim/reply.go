package whopsim

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// reply is an answer decided but not yet written, so that it can be logged,
// stored for an idempotent replay, or swapped for a fault first.
type reply struct {
	status      int
	contentType string
	body        []byte
	header      map[string]string // extra headers
	applied     bool              // the request changed a membership
}

func jsonReply(status int, body []byte) reply {
	return reply{status: status, contentType: "application/json; charset=utf-8", body: body}
}

// apiError is the documented shape {"error":{"status":...,"message":...}};
// status is an integer for most errors and a name such as "bad_request" for some.
func apiError(status int, message string) reply {
	return errorReply(status, map[string]any{"status": status, "message": message})
}

func namedError(status int, name, message string) reply {
	return errorReply(status, map[string]any{"status": name, "message": message})
}

// notFound is the other documented shape, {"error":{"code":404,"message":...}}.
func notFound(message string) reply {
	return errorReply(http.StatusNotFound, map[string]any{"code": http.StatusNotFound, "message": message})
}

func errorReply(status int, fields map[string]any) reply {
	b, _ := json.Marshal(map[string]any{"error": fields}) // strings and ints only
	return jsonReply(status, b)
}

// rateLimited is v2's 429, body exactly as documented.
func rateLimited(retryAfter int) reply {
	r := jsonReply(http.StatusTooManyRequests, []byte(`{"message":"You are being rate limited"}`))
	if retryAfter > 0 {
		r.header = map[string]string{"Retry-After": strconv.Itoa(retryAfter)}
	}
	return r
}

// proxyError is what a gateway in front of the API answers when the
// upstream fails after the request went through: HTML, not JSON.
func proxyError() reply {
	return reply{
		status:      http.StatusBadGateway,
		contentType: "text/html; charset=utf-8",
		body: []byte("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n" +
			"<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n"),
	}
}

func (r reply) write(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Content-Type", r.contentType)
	for k, v := range r.header {
		h.Set(k, v)
	}
	w.WriteHeader(r.status)
	w.Write(r.body)
}

package whopsim

import (
	"encoding/json"
	"fmt"
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

// jsonReply encodes v, a wire struct, as the answer's body.
func jsonReply(status int, v any) reply {
	b, err := json.Marshal(v)
	if err != nil { // only metadata a caller of Put filled with a value JSON cannot hold
		panic(fmt.Sprintf("whopsim: encode answer: %v", err))
	}
	return reply{status: status, contentType: "application/json; charset=utf-8", body: b}
}

// withRetryAfter adds a Retry-After header of secs seconds when on.
func (r reply) withRetryAfter(on bool, secs int) reply {
	if on {
		r.header = map[string]string{"Retry-After": strconv.Itoa(secs)}
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

// gatewayTimeout is a gateway that gave up waiting for the API.
func gatewayTimeout() reply {
	return reply{
		status:      http.StatusGatewayTimeout,
		contentType: "text/html; charset=utf-8",
		body: []byte("<html>\r\n<head><title>504 Gateway Time-out</title></head>\r\n" +
			"<body>\r\n<center><h1>504 Gateway Time-out</h1></center>\r\n</body>\r\n</html>\r\n"),
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

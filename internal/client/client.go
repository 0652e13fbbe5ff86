package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// DefaultBaseURL is the v2 API.
const DefaultBaseURL = "https://api.whop.com/api/v2"

const (
	maxBody        = 1 << 20 // answers larger than this are cut and reported
	defaultTimeout = 30 * time.Second
)

// Options configure a Client.
type Options struct {
	BaseURL   string        // default DefaultBaseURL
	Key       string        // API key, sent as a bearer token and nowhere else
	UserAgent string        // e.g. "bulk/1.2.0"
	Timeout   time.Duration // per request, default 30s
	MaxConns  int           // connections kept open, default 8
}

// Client sends v2 membership requests. It is safe for concurrent use.
type Client struct {
	base    *url.URL
	prefix  string // the URL of a membership up to its ID
	query   string // what the URL has after the path: "?" or nothing
	auth    string // the Authorization header
	agent   string
	timeout time.Duration
	http    *http.Client
	sent    atomic.Int64
	limited atomic.Int64
	now     func() time.Time
}

// New checks the options and returns a client. The base URL must be https,
// or http to a loopback host (the simulator, tests).
func New(o Options) (*Client, error) {
	if o.BaseURL == "" {
		o.BaseURL = DefaultBaseURL
	}
	base, err := CheckBaseURL(o.BaseURL)
	if err != nil {
		return nil, err
	}
	if o.Key == "" {
		return nil, errors.New("no API key")
	}
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	if o.MaxConns <= 0 {
		o.MaxConns = 8
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = o.MaxConns
	t.MaxIdleConnsPerHost = o.MaxConns
	t.ResponseHeaderTimeout = o.Timeout
	t.Proxy = http.ProxyFromEnvironment
	// TLS verification stays on: TLSClientConfig is never given
	// InsecureSkipVerify, and no option exists to set it.
	prefix, query := endpointParts(base)
	return &Client{
		base:    base,
		prefix:  prefix,
		query:   query,
		auth:    "Bearer " + o.Key,
		agent:   o.UserAgent,
		timeout: o.Timeout,
		http: &http.Client{
			Transport: t,
			// A redirect could carry the key elsewhere or turn a POST into
			// a GET; the API does not redirect, so none is followed.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		now: time.Now,
	}, nil
}

// CheckBaseURL parses a base URL and refuses anything but https, or http to
// a loopback host.
func CheckBaseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("base URL %q: not an absolute URL", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("base URL %q: must not carry credentials, a query or a fragment", raw)
	}
	switch u.Scheme {
	case "https":
		return u, nil
	case "http":
		if isLoopback(u.Hostname()) {
			return u, nil
		}
		return nil, fmt.Errorf("base URL %q: plain http is allowed only to a loopback host; use https", raw)
	}
	return nil, fmt.Errorf("base URL %q: scheme must be https", raw)
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// validID reports whether id has the shape of a membership ID,
// mem_[A-Za-z0-9]{1,60}; nothing else may reach a path.
func validID(id string) bool {
	rest, ok := strings.CutPrefix(id, "mem_")
	if !ok || len(rest) == 0 || len(rest) > 60 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		if c := rest[i]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// Sent is the number of requests that left this machine (or may have).
func (c *Client) Sent() int64 { return c.sent.Load() }

// RateLimited is the number of 429 answers received.
func (c *Client) RateLimited() int64 { return c.limited.Load() }

// Get reads a membership.
func (c *Client) Get(ctx context.Context, id string) (*Membership, error) {
	return c.do(ctx, http.MethodGet, id, "", nil, "")
}

// AddFreeDays extends a membership by days. key is the Idempotency-Key.
func (c *Client) AddFreeDays(ctx context.Context, id string, days int, key string) (*Membership, error) {
	return c.do(ctx, http.MethodPost, id, "/add_free_days", addFreeDaysBody(days), key)
}

// addFreeDaysBody is {"days":<days>}, as json.Marshal writes it.
func addFreeDaysBody(days int) []byte {
	b := make([]byte, 0, 32)
	b = append(b, `{"days":`...)
	b = strconv.AppendInt(b, int64(days), 10)
	return append(b, '}')
}

// UpdateMetadata replaces a membership's metadata with the given object.
func (c *Client) UpdateMetadata(ctx context.Context, id string, metadata json.RawMessage, key string) (*Membership, error) {
	body, err := json.Marshal(struct {
		Metadata json.RawMessage `json:"metadata"`
	}{metadata})
	if err != nil {
		return nil, &Error{Kind: NotSent, Message: "metadata is not valid JSON", Err: err}
	}
	return c.do(ctx, http.MethodPost, id, "", body, key)
}

// endpointParts splits the URL of base's membership endpoints around the
// membership ID and what follows it: the URL for an ID and suffix (both
// letters, digits, '_' and '/', which a path never escapes) is
// prefix + id + suffix + query.
func endpointParts(base *url.URL) (prefix, query string) {
	u := *base
	u.Path = base.Path + "/memberships/"
	u.RawPath = ""
	if u.ForceQuery { // a base URL ending in an empty query, "...?"
		u.ForceQuery = false
		query = "?"
	}
	return u.String(), query
}

func (c *Client) endpoint(id, suffix string) string {
	return c.prefix + id + suffix + c.query
}

func (c *Client) do(ctx context.Context, method, id, suffix string, body []byte, key string) (*Membership, error) {
	if !validID(id) {
		return nil, &Error{Kind: NotSent, Message: fmt.Sprintf("membership id %q is not of the form mem_...", id)}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	t := new(trace)
	t.hooks.WroteHeaders = func() { t.wrote.Store(true) }
	ctx = httptrace.WithClientTrace(ctx, &t.hooks)
	req, err := http.NewRequestWithContext(ctx, method, c.endpoint(id, suffix), bytes.NewReader(body))
	if err != nil {
		return nil, &Error{Kind: NotSent, Message: "build request", Err: err}
	}
	// The header keys are in canonical form, as Header.Set would make
	// them, and the values share one array.
	h := headerValues(make([]string, 0, 5))
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	} else {
		req.Header["Content-Type"] = h.add("application/json")
		// Without GetBody the transport can never send this request a
		// second time by itself (it replays requests carrying an
		// Idempotency-Key when a kept-alive connection breaks). Whether a
		// POST is sent again is the caller's decision alone.
		req.GetBody = nil
	}
	req.Header["Authorization"] = h.add(c.auth)
	req.Header["Accept"] = h.add("application/json")
	if c.agent != "" {
		req.Header["User-Agent"] = h.add(c.agent)
	}
	if key != "" {
		req.Header["Idempotency-Key"] = h.add(key)
	}
	resp, err := c.http.Do(req)
	wrote := t.wrote.Load()
	if wrote {
		c.sent.Add(1)
	}
	if err != nil {
		return nil, transportError(err, wrote)
	}
	defer resp.Body.Close()
	data, err := readBody(resp)
	if err != nil {
		return nil, &Error{Kind: Unknown, Status: resp.StatusCode, Message: "answer cut off: " + err.Error(), Err: err}
	}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		if len(data) > maxBody {
			return nil, &Error{Kind: Unknown, Status: resp.StatusCode, Message: "answer larger than 1 MiB"}
		}
		m, err := decodeMembership(data)
		if err != nil {
			return nil, &Error{Kind: Unknown, Status: resp.StatusCode, Message: err.Error(), Err: err}
		}
		m.HTTPStatus = resp.StatusCode
		return m, nil
	}
	e := &Error{Kind: kindForStatus(resp.StatusCode), Status: resp.StatusCode, Message: DecodeError(data)}
	if e.Kind == RateLimited {
		c.limited.Add(1)
		e.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), c.now())
	}
	return nil, e
}

// trace notes whether a request was written, even in part.
type trace struct {
	hooks httptrace.ClientTrace
	wrote atomic.Bool
}

// headerValues hands out one-element header values from a shared array.
type headerValues []string

func (h *headerValues) add(v string) []string {
	*h = append(*h, v)
	n := len(*h)
	return (*h)[n-1 : n : n] // full, so that appending to it copies
}

// readBody reads an answer's body, up to one byte more than maxBody.
func readBody(resp *http.Response) ([]byte, error) {
	r := io.LimitReader(resp.Body, maxBody+1)
	n := resp.ContentLength
	if n < 0 || n > maxBody {
		return io.ReadAll(r)
	}
	// The length is known: read into a buffer one byte larger, so that
	// the read that meets the end of the body has room and does not grow
	// it.
	b := make([]byte, 0, n+1)
	for {
		m, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err != nil {
			if err == io.EOF {
				err = nil
			}
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)] // longer than announced: grow
		}
	}
}

// transportError classifies a failure with no HTTP answer: once the request
// was written, the server may have acted on it.
func transportError(err error, wrote bool) error {
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = ue.Err.Error() // the URL holds nothing secret, but is noise here
	}
	if errors.Is(err, context.DeadlineExceeded) {
		msg = "timed out"
	}
	if !wrote {
		return &Error{Kind: NotSent, Message: msg, Err: err}
	}
	return &Error{Kind: Unknown, Message: msg, Err: err}
}

// Host is the API's host and port.
func (c *Client) Host() string { return c.base.Host }

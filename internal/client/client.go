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
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"bulk/internal/input"
)

// Base URLs and the default Api-Version-Date.
const (
	CurrentBaseURL = "https://api.whop.com/api/v1"
	SandboxBaseURL = "https://sandbox-api.whop.com/api/v1"
	V2BaseURL      = "https://api.whop.com/api/v2"
	// DefaultVersion is the newest Api-Version-Date in Whop's docs.
	DefaultVersion = "2026-11-17"
)

const (
	maxBody        = 1 << 20 // answers larger than this are cut and reported
	maxKey         = 255     // the longest Idempotency-Key the Current API takes
	defaultTimeout = 30 * time.Second
	defaultConns   = 8
)

// Options configure a client.
type Options struct {
	API       string        // "current" (default) or "v2"
	Version   string        // Api-Version-Date for the Current API; default DefaultVersion; ignored by v2
	Sandbox   bool          // Current API: SandboxBaseURL instead of CurrentBaseURL (an explicit BaseURL still wins)
	BaseURL   string        // default by API and Sandbox
	Key       string        // API key, sent as a bearer token and nowhere else
	UserAgent string        // e.g. "bulk/1.2.0"
	Timeout   time.Duration // per request, default 30s
	MaxConns  int           // connections kept open, default 8
}

// New checks the options and returns the client of the dialect they name.
// The base URL must be https, or http to a loopback host (the simulator,
// tests).
func New(o Options) (API, error) {
	switch o.API {
	case "", "current":
		if o.Version == "" {
			o.Version = DefaultVersion
		}
		if !validVersion(o.Version) {
			return nil, fmt.Errorf("API version %q: want a date, YYYY-MM-DD", o.Version)
		}
		if o.BaseURL == "" {
			o.BaseURL = CurrentBaseURL
			if o.Sandbox {
				o.BaseURL = SandboxBaseURL
			}
		}
		c, err := newConn(o, o.Version, true)
		if err != nil {
			return nil, err
		}
		return &currentClient{conn: c, sandbox: o.Sandbox}, nil
	case "v2":
		if o.Sandbox {
			return nil, errors.New("the sandbox is a Current API service: it has no v2")
		}
		if o.BaseURL == "" {
			o.BaseURL = V2BaseURL
		}
		// v2 has no versions: a Version (say, from WHOP_API_VERSION) is
		// not sent, and not checked.
		c, err := newConn(o, "", false)
		if err != nil {
			return nil, err
		}
		return &v2Client{conn: c}, nil
	}
	return nil, fmt.Errorf("unknown API %q: want current or v2", o.API)
}

// Both dialects implement API.
var (
	_ API = (*currentClient)(nil)
	_ API = (*v2Client)(nil)
)

// validVersion reports whether v is a date written YYYY-MM-DD.
func validVersion(v string) bool {
	_, err := time.Parse(time.DateOnly, v)
	return err == nil && len(v) == len(time.DateOnly)
}

// conn is what both dialects share: one HTTP client, the headers every
// request carries, and the counters. It is safe for concurrent use.
type conn struct {
	base    *url.URL
	key     string // only to keep it out of messages
	auth    string // the Authorization header
	agent   string
	version string // Api-Version-Date; "" sends none (v2)
	scopes  bool   // a 403 names the Current API's scope
	timeout time.Duration
	http    *http.Client
	sent    [4]atomic.Int64 // per Op, in the order of Ops
	limited atomic.Int64
	now     func() time.Time
}

func newConn(o Options, version string, scopes bool) (*conn, error) {
	base, err := CheckBaseURL(o.BaseURL)
	if err != nil {
		return nil, err
	}
	if o.Key == "" {
		return nil, errors.New("no API key")
	}
	if strings.ContainsFunc(o.Key, func(r rune) bool { return r <= ' ' || r >= 0x7f }) {
		// Said without the key, which must appear nowhere.
		return nil, errors.New("the API key contains spaces, control or non-ASCII characters")
	}
	if o.Timeout <= 0 {
		o.Timeout = defaultTimeout
	}
	if o.MaxConns <= 0 {
		o.MaxConns = defaultConns
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = o.MaxConns
	t.MaxIdleConnsPerHost = o.MaxConns
	t.ResponseHeaderTimeout = o.Timeout
	// TLS verification stays on: TLSClientConfig is never given
	// InsecureSkipVerify, and no option exists to set it.
	return &conn{
		base:    base,
		key:     o.Key,
		auth:    "Bearer " + o.Key,
		agent:   o.UserAgent,
		version: version,
		scopes:  scopes,
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

// Sent counts requests that left this machine (or may have), per Op.
func (c *conn) Sent() map[Op]int64 {
	m := make(map[Op]int64, len(Ops))
	for i, op := range Ops {
		m[op] = c.sent[i].Load()
	}
	return m
}

// RateLimited counts 429 answers.
func (c *conn) RateLimited() int64 { return c.limited.Load() }

// call is one request: op on the memberships collection (id "") or on one
// membership, at path suffix below it.
type call struct {
	op     Op
	method string
	id     string
	suffix string // e.g. "extend"; "" for the membership itself
	query  url.Values
	body   any    // encoded with encoding/json; nil for none
	key    string // Idempotency-Key; "" for none
}

// url is where r goes. The ID was checked, so it cannot change the path.
func (c *conn) url(r call) string {
	elems := []string{"memberships"}
	if r.id != "" {
		elems = append(elems, r.id)
	}
	if r.suffix != "" {
		elems = append(elems, r.suffix)
	}
	u := c.base.JoinPath(elems...)
	u.ForceQuery = false
	u.RawQuery = r.query.Encode()
	return u.String()
}

// do sends r and returns the status and body of a 2xx answer, or an
// *Error.
func (c *conn) do(ctx context.Context, r call) (int, []byte, error) {
	if r.op != OpList && !input.ValidID(r.id) { // nothing else may reach a path
		return 0, nil, &Error{Kind: NotSent, Message: fmt.Sprintf("membership id %q is not of the form mem_...", c.text(r.id, maxMessage))}
	}
	if len(r.key) > maxKey {
		return 0, nil, &Error{Kind: NotSent, Message: fmt.Sprintf("Idempotency-Key longer than %d bytes", maxKey)}
	}
	var body []byte
	if r.body != nil {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false) // metadata goes as it was given
		if err := enc.Encode(r.body); err != nil {
			return 0, nil, &Error{Kind: NotSent, Message: "encode request: " + c.text(err.Error(), maxMessage), Err: err}
		}
		body = bytes.TrimSuffix(b.Bytes(), []byte("\n"))
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var wrote atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{WroteHeaders: func() { wrote.Store(true) }})
	req, err := c.request(ctx, r, body)
	if err != nil {
		return 0, nil, &Error{Kind: NotSent, Message: "build request", Err: err}
	}
	resp, err := c.http.Do(req)
	if wrote.Load() {
		c.sent[slices.Index(Ops, r.op)].Add(1)
	}
	if err != nil {
		return 0, nil, c.transportError(err, wrote.Load())
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return 0, nil, &Error{Kind: Unknown, Status: resp.StatusCode, Message: "answer cut off: " + c.text(err.Error(), maxMessage), Err: err}
	}
	if resp.StatusCode/100 != 2 {
		e := c.apiError(r.op, resp, data)
		if e.Kind == RateLimited {
			c.limited.Add(1)
		}
		return 0, nil, e
	}
	if len(data) > maxBody {
		return 0, nil, &Error{Kind: Unknown, Status: resp.StatusCode, Message: "answer larger than 1 MiB"}
	}
	return resp.StatusCode, data, nil
}

// request builds the HTTP request for r, with every header it carries.
func (c *conn) request(ctx context.Context, r call, body []byte) (*http.Request, error) {
	var rd io.Reader = http.NoBody
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, c.url(r), rd)
	if err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
		// Without GetBody the transport can never send this request a
		// second time by itself (it replays requests carrying an
		// Idempotency-Key when a kept-alive connection breaks). Whether a
		// POST or PATCH is sent again is the caller's decision alone.
		req.GetBody = nil
	}
	req.Header.Set("Authorization", c.auth)
	req.Header.Set("Accept", "application/json")
	if c.agent != "" {
		req.Header.Set("User-Agent", c.agent)
	}
	if c.version != "" {
		req.Header.Set("Api-Version-Date", c.version)
	}
	if r.key != "" {
		req.Header.Set("Idempotency-Key", r.key)
	}
	return req, nil
}

// transportError classifies a failure with no HTTP answer: once the request
// was written, the server may have acted on it.
func (c *conn) transportError(err error, wrote bool) error {
	msg := err.Error()
	var ue *url.Error
	if errors.As(err, &ue) {
		msg = ue.Err.Error() // the URL holds nothing secret, but is noise here
	}
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		msg = "timed out"
	case errors.Is(err, context.Canceled):
		msg = "canceled"
	}
	kind := Unknown
	if !wrote {
		kind = NotSent
	}
	return &Error{Kind: kind, Message: c.text(msg, maxMessage), Err: err}
}

// text makes s fit for a message: without the key, on one line, at most
// max characters.
func (c *conn) text(s string, max int) string {
	return clean(strings.ReplaceAll(s, c.key, "[redacted]"), max)
}

// answer checks that a membership decoded from a 2xx answer is the one
// asked for: another membership's dates must never stand for this one's.
func (c *conn) answer(id string, status int, m *Membership) (*Membership, error) {
	switch {
	case m.ID == "":
		return nil, &Error{Kind: Unknown, Status: status, Message: "the answer holds no membership id"}
	case m.ID != id:
		return nil, &Error{Kind: Unknown, Status: status,
			Message: fmt.Sprintf("the answer is for membership %q, not %s", c.text(m.ID, 80), id)}
	}
	m.HTTPStatus = status
	return m, nil
}

// undecodable is the error for a 2xx answer that could not be read: the
// request may have been applied.
func (c *conn) undecodable(status int, err error) error {
	return &Error{Kind: Unknown, Status: status, Message: "undecodable answer: " + c.text(err.Error(), maxMessage), Err: err}
}

// metadataObject checks that metadata is one JSON object before it is sent.
func metadataObject(metadata json.RawMessage) error {
	t := bytes.TrimSpace(metadata)
	if len(t) == 0 || t[0] != '{' || !json.Valid(t) {
		return &Error{Kind: NotSent, Message: "metadata is not a JSON object"}
	}
	return nil
}

// DialectOf is the Dialect that New(o) gives, for when there is no key and
// no connection to make (an offline plan).
func DialectOf(o Options) (Dialect, error) {
	o.Key, o.BaseURL = "none", ""
	api, err := New(o)
	if err != nil {
		return Dialect{}, err
	}
	return api.Dialect(), nil
}

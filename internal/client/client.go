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
	"regexp"
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
	key     string
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
	return &Client{
		base:    base,
		key:     o.Key,
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

// validID is the shape of a membership ID; nothing else may reach a path.
var validID = regexp.MustCompile(`^mem_[A-Za-z0-9]{1,60}$`)

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
	body, _ := json.Marshal(map[string]int{"days": days})
	return c.do(ctx, http.MethodPost, id, "/add_free_days", body, key)
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

func (c *Client) endpoint(id, suffix string) string {
	u := *c.base
	u.Path = c.base.Path + "/memberships/" + url.PathEscape(id) + suffix
	u.RawPath = ""
	return u.String()
}

func (c *Client) do(ctx context.Context, method, id, suffix string, body []byte, key string) (*Membership, error) {
	if !validID.MatchString(id) {
		return nil, &Error{Kind: NotSent, Message: fmt.Sprintf("membership id %q is not of the form mem_...", id)}
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	var wrote atomic.Bool
	ctx = httptrace.WithClientTrace(ctx, &httptrace.ClientTrace{
		WroteHeaders: func() { wrote.Store(true) },
	})
	req, err := http.NewRequestWithContext(ctx, method, c.endpoint(id, suffix), bytes.NewReader(body))
	if err != nil {
		return nil, &Error{Kind: NotSent, Message: "build request", Err: err}
	}
	if body == nil {
		req.Body, req.ContentLength = http.NoBody, 0
	} else {
		req.Header.Set("Content-Type", "application/json")
		// Without GetBody the transport can never send this request a
		// second time by itself (it replays requests carrying an
		// Idempotency-Key when a kept-alive connection breaks). Whether a
		// POST is sent again is the caller's decision alone.
		req.GetBody = nil
	}
	req.Header.Set("Authorization", "Bearer "+c.key)
	req.Header.Set("Accept", "application/json")
	if c.agent != "" {
		req.Header.Set("User-Agent", c.agent)
	}
	if key != "" {
		req.Header.Set("Idempotency-Key", key)
	}
	resp, err := c.http.Do(req)
	if wrote.Load() {
		c.sent.Add(1)
	}
	if err != nil {
		return nil, transportError(err, wrote.Load())
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
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

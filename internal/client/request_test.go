package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"testing/iotest"
)

// refValidID is the definition validID implements.
var refValidID = regexp.MustCompile(`^mem_[A-Za-z0-9]{1,60}$`)

func TestValidID(t *testing.T) {
	for _, tt := range []struct {
		id   string
		want bool
	}{
		{"mem_a", true}, {"mem_8fKq2LxZ0aBcDe", true}, {"mem_" + strings.Repeat("Z9", 30), true},
		{"mem_" + strings.Repeat("a", 61), false}, {"mem_", false}, {"", false}, {"mem", false},
		{"MEM_a", false}, {"mem_a_b", false}, {"mem_a-b", false}, {"mem_a\n", false}, {"\nmem_a", false},
		{"mem_a/../x", false}, {"mem_\u0430bc", false}, {"xmem_a", false}, {"mem_a ", false},
	} {
		if got := validID(tt.id); got != tt.want {
			t.Errorf("validID(%q) = %v, want %v", tt.id, got, tt.want)
		}
		if ref := refValidID.MatchString(tt.id); ref != tt.want {
			t.Errorf("the regexp says %v for %q; the table is wrong", ref, tt.id)
		}
	}
}

func FuzzValidID(f *testing.F) {
	for _, id := range []string{"mem_a", "mem_", "mem_a\n", "mem_" + strings.Repeat("a", 60), "mem_\u0430"} {
		f.Add(id)
	}
	f.Fuzz(func(t *testing.T, id string) {
		if got, want := validID(id), refValidID.MatchString(id); got != want {
			t.Fatalf("validID(%q) = %v, the regexp says %v", id, got, want)
		}
	})
}

// The URL of a request is the one url.URL.String gives for the base URL
// with the endpoint's path appended.
func TestEndpoint(t *testing.T) {
	ref := func(base *url.URL, id, suffix string) string {
		u := *base
		u.Path = base.Path + "/memberships/" + url.PathEscape(id) + suffix
		u.RawPath = ""
		return u.String()
	}
	for _, raw := range []string{
		"https://api.whop.com/api/v2", "https://api.whop.com/api/v2/", "https://api.whop.com",
		"https://api.whop.com/", "HTTPS://API.Whop.com:443/api/v2", "http://127.0.0.1:8080/api/v2",
		"http://[::1]:9/x", "https://api.whop.com/a%2Fb/v 2", "https://api.whop.com/a%20b/c",
		"https://api.whop.com/api/v2?", "https://api.whop.com/api/v2#", "https://api.whop.com/ü/%C3%BC",
		"https://api.whop.com/a;b/c:d/@e", "https://api.whop.com:/api",
	} {
		base, err := CheckBaseURL(raw)
		if err != nil {
			t.Errorf("CheckBaseURL(%q): %v", raw, err)
			continue
		}
		c, err := New(Options{BaseURL: raw, Key: testKey})
		if err != nil {
			t.Fatal(err)
		}
		for _, suffix := range []string{"", "/add_free_days"} {
			for _, id := range []string{"mem_a", "mem_8fKq2LxZ0aBcDe"} {
				if got, want := c.endpoint(id, suffix), ref(base, id, suffix); got != want {
					t.Errorf("base %q: endpoint %q, want %q", raw, got, want)
				}
			}
		}
	}
}

func TestAddFreeDaysBody(t *testing.T) {
	for _, days := range []int{0, 1, 7, 1095, -3, math.MaxInt64, math.MinInt64} {
		want, _ := json.Marshal(map[string]int{"days": days})
		if got := addFreeDaysBody(days); !bytes.Equal(got, want) {
			t.Errorf("addFreeDaysBody(%d) = %s, want %s", days, got, want)
		}
	}
}

// Every request carries exactly the headers it should, each once.
func TestRequestHeaders(t *testing.T) {
	got := make(chan http.Header, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got <- r.Header.Clone()
		w.Write([]byte(`{"id":"mem_a"}`))
	}))
	defer srv.Close()
	ctx := context.Background()
	tests := []struct {
		name  string
		agent string
		call  func(c *Client) error
		want  map[string]string
	}{
		{"get", "bulk/1", func(c *Client) error { _, err := c.Get(ctx, "mem_a"); return err },
			map[string]string{"Authorization": "Bearer " + testKey, "Accept": "application/json", "User-Agent": "bulk/1"}},
		{"get without agent", "", func(c *Client) error { _, err := c.Get(ctx, "mem_a"); return err },
			map[string]string{"Authorization": "Bearer " + testKey, "Accept": "application/json", "User-Agent": "Go-http-client/1.1"}},
		{"add free days", "bulk/1", func(c *Client) error { _, err := c.AddFreeDays(ctx, "mem_a", 7, "k-1"); return err },
			map[string]string{"Authorization": "Bearer " + testKey, "Accept": "application/json", "User-Agent": "bulk/1",
				"Content-Type": "application/json", "Idempotency-Key": "k-1", "Content-Length": "10"}},
		{"update metadata without key", "bulk/1", func(c *Client) error {
			_, err := c.UpdateMetadata(ctx, "mem_a", json.RawMessage(`{"a":"b"}`), "")
			return err
		}, map[string]string{"Authorization": "Bearer " + testKey, "Accept": "application/json", "User-Agent": "bulk/1",
			"Content-Type": "application/json", "Content-Length": "22"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := New(Options{BaseURL: srv.URL, Key: testKey, UserAgent: tt.agent})
			if err != nil {
				t.Fatal(err)
			}
			if err := tt.call(c); err != nil {
				t.Fatal(err)
			}
			h := <-got
			h.Del("Accept-Encoding") // the transport's
			if len(h) != len(tt.want) {
				t.Errorf("headers %v, want %v", h, tt.want)
			}
			for k, v := range tt.want {
				if len(h[k]) != 1 || h[k][0] != v {
					t.Errorf("header %s = %q, want [%q]", k, h[k], v)
				}
			}
		})
	}
}

func TestHeaderValuesAreSeparate(t *testing.T) {
	h := headerValues(make([]string, 0, 4))
	a := h.add("a")
	b := h.add("b")
	a = append(a, "x")
	if len(b) != 1 || b[0] != "b" || len(a) != 2 || a[0] != "a" {
		t.Errorf("a = %q, b = %q", a, b)
	}
}

// readBody reads what io.ReadAll of the body, cut at maxBody+1, reads,
// whether the length is announced truly, wrongly or not at all.
func TestReadBody(t *testing.T) {
	ref := func(body io.Reader) ([]byte, error) { return io.ReadAll(io.LimitReader(body, maxBody+1)) }
	sizes := []int{0, 1, 511, 512, 513, 4096, maxBody - 1, maxBody, maxBody + 1, maxBody + 100}
	for _, size := range sizes {
		data := bytes.Repeat([]byte("0123456789abcdef"), size/16+1)[:size]
		for _, announced := range []int64{-1, 0, int64(size) / 2, int64(size), int64(size) + 1, maxBody, maxBody + 1} {
			for _, chunked := range []bool{false, true} {
				newBody := func() io.Reader {
					if chunked {
						return iotest.HalfReader(bytes.NewReader(data))
					}
					return bytes.NewReader(data)
				}
				got, err := readBody(&http.Response{Body: io.NopCloser(newBody()), ContentLength: announced})
				want, wantErr := ref(newBody())
				if err != nil || wantErr != nil || !bytes.Equal(got, want) {
					t.Fatalf("size %d announced %d: read %d bytes, %v; want %d bytes, %v", size, announced, len(got), err, len(want), wantErr)
				}
			}
		}
	}
	boom := errors.New("boom")
	got, err := readBody(&http.Response{Body: io.NopCloser(io.MultiReader(strings.NewReader("abc"), iotest.ErrReader(boom))), ContentLength: 10})
	if !errors.Is(err, boom) || string(got) != "abc" {
		t.Errorf("failing body: %q, %v", got, err)
	}
}

// An answer larger than maxBody is refused whether or not its length is
// announced.
func TestLargeAnswer(t *testing.T) {
	big := []byte(`{"id":"mem_a","x":"` + strings.Repeat("x", maxBody) + `"}`)
	for _, announce := range []bool{true, false} {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !announce {
				w.(http.Flusher).Flush() // chunked: no Content-Length
			}
			w.Write(big)
		}))
		c, _ := New(Options{BaseURL: srv.URL, Key: testKey})
		_, err := c.Get(context.Background(), "mem_a")
		var e *Error
		if !errors.As(err, &e) || e.Kind != Unknown || e.Message != "answer larger than 1 MiB" {
			t.Errorf("announce %v: %v, want answer larger than 1 MiB", announce, err)
		}
		srv.Close()
	}
}

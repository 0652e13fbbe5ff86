package client_test

// Conformance: every request the client sends and every answer the
// simulator gives must validate against Whop's published contract
// (testdata/openapi/whop-current.openapi.json). A validating middleware
// sits between the client and the simulator and records each exchange
// with its violations.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	verrors "github.com/pb33f/libopenapi-validator/errors"
	"github.com/pb33f/libopenapi-validator/helpers"
	"github.com/pb33f/libopenapi-validator/responses"
	"github.com/pb33f/libopenapi/datamodel/high/base"

	"bulk/internal/client"
	"bulk/internal/whopsim"
)

const (
	specPath       = "../../testdata/openapi/whop-current.openapi.json"
	conformanceKey = "sk_conformance"
	readOnlyKey    = "sk_read_only"
	caseTimeout    = 10 * time.Second
)

// contract is Whop's spec, ready to validate exchanges.
type contract struct {
	v      validator.Validator
	server *url.URL     // the spec's first server, https://api.whop.com/api/v1
	errors *base.Schema // V1ErrorResponse, the error shape of every native operation
}

func loadContract(t *testing.T) *contract {
	t.Helper()
	spec, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := libopenapi.NewDocument(spec)
	if err != nil {
		t.Fatalf("parse %s: %v", specPath, err)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("build model of %s: %v", specPath, err)
	}
	// Strict server matching: a request must be under one of the spec's
	// servers, scheme, host and base path (/api/v1) included. Security
	// validation (the bearer Authorization header) is on by default.
	v, errs := validator.NewValidator(doc, config.WithStrictServerMatching())
	if len(errs) > 0 {
		t.Fatalf("validator for %s: %v", specPath, errs)
	}
	if len(model.Model.Servers) == 0 {
		t.Fatalf("%s declares no servers", specPath)
	}
	server, err := url.Parse(model.Model.Servers[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	errSchema := model.Model.Components.Schemas.GetOrZero("V1ErrorResponse")
	if errSchema == nil {
		t.Fatalf("%s has no V1ErrorResponse schema", specPath)
	}
	return &contract{v: v, server: server, errors: errSchema.Schema()}
}

// exchange is one request and its answer as they crossed the middleware.
type exchange struct {
	call       string // "GET /api/v1/memberships/mem_x"
	status     int
	version    string   // Api-Version-Date as sent; "" when absent
	undeclared bool     // the operation does not declare this status
	request    []string // violations of the request
	response   []string // violations of the answer
}

// validating is the middleware: it passes each request to next, records
// the answer, validates both against the contract and logs the exchange.
type validating struct {
	c    *contract
	next http.Handler

	mu  sync.Mutex // validations run one at a time; guards log
	log []exchange
}

func (p *validating) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := httptest.NewRecorder()
	p.next.ServeHTTP(rec, r)

	ex := exchange{call: r.Method + " " + r.URL.RequestURI(), status: rec.Code, version: r.Header.Get("Api-Version-Date")}
	p.mu.Lock()
	if _, errs := p.c.v.ValidateHttpRequest(p.c.asSent(r, body)); len(errs) > 0 {
		ex.request = describe(errs)
	}
	ex.undeclared, ex.response = p.c.checkAnswer(p.c.asSent(r, body), rec)
	p.log = append(p.log, ex)
	p.mu.Unlock()

	for k, vs := range rec.Header() {
		w.Header()[k] = vs
	}
	w.WriteHeader(rec.Code)
	w.Write(rec.Body.Bytes())
}

func (p *validating) exchanges() []exchange {
	p.mu.Lock()
	defer p.mu.Unlock()
	return slices.Clone(p.log)
}

// asSent is r as it would have been sent to the spec's server: the
// loopback scheme and host become https://api.whop.com, the path
// (/api/v1/...) stays, so the base path is checked, not assumed.
func (c *contract) asSent(r *http.Request, body []byte) *http.Request {
	u := *r.URL
	u.Scheme, u.Host = c.server.Scheme, c.server.Host
	out := r.Clone(context.Background())
	out.URL, out.Host, out.RequestURI = &u, c.server.Host, ""
	out.Body = io.NopCloser(bytes.NewReader(body))
	out.ContentLength = int64(len(body))
	return out
}

// checkAnswer validates the recorded answer to r. A status the operation
// does not declare (Whop's docs list 401, 404, 409, 422 and 429 for the
// Current API, but the extract's operations declare only some of them) is
// reported as undeclared, and its body is validated against
// V1ErrorResponse, the schema every declared error of these operations
// uses, instead of being left unchecked.
func (c *contract) checkAnswer(r *http.Request, rec *httptest.ResponseRecorder) (undeclared bool, violations []string) {
	answer := func() *http.Response {
		return &http.Response{StatusCode: rec.Code, Header: rec.Header().Clone(), Request: r,
			Body: io.NopCloser(bytes.NewReader(rec.Body.Bytes()))}
	}
	_, errs := c.v.ValidateHttpResponse(r, answer())
	errs = slices.DeleteFunc(errs, func(e *verrors.ValidationError) bool {
		if e.ValidationSubType == helpers.ResponseBodyResponseCode {
			undeclared = true
			return true
		}
		return false
	})
	if undeclared {
		_, more := responses.ValidateResponseSchema(&responses.ValidateResponseSchemaInput{
			Request: r, Response: answer(), Schema: c.errors, Version: 3.1,
		})
		errs = append(errs, more...)
	}
	return undeclared, describe(errs)
}

// describe words validation errors one line each, with every schema
// failure under them.
func describe(errs []*verrors.ValidationError) []string {
	var out []string
	for _, e := range errs {
		s := e.Message
		if e.Reason != "" {
			s += ": " + e.Reason
		}
		for _, f := range e.SchemaValidationErrors {
			s += fmt.Sprintf("; %s at %s", f.Reason, f.FieldPath)
		}
		out = append(out, s)
	}
	return out
}

// env is what a case drives: a client to the validating middleware in
// front of a simulator.
type env struct {
	ctx  context.Context
	sim  *whopsim.Server
	url  string // the middleware's base URL, .../api/v1
	opts client.Options
	api  client.API
}

// clientWith is another client to the same middleware, o changing the options.
func (e env) clientWith(t *testing.T, o func(*client.Options)) client.API {
	t.Helper()
	opts := e.opts
	o(&opts)
	api, err := client.New(opts)
	if err != nil {
		t.Fatal(err)
	}
	return api
}

// raw sends a request the client would not send, with exactly the
// headers given, and returns the answer's status.
func (e env) raw(t *testing.T, method, path, body string, header map[string]string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(e.ctx, method, e.url+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// want is what one exchange should look like.
type want struct {
	status     int
	undeclared bool     // the contract does not declare this status for the operation
	request    []string // violations expected of a request deliberately outside the contract (substrings)
}

// kindOf is err's client.Kind, 0 when err is nil or not a *client.Error.
func kindOf(err error) client.Kind {
	if e, ok := err.(*client.Error); ok {
		return e.Kind
	}
	return 0
}

func TestConformance(t *testing.T) {
	c := loadContract(t)
	tests := []struct {
		name string
		sim  func(*whopsim.Config) // changes to the simulator's config; nil for none
		run  func(*testing.T, env)
		want []want
	}{
		{
			name: "get",
			run: func(t *testing.T, e env) {
				m, err := e.api.Get(e.ctx, "mem_conform1")
				if err != nil || m.ID != "mem_conform1" {
					t.Errorf("Get = %+v, %v; want mem_conform1", m, err)
				}
			},
			want: []want{{status: 200}},
		},
		{
			name: "extend",
			run: func(t *testing.T, e env) {
				if _, err := e.api.Extend(e.ctx, "mem_conform2", 7, "conformance-extend-1"); err != nil {
					t.Errorf("Extend: %v", err)
				}
			},
			want: []want{{status: 200}},
		},
		{
			name: "update metadata: merge, then clear with {}",
			run: func(t *testing.T, e env) {
				for _, md := range []string{`{"seat":"42","campaign":"spring"}`, `{}`} {
					if _, err := e.api.UpdateMetadata(e.ctx, "mem_conform3", json.RawMessage(md), ""); err != nil {
						t.Errorf("UpdateMetadata(%s): %v", md, err)
					}
				}
			},
			want: []want{{status: 200}, {status: 200}},
		},
		{
			name: "list with filters, two pages by cursor",
			run: func(t *testing.T, e env) {
				created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
				for i := range 101 {
					e.sim.Put(whopsim.Membership{ID: fmt.Sprintf("mem_list%03d", i), Status: whopsim.StatusActive,
						ProductID: "prod_conform", PlanID: "plan_conform", CreatedAt: created.Unix() + int64(i)})
				}
				after, before := created.Add(-time.Hour), created.Add(24*time.Hour)
				f := client.ListFilter{ProductIDs: []string{"prod_conform"}, PlanIDs: []string{"plan_conform"},
					Status: "active", CreatedAfter: &after, CreatedBefore: &before}
				p1, err := e.api.List(e.ctx, f, "")
				if err != nil || len(p1.Memberships) != 100 || p1.Next == "" {
					t.Fatalf("List page 1 = %d memberships, next %q, %v; want 100 and a cursor", len(p1.Memberships), p1.Next, err)
				}
				p2, err := e.api.List(e.ctx, f, p1.Next)
				if err != nil || len(p2.Memberships) != 1 || p2.Next != "" {
					t.Errorf("List page 2 = %d memberships, next %q, %v; want 1 and no cursor", len(p2.Memberships), p2.Next, err)
				}
				// Several products and plans go as product_ids[] and plan_ids[].
				f.ProductIDs, f.PlanIDs = []string{"prod_conform", "prod_other"}, []string{"plan_conform", "plan_other"}
				if _, err := e.api.List(e.ctx, f, ""); err != nil {
					t.Errorf("List with several products: %v", err)
				}
			},
			want: []want{{status: 200}, {status: 200}, {status: 200}},
		},
		{
			name: "404 unknown membership",
			run: func(t *testing.T, e env) {
				_, err := e.api.Get(e.ctx, "mem_missing1")
				_, err2 := e.api.Extend(e.ctx, "mem_missing2", 3, "conformance-missing")
				_, err3 := e.api.UpdateMetadata(e.ctx, "mem_missing3", json.RawMessage(`{"a":"b"}`), "")
				for _, err := range []error{err, err2, err3} {
					if kindOf(err) != client.Permanent {
						t.Errorf("err = %v, want a refusal", err)
					}
				}
			},
			// Extend and update do not declare 404 in the extract.
			want: []want{{status: 404}, {status: 404, undeclared: true}, {status: 404, undeclared: true}},
		},
		{
			name: "422 extending a lifetime membership",
			run: func(t *testing.T, e env) {
				if _, err := e.api.Extend(e.ctx, "mem_lifetime1", 7, "conformance-lifetime"); kindOf(err) != client.Permanent {
					t.Errorf("Extend lifetime: err = %v, want a refusal", err)
				}
			},
			want: []want{{status: 422, undeclared: true}},
		},
		{
			name: "400 bad days",
			run: func(t *testing.T, e env) {
				// 1096 is within the schema (no maximum declared, only
				// "1-1095" in the description) but refused by the API.
				if _, err := e.api.Extend(e.ctx, "mem_conform4", 1096, "conformance-days-high"); kindOf(err) != client.Permanent {
					t.Errorf("Extend 1096 days: err = %v, want a refusal", err)
				}
				// 0 breaks the schema's minimum: the client sends what it
				// is given (the engine checks days first), and the
				// contract check must catch it.
				if _, err := e.api.Extend(e.ctx, "mem_conform4", 0, "conformance-days-zero"); kindOf(err) != client.Permanent {
					t.Errorf("Extend 0 days: err = %v, want a refusal", err)
				}
			},
			want: []want{{status: 400}, {status: 400, request: []string{"minimum"}}},
		},
		{
			name: "401 wrong key",
			run: func(t *testing.T, e env) {
				api := e.clientWith(t, func(o *client.Options) { o.Key = "sk_wrong" })
				if _, err := api.List(e.ctx, client.ListFilter{}, ""); kindOf(err) != client.Fatal {
					t.Errorf("List: err = %v, want fatal", err)
				}
				if _, err := api.Get(e.ctx, "mem_conform5"); kindOf(err) != client.Fatal {
					t.Errorf("Get: err = %v, want fatal", err)
				}
			},
			want: []want{{status: 401}, {status: 401, undeclared: true}},
		},
		{
			name: "401 no Authorization header (raw request)",
			run: func(t *testing.T, e env) {
				e.raw(t, "GET", "/memberships", "", map[string]string{"Api-Version-Date": client.DefaultVersion})
			},
			want: []want{{status: 401, request: []string{"Authorization header"}}},
		},
		{
			name: "403 read-only key",
			run: func(t *testing.T, e env) {
				api := e.clientWith(t, func(o *client.Options) { o.Key = readOnlyKey })
				if _, err := api.Extend(e.ctx, "mem_conform6", 7, "conformance-ro"); kindOf(err) != client.Fatal {
					t.Errorf("Extend: err = %v, want fatal", err)
				}
				if _, err := api.UpdateMetadata(e.ctx, "mem_conform6", json.RawMessage(`{"a":"b"}`), ""); kindOf(err) != client.Fatal {
					t.Errorf("UpdateMetadata: err = %v, want fatal", err)
				}
			},
			want: []want{{status: 403}, {status: 403}},
		},
		{
			name: "429 over a tiny limit",
			sim:  func(c *whopsim.Config) { c.NoLimit, c.Limit, c.Window = false, 1, time.Hour },
			run: func(t *testing.T, e env) {
				e.api.Get(e.ctx, "mem_conform7")
				if _, err := e.api.Get(e.ctx, "mem_conform7"); kindOf(err) != client.RateLimited {
					t.Errorf("second Get: err = %v, want rate limited", err)
				}
			},
			want: []want{{status: 200}, {status: 429, undeclared: true}},
		},
		{
			name: "409 same Idempotency-Key still in progress",
			sim:  func(c *whopsim.Config) { c.Latency = time.Second },
			run: func(t *testing.T, e env) {
				first := make(chan error, 1)
				go func() {
					_, err := e.api.Extend(e.ctx, "mem_conform8", 7, "conformance-409")
					first <- err
				}()
				// The second is sent once the first has arrived and holds the key.
				for len(e.sim.Requests()) == 0 {
					select {
					case <-e.ctx.Done():
						t.Fatal("the first extend never arrived")
					case <-time.After(5 * time.Millisecond):
					}
				}
				time.Sleep(100 * time.Millisecond)
				if _, err := e.api.Extend(e.ctx, "mem_conform8", 7, "conformance-409"); kindOf(err) != client.Unknown {
					t.Errorf("second Extend: err = %v, want outcome unknown (in progress)", err)
				}
				if err := <-first; err != nil {
					t.Errorf("first Extend: %v", err)
				}
			},
			// The middleware logs an exchange when its answer is ready;
			// the 409 waits out the latency too, so it comes second.
			want: []want{{status: 200}, {status: 409}},
		},
		{
			name: "400 unsupported Api-Version-Date",
			run: func(t *testing.T, e env) {
				api := e.clientWith(t, func(o *client.Options) { o.Version = "2020-01-01" })
				if _, err := api.List(e.ctx, client.ListFilter{}, ""); kindOf(err) != client.BadVersion {
					t.Errorf("List: err = %v, want unsupported version", err)
				}
				if _, err := api.Get(e.ctx, "mem_conform9"); kindOf(err) != client.BadVersion {
					t.Errorf("Get: err = %v, want unsupported version", err)
				}
			},
			want: []want{{status: 400}, {status: 400, undeclared: true}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), caseTimeout)
			defer cancel()
			cfg := whopsim.Config{Key: conformanceKey, ReadOnlyKey: readOnlyKey, AutoCreate: true, NoLimit: true}
			if tt.sim != nil {
				tt.sim(&cfg)
			}
			sim := whopsim.New(cfg)
			mw := &validating{c: c, next: sim}
			srv := httptest.NewServer(mw) // loopback only
			defer srv.Close()
			opts := client.Options{API: "current", BaseURL: srv.URL + "/api/v1", Key: conformanceKey, Timeout: caseTimeout / 2}
			api, err := client.New(opts)
			if err != nil {
				t.Fatal(err)
			}
			tt.run(t, env{ctx: ctx, sim: sim, url: srv.URL + "/api/v1", opts: opts, api: api})
			checkExchanges(t, mw.exchanges(), tt.want)
		})
	}
}

// checkExchanges compares the exchanges with what was wanted, listing
// every violation that was not.
func checkExchanges(t *testing.T, got []exchange, want []want) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%d exchanges, want %d:", len(got), len(want))
		for _, ex := range got {
			t.Errorf("  %s -> %d", ex.call, ex.status)
		}
	}
	for i, ex := range got {
		if ex.version == "" {
			t.Errorf("%s: no Api-Version-Date", ex.call)
		}
		for _, v := range ex.response {
			t.Errorf("%s -> %d: answer violates the contract: %s", ex.call, ex.status, v)
		}
		if i >= len(want) {
			continue
		}
		w := want[i]
		if ex.status != w.status || ex.undeclared != w.undeclared {
			t.Errorf("%s: status %d (undeclared %v), want %d (undeclared %v)", ex.call, ex.status, ex.undeclared, w.status, w.undeclared)
		}
		for _, v := range ex.request {
			if !slices.ContainsFunc(w.request, func(s string) bool { return strings.Contains(v, s) }) {
				t.Errorf("%s: request violates the contract: %s", ex.call, v)
			}
		}
		for _, s := range w.request {
			if !slices.ContainsFunc(ex.request, func(v string) bool { return strings.Contains(v, s) }) {
				t.Errorf("%s: request violations %q, want one mentioning %q", ex.call, ex.request, s)
			}
		}
	}
}

// TestValidatingMiddlewareCatches shows the middleware failing on what
// breaks the contract, with a stand-in for the simulator that answers
// badly and raw requests the client would not send.
func TestValidatingMiddlewareCatches(t *testing.T) {
	c := loadContract(t)
	good := `{"id":"mem_x","status":"active","user_id":null,"product_id":"prod_x","plan_id":"plan_x",
		"license_key":null,"phone_number":null,"cancel_at_period_end":false,"current_period_start":null,
		"current_period_end":null,"canceled_at":null,"cancellation_reason":null,"manage_url":null,
		"metadata":{},"created_at":"2026-01-01T12:00:00.000Z","member":null,
		"account":{"id":"biz_x","title":"X","route":"x","logo_url":null}}`
	auth := map[string]string{"Authorization": "Bearer " + conformanceKey, "Api-Version-Date": client.DefaultVersion}
	tests := []struct {
		name         string
		method, path string // path under the base URL, /api/v1
		body         string
		header       map[string]string
		status       int    // the stand-in's answer
		answer       string // the stand-in's body
		wantRequest  string // a request violation mentioning this; "" for none
		wantResponse string // an answer violation mentioning this; "" for none
	}{
		{name: "a valid exchange passes", method: "GET", path: "/memberships/mem_x", header: auth,
			status: 200, answer: good},
		{name: "a status outside the enum", method: "GET", path: "/memberships/mem_x", header: auth,
			status: 200, answer: strings.Replace(good, `"active"`, `"paused"`, 1), wantResponse: "status"},
		{name: "a required field missing", method: "GET", path: "/memberships/mem_x", header: auth,
			status: 200, answer: strings.Replace(good, `"cancel_at_period_end":false,`, "", 1), wantResponse: "cancel_at_period_end"},
		{name: "a Unix timestamp where ISO 8601 is due", method: "GET", path: "/memberships/mem_x", header: auth,
			status: 200, answer: strings.Replace(good, `"2026-01-01T12:00:00.000Z"`, `1767268800`, 1), wantResponse: "created_at"},
		{name: "an error without a message", method: "GET", path: "/memberships/mem_x", header: auth,
			status: 404, answer: `{"error":{"type":"not_found"}}`, wantResponse: "message"},
		{name: "an undeclared status with the wrong error shape", method: "GET", path: "/memberships/mem_x", header: auth,
			status: 429, answer: `{"status":429,"message":"slow down"}`, wantResponse: "error"},
		{name: "a listing without page_info", method: "GET", path: "/memberships", header: auth,
			status: 200, answer: `{"data":[]}`, wantResponse: "page_info"},
		{name: "days as a string", method: "POST", path: "/memberships/mem_x/extend", body: `{"days":"7"}`,
			header: map[string]string{"Authorization": auth["Authorization"], "Content-Type": "application/json"},
			status: 200, answer: good, wantRequest: "days"},
		{name: "a first over 100", method: "GET", path: "/memberships?first=500", header: auth,
			status: 200, answer: `{"data":[],"page_info":{"end_cursor":null,"start_cursor":null,"has_next_page":false,"has_previous_page":false}}`,
			wantRequest: "first"},
		{name: "a route the contract does not have", method: "POST", path: "/memberships/mem_x/add_free_days", body: `{"days":7}`,
			header: map[string]string{"Authorization": auth["Authorization"], "Content-Type": "application/json"},
			status: 200, answer: good, wantRequest: "not found", wantResponse: "not found"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), caseTimeout)
			defer cancel()
			standIn := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.WriteHeader(tt.status)
				io.WriteString(w, tt.answer)
			})
			mw := &validating{c: c, next: standIn}
			srv := httptest.NewServer(mw)
			defer srv.Close()
			e := env{ctx: ctx, url: srv.URL + "/api/v1"}
			e.raw(t, tt.method, tt.path, tt.body, tt.header)
			got := mw.exchanges()
			if len(got) != 1 {
				t.Fatalf("%d exchanges, want 1", len(got))
			}
			for _, c := range []struct {
				side       string
				violations []string
				want       string
			}{{"request", got[0].request, tt.wantRequest}, {"answer", got[0].response, tt.wantResponse}} {
				switch found := slices.ContainsFunc(c.violations, func(v string) bool { return strings.Contains(v, c.want) }); {
				case c.want == "" && len(c.violations) > 0:
					t.Errorf("%s violations %q, want none", c.side, c.violations)
				case c.want != "" && !found:
					t.Errorf("%s violations %q, want one mentioning %q", c.side, c.violations, c.want)
				}
			}
		})
	}
}

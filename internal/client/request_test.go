package client

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// Each dialect sends each operation with its method, path, query, body and
// exactly its headers: Api-Version-Date on every Current request (listing
// too) and never on v2; Idempotency-Key on POSTs, never on the PATCH.
func TestRequests(t *testing.T) {
	const auth, accept, agent, ctype = "Bearer " + testKey, "application/json", "bulk/test", "application/json"
	md := json.RawMessage(`{"comp": "nov", "html": "<b>"}`)
	tests := []struct {
		api, name  string
		call       func(ctx context.Context, c API) error
		method     string
		path       string
		query      string
		body       string
		wantHeader map[string]string
	}{
		{"current", "get", func(ctx context.Context, c API) error { _, err := c.Get(ctx, "mem_a"); return err },
			"GET", "/api/v1/memberships/mem_a", "", "",
			map[string]string{"Authorization": auth, "Accept": accept, "User-Agent": agent, "Api-Version-Date": DefaultVersion}},
		{"current", "extend", func(ctx context.Context, c API) error { _, err := c.Extend(ctx, "mem_a", 7, "k-1"); return err },
			"POST", "/api/v1/memberships/mem_a/extend", "", `{"days":7}`,
			map[string]string{"Authorization": auth, "Accept": accept, "User-Agent": agent, "Api-Version-Date": DefaultVersion,
				"Content-Type": ctype, "Idempotency-Key": "k-1"}},
		{"current", "extend without key", func(ctx context.Context, c API) error { _, err := c.Extend(ctx, "mem_a", 1095, ""); return err },
			"POST", "/api/v1/memberships/mem_a/extend", "", `{"days":1095}`,
			map[string]string{"Authorization": auth, "Accept": accept, "User-Agent": agent, "Api-Version-Date": DefaultVersion,
				"Content-Type": ctype}},
		{"current", "update metadata", func(ctx context.Context, c API) error {
			_, err := c.UpdateMetadata(ctx, "mem_a", md, "k-2")
			return err
		}, "PATCH", "/api/v1/memberships/mem_a", "", `{"metadata":{"comp":"nov","html":"<b>"}}`,
			map[string]string{"Authorization": auth, "Accept": accept, "User-Agent": agent, "Api-Version-Date": DefaultVersion,
				"Content-Type": ctype}},
		{"current", "list", func(ctx context.Context, c API) error { _, err := c.List(ctx, ListFilter{}, ""); return err },
			"GET", "/api/v1/memberships", "first=100", "",
			map[string]string{"Authorization": auth, "Accept": accept, "User-Agent": agent, "Api-Version-Date": DefaultVersion}},
		{"v2", "get", func(ctx context.Context, c API) error { _, err := c.Get(ctx, "mem_a"); return err },
			"GET", "/api/v2/memberships/mem_a", "", "",
			map[string]string{"Authorization": auth, "Accept": accept, "User-Agent": agent}},
		{"v2", "add free days", func(ctx context.Context, c API) error { _, err := c.Extend(ctx, "mem_a", 7, "k-1"); return err },
			"POST", "/api/v2/memberships/mem_a/add_free_days", "", `{"days":7}`,
			map[string]string{"Authorization": auth, "Accept": accept, "User-Agent": agent, "Content-Type": ctype, "Idempotency-Key": "k-1"}},
		{"v2", "update metadata", func(ctx context.Context, c API) error {
			_, err := c.UpdateMetadata(ctx, "mem_a", md, "k-2")
			return err
		}, "POST", "/api/v2/memberships/mem_a", "", `{"metadata":{"comp":"nov","html":"<b>"}}`,
			map[string]string{"Authorization": auth, "Accept": accept, "User-Agent": agent, "Content-Type": ctype, "Idempotency-Key": "k-2"}},
	}
	for _, tt := range tests {
		t.Run(tt.api+" "+tt.name, func(t *testing.T) {
			answer := `{"id":"mem_a"}`
			if tt.name == "list" {
				answer = `{"data":[],"page_info":{"end_cursor":null,"has_next_page":false}}`
			}
			rec, base := newAPI(t, reply(200, answer))
			c := newClient(t, tt.api, base+"/api/"+map[string]string{"current": "v1", "v2": "v2"}[tt.api])
			if err := tt.call(testCtx(t), c); err != nil {
				t.Fatal(err)
			}
			reqs := rec.all()
			if len(reqs) != 1 {
				t.Fatalf("the server saw %d requests, want 1", len(reqs))
			}
			r := reqs[0]
			if r.Method != tt.method || r.Path != tt.path || r.RawQuery != tt.query || r.Body != tt.body {
				t.Errorf("got %s %s?%s %s, want %s %s?%s %s", r.Method, r.Path, r.RawQuery, r.Body, tt.method, tt.path, tt.query, tt.body)
			}
			h := r.Header
			h.Del("Accept-Encoding") // the transport's
			h.Del("Content-Length")
			if len(h) != len(tt.wantHeader) {
				t.Errorf("headers %v, want %v", h, tt.wantHeader)
			}
			for k, v := range tt.wantHeader {
				if len(h[k]) != 1 || h[k][0] != v {
					t.Errorf("header %s = %q, want [%q]", k, h[k], v)
				}
			}
		})
	}
}

// The Current API's list query: one product or plan by name, several as
// repeated name[]; times in ISO 8601 UTC; the cursor when there is one.
func TestListQuery(t *testing.T) {
	after := time.Date(2026, 1, 2, 3, 4, 5, 0, time.FixedZone("CET", 3600))
	before := time.Date(2026, 2, 1, 0, 0, 0, 500_000_000, time.UTC)
	tests := []struct {
		name   string
		f      ListFilter
		cursor string
		want   url.Values
	}{
		{"nothing", ListFilter{}, "", url.Values{"first": {"100"}}},
		{"cursor", ListFilter{}, "WyJjIiwxXQ==", url.Values{"first": {"100"}, "after": {"WyJjIiwxXQ=="}}},
		{"one product, one plan", ListFilter{ProductIDs: []string{"prod_1"}, PlanIDs: []string{"plan_1"}}, "",
			url.Values{"first": {"100"}, "product_id": {"prod_1"}, "plan_id": {"plan_1"}}},
		{"several", ListFilter{ProductIDs: []string{"prod_1", "prod_2"}, PlanIDs: []string{"plan_1", "plan_2", "plan_3"}}, "",
			url.Values{"first": {"100"}, "product_ids[]": {"prod_1", "prod_2"}, "plan_ids[]": {"plan_1", "plan_2", "plan_3"}}},
		{"status and dates", ListFilter{Status: "active", CreatedAfter: &after, CreatedBefore: &before}, "c",
			url.Values{"first": {"100"}, "after": {"c"}, "status": {"active"},
				"created_after": {"2026-01-02T02:04:05Z"}, "created_before": {"2026-02-01T00:00:00.5Z"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, base := newAPI(t, reply(200, `{"data":[],"page_info":{"end_cursor":null,"has_next_page":false}}`))
			c := newClient(t, "current", base)
			if _, err := c.List(testCtx(t), tt.f, tt.cursor); err != nil {
				t.Fatal(err)
			}
			got, err := url.ParseQuery(rec.all()[0].RawQuery)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("query %v, want %v", got, tt.want)
			}
		})
	}
}

// Listing page by page follows end_cursor until has_next_page is false.
func TestListPagination(t *testing.T) {
	pages := map[string]string{
		"": `{"data":[{"id":"mem_a","status":"active","product_id":"prod_1","plan_id":"plan_1","user_id":"user_1",
			"current_period_end":"2026-01-01T12:00:00.000Z","created_at":"2025-06-01T08:30:00Z","account":{"id":"biz_1"}},
			{"id":"mem_b","status":"canceled","current_period_end":null,"user_id":null}],
			"page_info":{"end_cursor":"c1","start_cursor":"c0","has_next_page":true,"has_previous_page":false}}`,
		"c1": `{"data":[{"id":"mem_c","status":"trialing"}],
			"page_info":{"end_cursor":"c2","start_cursor":"c2","has_next_page":false,"has_previous_page":true}}`,
	}
	rec, base := newAPI(t, func(w http.ResponseWriter, r *http.Request) {
		reply(200, pages[r.URL.Query().Get("after")])(w, r)
	})
	c := newClient(t, "current", base)
	var ids []string
	var first Membership
	cursor := ""
	for range 5 {
		p, err := c.List(testCtx(t), ListFilter{}, cursor)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range p.Memberships {
			ids = append(ids, m.ID)
		}
		if cursor == "" {
			first = p.Memberships[0]
		}
		if cursor = p.Next; cursor == "" {
			break
		}
	}
	if want := []string{"mem_a", "mem_b", "mem_c"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("listed %v, want %v", ids, want)
	}
	want := Membership{ID: "mem_a", Status: "active", Account: "biz_1", PeriodEnd: i64(1767268800), HTTPStatus: 200,
		ProductID: "prod_1", PlanID: "plan_1", UserID: "user_1", CreatedAt: i64(1748766600)}
	if !reflect.DeepEqual(first, want) {
		t.Errorf("first listed %s, want %s", describe(&first), describe(&want))
	}
	if n := len(rec.all()); n != 2 {
		t.Errorf("%d requests, want 2", n)
	}
	if got := c.Sent()[OpList]; got != 2 {
		t.Errorf("Sent()[list] = %d, want 2", got)
	}
}

// A listing that cannot be trusted is an error, not a short list.
func TestListBadPages(t *testing.T) {
	tests := []struct {
		name, body string
	}{
		{"next page without a cursor", `{"data":[],"page_info":{"end_cursor":null,"has_next_page":true}}`},
		{"next page with the same cursor", `{"data":[],"page_info":{"end_cursor":"c1","has_next_page":true}}`},
		{"no data", `{"page_info":{"end_cursor":null,"has_next_page":false}}`},
		{"not a listing", `{"id":"mem_a"}`},
		{"a membership without id", `{"data":[{"status":"active"}],"page_info":{"has_next_page":false}}`},
		{"a bad date", `{"data":[{"id":"mem_a","created_at":"yesterday"}],"page_info":{"has_next_page":false}}`},
		{"not JSON", `<html>`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, base := newAPI(t, reply(200, tt.body))
			c := newClient(t, "current", base)
			_, err := c.List(testCtx(t), ListFilter{}, "c1")
			if e := asError(t, err); e.Kind != Unknown || e.Status != 200 {
				t.Errorf("%v (kind %v), want Unknown", err, e.Kind)
			}
		})
	}
}

// v2 lists by page number, 50 a page, and filters on this side what its
// query cannot say.
func TestV2List(t *testing.T) {
	page := func(current, total int, members ...string) string {
		return fmt.Sprintf(`{"pagination":{"current_page":%d,"total_page":%d,"total_count":99},"data":[%s]}`,
			current, total, strings.Join(members, ","))
	}
	mem := func(id, status, product, plan string, created int64) string {
		return fmt.Sprintf(`{"id":%q,"status":%q,"product":%q,"plan":%q,"user":"user_1","created_at":%d,"expires_at":null,"renewal_period_end":1800000000,"metadata":{}}`,
			id, status, product, plan, created)
	}
	all := []string{
		mem("mem_a", "active", "prod_1", "plan_1", 100),
		mem("mem_b", "canceled", "prod_2", "plan_2", 200),
		mem("mem_c", "active", "prod_3", "plan_1", 300),
	}
	at := func(sec int64) *time.Time { t := time.Unix(sec, 0); return &t }
	tests := []struct {
		name      string
		f         ListFilter
		after     string
		body      string
		wantQuery string
		wantIDs   []string
		wantNext  string
	}{
		{"first page", ListFilter{}, "", page(1, 3, all...), "page=1&per=50", []string{"mem_a", "mem_b", "mem_c"}, "2"},
		{"last page", ListFilter{}, "3", page(3, 3, all[0]), "page=3&per=50", []string{"mem_a"}, ""},
		{"empty page past the end", ListFilter{}, "2", page(2, 5), "page=2&per=50", nil, ""},
		{"one product, one plan, status by the server", ListFilter{ProductIDs: []string{"prod_1"}, PlanIDs: []string{"plan_1"}, Status: "active"}, "",
			page(1, 1, all[0]), "page=1&per=50&plan_id=plan_1&product_id=prod_1&status=active", []string{"mem_a"}, ""},
		{"several products here", ListFilter{ProductIDs: []string{"prod_1", "prod_3"}}, "", page(1, 2, all...), "page=1&per=50",
			[]string{"mem_a", "mem_c"}, "2"},
		{"several plans here", ListFilter{PlanIDs: []string{"plan_2", "plan_9"}}, "", page(1, 1, all...), "page=1&per=50", []string{"mem_b"}, ""},
		{"created dates here", ListFilter{CreatedAfter: at(100), CreatedBefore: at(300)}, "", page(1, 1, all...), "page=1&per=50", []string{"mem_b"}, ""},
		{"a status v2 lacks", ListFilter{Status: "paused"}, "", page(1, 2, all...), "page=1&per=50", nil, "2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec, base := newAPI(t, reply(200, tt.body))
			c := newClient(t, "v2", base)
			p, err := c.List(testCtx(t), tt.f, tt.after)
			if err != nil {
				t.Fatal(err)
			}
			reqs := rec.all()
			if len(reqs) != 1 || reqs[0].Path != "/memberships" || reqs[0].RawQuery != tt.wantQuery {
				t.Fatalf("requests %v, want one GET /memberships?%s", reqs, tt.wantQuery)
			}
			var ids []string
			for _, m := range p.Memberships {
				ids = append(ids, m.ID)
				if m.UserID != "user_1" || m.ProductID == "" || m.PlanID == "" || m.CreatedAt == nil || m.PeriodEnd == nil {
					t.Errorf("%+v: informational fields missing", m)
				}
			}
			if !slices.Equal(ids, tt.wantIDs) || p.Next != tt.wantNext {
				t.Errorf("got %v next %q, want %v next %q", ids, p.Next, tt.wantIDs, tt.wantNext)
			}
		})
	}
}

// A request's URL is the base URL with the membership's path below it,
// whatever the base URL's own path looks like.
func TestURL(t *testing.T) {
	tests := []struct {
		base string
		r    call
		want string
	}{
		{"https://api.whop.com/api/v1", call{op: OpRead, id: "mem_a"}, "https://api.whop.com/api/v1/memberships/mem_a"},
		{"https://api.whop.com/api/v1/", call{op: OpExtend, id: "mem_a", suffix: "extend"}, "https://api.whop.com/api/v1/memberships/mem_a/extend"},
		{"https://api.whop.com", call{op: OpRead, id: "mem_a"}, "https://api.whop.com/memberships/mem_a"},
		{"https://api.whop.com/api/v2?", call{op: OpRead, id: "mem_a"}, "https://api.whop.com/api/v2/memberships/mem_a"},
		{"https://api.whop.com/a%2Fb/v%201", call{op: OpRead, id: "mem_a"}, "https://api.whop.com/a%2Fb/v%201/memberships/mem_a"},
		{"http://[::1]:8080/api/v1", call{op: OpList, query: url.Values{"first": {"100"}, "product_ids[]": {"p1", "p2"}}},
			"http://[::1]:8080/api/v1/memberships?first=100&product_ids%5B%5D=p1&product_ids%5B%5D=p2"},
	}
	for _, tt := range tests {
		c, err := New(Options{BaseURL: tt.base, Key: testKey})
		if err != nil {
			t.Fatalf("%s: %v", tt.base, err)
		}
		if got := connOf(c).url(tt.r); got != tt.want {
			t.Errorf("base %s: %s, want %s", tt.base, got, tt.want)
		}
	}
}

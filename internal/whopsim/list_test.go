package whopsim

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
)

// listFixtures puts n memberships mem_00.. created a day apart (mem_00
// first), alternating products and statuses.
func listFixtures(s *Server, n int) {
	for i := range n {
		status, product := "active", "prod_a"
		if i%2 == 1 {
			product = "prod_b"
		}
		if i%3 == 2 {
			status = "canceled"
		}
		s.Put(Membership{ID: fmt.Sprintf("mem_%02d", i), Status: status, PeriodEnd: ptr(onceEnd),
			CreatedAt: renewStart + int64(i)*day, ProductID: product, PlanID: "plan_" + product[5:], AccountID: "biz_1", UserID: "user_1"})
	}
}

// list GETs one page and returns its ids.
func (h *harness) list(query string) ([]string, listPage, answer) {
	h.t.Helper()
	got := h.send("GET", "/memberships?"+query, "", nil)
	if got.status != 200 {
		return nil, listPage{}, got
	}
	page := decode[listPage](h.t, got.body)
	var ids []string
	for _, m := range page.Data {
		ids = append(ids, m.ID)
	}
	return ids, page, got
}

func TestListFilters(t *testing.T) {
	day3 := url.QueryEscape(isoOf(renewStart + 3*day))
	day6 := url.QueryEscape(isoOf(renewStart + 6*day))
	tests := []struct {
		name  string
		query string
		want  []string
	}{
		{"default: newest first", "", []string{"mem_07", "mem_06", "mem_05", "mem_04", "mem_03", "mem_02", "mem_01", "mem_00"}},
		{"asc", "direction=asc&order=created_at", []string{"mem_00", "mem_01", "mem_02", "mem_03", "mem_04", "mem_05", "mem_06", "mem_07"}},
		{"status", "status=canceled", []string{"mem_05", "mem_02"}},
		{"status not modelled", "status=paused", nil},
		{"product", "product_id=prod_b", []string{"mem_07", "mem_05", "mem_03", "mem_01"}},
		{"products", "product_ids[]=prod_a&product_ids[]=prod_b&first=3", []string{"mem_07", "mem_06", "mem_05"}},
		{"plan", "plan_id=plan_a&status=active", []string{"mem_06", "mem_04", "mem_00"}},
		{"plans", "plan_ids[]=plan_b", []string{"mem_07", "mem_05", "mem_03", "mem_01"}},
		{"created after and before", "created_after=" + day3 + "&created_before=" + day6, []string{"mem_05", "mem_04"}},
		{"account", "account_id=biz_2", nil},
		{"user", "user_id=user_1&first=1", []string{"mem_07"}},
	}
	h := start(t, Config{})
	listFixtures(h.sim, 8)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids, page, got := h.list(tt.query)
			if got.status != 200 {
				t.Fatalf("status = %d, want 200; %s", got.status, got.body)
			}
			if !slices.Equal(ids, tt.want) {
				t.Errorf("ids = %v, want %v", ids, tt.want)
			}
			if page.Data == nil {
				t.Errorf("data = null, want an array")
			}
		})
	}
}

func TestListPagination(t *testing.T) {
	h := start(t, Config{AutoCreate: true})
	listFixtures(h.sim, 45)
	var all []string
	query, pages := "first=20", 0
	for {
		ids, page, got := h.list(query)
		if got.status != 200 {
			t.Fatalf("page %d: %d %s", pages, got.status, got.body)
		}
		if pi := page.PageInfo; pi.HasPreviousPage != (pages > 0) || *pi.StartCursor == *pi.EndCursor {
			t.Errorf("page %d: page_info %+v", pages, pi)
		}
		all = append(all, ids...)
		pages++
		if !page.PageInfo.HasNextPage {
			break
		}
		query = "first=20&after=" + url.QueryEscape(*page.PageInfo.EndCursor)
	}
	if pages != 3 || len(all) != 45 || all[0] != "mem_44" || all[44] != "mem_00" {
		t.Errorf("%d pages of %d ids from %s to %s, want 3 pages, 45 ids, mem_44 to mem_00", pages, len(all), all[0], all[len(all)-1])
	}
	if unique := slices.Compact(slices.Sorted(slices.Values(all))); len(unique) != 45 {
		t.Errorf("ids repeated across pages: %v", all)
	}
	if ids, _, _ := h.list(""); len(ids) != DefaultPageSize {
		t.Errorf("default page has %d, want %d", len(ids), DefaultPageSize)
	}
	if ids, _, _ := h.list("first=100"); len(ids) != 45 {
		t.Errorf("first=100 gave %d, want all 45 (AutoCreate invents none for a list)", len(ids))
	}
}

func TestListEmpty(t *testing.T) {
	h := start(t, Config{AutoCreate: true})
	got := h.send("GET", "/memberships", "", nil)
	want := `{"data":[],"page_info":{"end_cursor":null,"start_cursor":null,"has_next_page":false,"has_previous_page":false}}`
	if got.status != 200 || got.body != want {
		t.Errorf("got %d %s, want 200 %s", got.status, got.body, want)
	}
}

func TestListErrors(t *testing.T) {
	tests := []struct {
		query, want string
	}{
		{"first=101", "first must be an integer from 1 to 100"},
		{"first=0", "first must be an integer from 1 to 100"},
		{"first=x", "first must be an integer from 1 to 100"},
		{"after=!!", "after is not a valid cursor"},
		{"status=gone", "status must be one of active, trialing, past_due, completed, canceled, expired, canceling, paused"},
		{"direction=up", "direction must be asc or desc"},
		{"order=id", "order must be created_at"},
		{"created_after=yesterday", "created_after must be an ISO 8601 timestamp"},
		{"last=5", "last and before are not supported by the simulator"},
	}
	h := start(t, Config{})
	listFixtures(h.sim, 3)
	for _, tt := range tests {
		got := h.send("GET", "/memberships?"+tt.query, "", nil)
		want := `{"error":{"type":"bad_request","message":"` + tt.want + `"}}`
		if got.status != 400 || got.body != want {
			t.Errorf("%s: %d %s, want 400 %s", tt.query, got.status, got.body, want)
		}
	}
}

package whopsim

import (
	"fmt"
	"reflect"
	"slices"
	"testing"
	"time"
)

// v2list GETs one v2 page and returns its ids.
func (h *harness) v2list(query string) ([]string, v2ListPage, answer) {
	h.t.Helper()
	got := h.send("GET", "/memberships?"+query, "", nil)
	if got.status != 200 {
		return nil, v2ListPage{}, got
	}
	page := decode[v2ListPage](h.t, got.body)
	var ids []string
	for _, m := range page.Data {
		ids = append(ids, m.ID)
	}
	return ids, page, got
}

func TestV2List(t *testing.T) {
	h := start(t, Config{API: APIV2})
	listFixtures(h.sim, 8)
	tests := []struct {
		name    string
		query   string
		status  int
		want    []string
		current int
		total   int
	}{
		{"default: newest first, 10 a page", "", 200, []string{"mem_07", "mem_06", "mem_05", "mem_04", "mem_03", "mem_02", "mem_01", "mem_00"}, 1, 1},
		{"pages of 3", "per=3&page=2", 200, []string{"mem_04", "mem_03", "mem_02"}, 2, 3},
		{"past the end", "per=3&page=4", 200, nil, 4, 3},
		{"asc", "direction=asc&per=2", 200, []string{"mem_00", "mem_01"}, 1, 4},
		{"status", "status=canceled", 200, []string{"mem_05", "mem_02"}, 1, 1},
		{"product", "product_id=prod_b", 200, []string{"mem_07", "mem_05", "mem_03", "mem_01"}, 1, 1},
		{"plan and status", "plan_id=plan_a&status=active", 200, []string{"mem_06", "mem_04", "mem_00"}, 1, 1},
		{"user", "user_id=user_2", 200, nil, 1, 0},
		{"per too large", "per=51", 400, nil, 0, 0},
		{"page zero", "page=0", 400, nil, 0, 0},
		{"status v2 lacks", "status=paused", 400, nil, 0, 0},
		{"bad direction", "direction=up", 400, nil, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ids, page, got := h.v2list(tt.query)
			if got.status != tt.status {
				t.Fatalf("status = %d, want %d; %s", got.status, tt.status, got.body)
			}
			if tt.status != 200 {
				return
			}
			if !slices.Equal(ids, tt.want) || page.Data == nil {
				t.Errorf("ids = %v, want %v", ids, tt.want)
			}
			if p := page.Pagination; p.CurrentPage != tt.current || p.TotalPage != tt.total {
				t.Errorf("pagination %+v, want page %d of %d", p, tt.current, tt.total)
			}
		})
	}
}

func TestPopulation(t *testing.T) {
	clock := func() time.Time { return t0 }
	a, b := New(Config{Population: 500, Seed: 4, Now: clock}), New(Config{Population: 500, Seed: 4, Now: clock})
	other := New(Config{Population: 500, Seed: 5, Now: clock})
	count := func(field func(Membership) string) map[string]int {
		n := map[string]int{}
		for _, m := range a.Memberships() {
			n[field(m)]++
		}
		return n
	}
	if n := len(a.Memberships()); n != 500 {
		t.Fatalf("%d memberships, want 500", n)
	}
	for name, field := range map[string]func(Membership) string{
		"status":  func(m Membership) string { return m.Status },
		"product": func(m Membership) string { return m.ProductID },
		"plan":    func(m Membership) string { return m.PlanID },
		"day":     func(m Membership) string { return fmt.Sprint(m.CreatedAt / 86400) },
	} {
		if n := len(count(field)); n < 3 {
			t.Errorf("only %d distinct %s values", n, name)
		}
	}
	same, differ := true, false
	for i := range 500 {
		x, _ := a.Get(PopulationID(i))
		y, _ := b.Get(PopulationID(i))
		z, _ := other.Get(PopulationID(i))
		same = same && reflect.DeepEqual(x, y)
		differ = differ || !reflect.DeepEqual(x, z)
		if x.PeriodEnd == nil && x.Status != StatusCompleted {
			t.Errorf("%s: lifetime but %s", x.ID, x.Status)
		}
	}
	if !same || !differ {
		t.Errorf("same seed same population: %v; another seed another: %v", same, differ)
	}
}

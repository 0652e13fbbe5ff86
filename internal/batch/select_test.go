package batch

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"bulk/internal/client"
	"bulk/internal/whopsim"
)

// population is how many memberships the selection tests list: 30 pages.
const population = 3000

// wantSelected is the IDs of the simulator's own memberships that f
// matches, sorted: what a complete listing must return.
func wantSelected(sim *whopsim.Server, f client.ListFilter) []string {
	var ids []string
	for _, m := range sim.Memberships() {
		created := time.Unix(m.CreatedAt, 0)
		switch {
		case f.Status != "" && m.Status != f.Status,
			len(f.ProductIDs) > 0 && !slices.Contains(f.ProductIDs, m.ProductID),
			len(f.PlanIDs) > 0 && !slices.Contains(f.PlanIDs, m.PlanID),
			f.CreatedAfter != nil && !created.After(*f.CreatedAfter),
			f.CreatedBefore != nil && !created.Before(*f.CreatedBefore):
			continue
		}
		ids = append(ids, m.ID)
	}
	slices.Sort(ids)
	return ids
}

// selectAll runs Select and returns the IDs passed on, sorted, failing the
// test on a membership passed on twice.
func selectAll(t *testing.T, h *harness, f client.ListFilter) ([]string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var ids []string
	seen := map[string]bool{}
	err := Select(ctx, h.api, f, h.opts, func(m client.Membership) error {
		if seen[m.ID] {
			t.Errorf("%s passed on twice", m.ID)
		}
		seen[m.ID] = true
		ids = append(ids, m.ID)
		return nil
	})
	slices.Sort(ids)
	return ids, err
}

// someOf returns the distinct values of field among the simulator's
// memberships, sorted, so that filters name values that exist.
func someOf(sim *whopsim.Server, field func(whopsim.Membership) string) []string {
	var vals []string
	for _, m := range sim.Memberships() {
		if !slices.Contains(vals, field(m)) {
			vals = append(vals, field(m))
		}
	}
	slices.Sort(vals)
	return vals
}

func TestSelectFilters(t *testing.T) { apis(t, testSelectFilters) }

func testSelectFilters(t *testing.T, api string) {
	h := newHarness(t, whopsim.Config{API: api, Population: population, Seed: 7})
	products := someOf(h.sim, func(m whopsim.Membership) string { return m.ProductID })
	plans := someOf(h.sim, func(m whopsim.Membership) string { return m.PlanID })
	if len(products) < 3 || len(plans) < 6 {
		t.Fatalf("population too uniform: %d products, %d plans", len(products), len(plans))
	}
	now := time.Now()
	monthAgo, quarterAgo := now.AddDate(0, -1, 0), now.AddDate(0, -3, 0)
	tests := []struct {
		name string
		f    client.ListFilter
	}{
		{"everything", client.ListFilter{}},
		{"one product", client.ListFilter{ProductIDs: products[:1]}},
		{"two products", client.ListFilter{ProductIDs: products[1:3]}},
		{"one plan", client.ListFilter{PlanIDs: plans[:1]}},
		{"three plans", client.ListFilter{PlanIDs: plans[2:5]}},
		{"status active", client.ListFilter{Status: "active"}},
		{"status canceled", client.ListFilter{Status: "canceled"}},
		{"status not modelled", client.ListFilter{Status: "paused"}},
		{"created after", client.ListFilter{CreatedAfter: &quarterAgo}},
		{"created before", client.ListFilter{CreatedBefore: &monthAgo}},
		{"created between", client.ListFilter{CreatedAfter: &quarterAgo, CreatedBefore: &monthAgo}},
		{"product and status", client.ListFilter{ProductIDs: products[:2], Status: "active"}},
		{"product and plan", client.ListFilter{ProductIDs: products[:1], PlanIDs: plans}},
		{"all at once", client.ListFilter{ProductIDs: products[:2], PlanIDs: plans[:6], Status: "trialing", CreatedAfter: &quarterAgo, CreatedBefore: &now}},
		{"contradiction", client.ListFilter{CreatedAfter: &monthAgo, CreatedBefore: &quarterAgo}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := wantSelected(h.sim, tt.f)
			got, err := selectAll(t, h, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("selected %d memberships, the simulator holds %d for this filter", len(got), len(want))
			}
		})
	}
	// The everything case crossed page boundaries: 30 pages of 100 (v2:
	// 60 of 50).
	if n := len(wantSelected(h.sim, client.ListFilter{})); n != population {
		t.Errorf("population is %d, want %d", n, population)
	}
}

func TestSelectFaults(t *testing.T) { apis(t, testSelectFaults) }

func testSelectFaults(t *testing.T, api string) {
	tests := []struct {
		name     string
		cfg      whopsim.Config
		cooldown time.Duration // forced 429 for this long before listing
		want429  bool
	}{
		{"5xx", whopsim.Config{FailRate: 0.5}, 0, false},
		{"forced 429", whopsim.Config{}, 100 * time.Millisecond, true},
		{"forced 429 with Retry-After", whopsim.Config{RetryAfter: true}, 100 * time.Millisecond, true},
		{"tiny limit", whopsim.Config{Limit: 3, Window: time.Second, RetryAfter: true}, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.cfg.API, tt.cfg.Population, tt.cfg.Seed = api, 1000, 3
			tt.cfg.Cooldown = time.Second // v2's server refusal after an excess
			h := newHarness(t, tt.cfg)
			h.opts.Pace.Cooldown = time.Second // v2's pause after a 429 without a wait
			if tt.cfg.Limit == 0 {
				h.opts.Retries = 10 // a 50% failure rate over 10 pages must not exhaust them
			} else {
				// Faster than the server allows.
				h.opts.Pace = Pace{Rate: 100, Limit: 1000, Window: time.Second, Cooldown: time.Second}
			}
			if tt.cooldown > 0 {
				h.sim.StartCooldown(tt.cooldown)
			}
			f := client.ListFilter{} // 10 pages
			want := wantSelected(h.sim, f)
			got, err := selectAll(t, h, f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Errorf("selected %d memberships, the simulator holds %d", len(got), len(want))
			}
			per := map[string]int{"current": 100, "v2": 50}[api]
			if pages := int64(len(want)/per + 1); tt.cfg.FailRate > 0 && h.api.Sent()[client.OpList] <= pages {
				t.Errorf("%d list requests for %d pages: no page was asked for again", h.api.Sent()[client.OpList], pages)
			}
			if n := h.sim.Count429(); (n > 0) != tt.want429 {
				t.Errorf("%d answers were 429; want some: %v", n, tt.want429)
			}
			if n := h.api.RateLimited(); (n > 0) != tt.want429 {
				t.Errorf("the client saw %d 429s; want some: %v", n, tt.want429)
			}
		})
	}
}

// listerFunc is an API whose List is given; the rest is the simulator's.
type listerFunc struct {
	client.API
	list func(after string) (client.Page, error)
}

func (l listerFunc) List(_ context.Context, _ client.ListFilter, after string) (client.Page, error) {
	return l.list(after)
}

func TestSelectEnds(t *testing.T) {
	page := func(next string, ids ...string) client.Page {
		p := client.Page{Next: next}
		for _, id := range ids {
			p.Memberships = append(p.Memberships, client.Membership{ID: id})
		}
		return p
	}
	pages := map[string]client.Page{
		"":   page("c1", "mem_a", "mem_b"),
		"c1": page("c2", "mem_b", "mem_c"), // mem_b again: the listing moved
		"c2": page("", "mem_d"),
	}
	unknown := &client.Error{Kind: client.Unknown, Status: 503, Message: "unavailable"}
	tests := []struct {
		name    string
		list    func(calls int, after string) (client.Page, error)
		want    []string
		wantErr func(error) bool
	}{
		{"dedupe across pages", func(_ int, after string) (client.Page, error) { return pages[after], nil },
			[]string{"mem_a", "mem_b", "mem_c", "mem_d"}, nil},
		{"5xx then fine", func(calls int, after string) (client.Page, error) {
			if calls%2 == 1 {
				return client.Page{}, unknown
			}
			return pages[after], nil
		}, []string{"mem_a", "mem_b", "mem_c", "mem_d"}, nil},
		{"5xx for good", func(int, string) (client.Page, error) { return client.Page{}, unknown }, nil,
			func(err error) bool { return client.KindOf(err) == client.Unknown }},
		{"key refused", func(int, string) (client.Page, error) {
			return client.Page{}, &client.Error{Kind: client.Fatal, Status: 401}
		}, nil, func(err error) bool { var fe *FatalError; return errors.As(err, &fe) }},
		{"bad request", func(int, string) (client.Page, error) {
			return client.Page{}, &client.Error{Kind: client.Permanent, Status: 400}
		}, nil, func(err error) bool { return client.KindOf(err) == client.Permanent }},
		{"cursor cycle", func(_ int, after string) (client.Page, error) {
			if after == "c1" {
				return page("c1", "mem_x"), nil
			}
			return page("c1", "mem_y"), nil
		}, []string{"mem_x", "mem_y"}, func(err error) bool { return err != nil }},
		{"fail midway", func(_ int, after string) (client.Page, error) {
			if after == "c2" {
				return client.Page{}, unknown
			}
			return pages[after], nil
		}, []string{"mem_a", "mem_b", "mem_c"}, func(err error) bool { return client.KindOf(err) == client.Unknown }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t, whopsim.Config{})
			calls := 0
			h.api = listerFunc{API: h.api, list: func(after string) (client.Page, error) {
				calls++
				if calls > 100 {
					t.Fatal("listed more than 100 pages")
				}
				return tt.list(calls, after)
			}}
			got, err := selectAll(t, h, client.ListFilter{})
			if tt.wantErr == nil && err != nil || tt.wantErr != nil && !tt.wantErr(err) {
				t.Fatalf("err = %v", err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestSelectInterrupted(t *testing.T) {
	h := newHarness(t, whopsim.Config{Population: 500})
	h.sim.StartCooldown(time.Hour)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	err := Select(ctx, h.api, client.ListFilter{}, h.opts, func(client.Membership) error { return nil })
	if !errors.Is(err, ErrInterrupted) {
		t.Fatalf("err = %v, want ErrInterrupted", err)
	}
}

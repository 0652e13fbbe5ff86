package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// currentClient speaks the Current API (/api/v1): Api-Version-Date on
// every request, ISO 8601 timestamps, extend and a merging PATCH, cursor
// listing, and a rate limit per operation.
type currentClient struct {
	*conn
	sandbox bool
}

func (c *currentClient) Dialect() Dialect {
	return Dialect{
		Name:           "current",
		Version:        c.version,
		Sandbox:        c.sandbox,
		MetadataMerges: true,
		SharedLimit:    false,
		Limit:          600,
		Window:         time.Minute,
		// No cooldown is documented: a 429 says how long to wait.
		Cooldown: 0,
	}
}

// Get is GET /memberships/{id}.
func (c *currentClient) Get(ctx context.Context, id string) (*Membership, error) {
	return c.membership(ctx, call{op: OpRead, method: http.MethodGet, id: id})
}

// Extend is POST /memberships/{id}/extend {"days":N}, with the
// Idempotency-Key. Success is 200; any 2xx is taken.
func (c *currentClient) Extend(ctx context.Context, id string, days int, key string) (*Membership, error) {
	return c.membership(ctx, call{op: OpExtend, method: http.MethodPost, id: id, suffix: "extend",
		body: daysBody{Days: days}, key: key})
}

// UpdateMetadata is PATCH /memberships/{id} {"metadata":{...}}, which
// merges. A PATCH takes no Idempotency-Key (Whop ignores it there, and a
// merge is safe to repeat), so key is not sent.
func (c *currentClient) UpdateMetadata(ctx context.Context, id string, metadata json.RawMessage, key string) (*Membership, error) {
	if err := metadataObject(metadata); err != nil {
		return nil, err
	}
	return c.membership(ctx, call{op: OpUpdate, method: http.MethodPatch, id: id,
		body: metadataBody{Metadata: metadata}})
}

// List is GET /memberships?first=100&after=CURSOR and the filters.
func (c *currentClient) List(ctx context.Context, f ListFilter, after string) (Page, error) {
	status, data, err := c.do(ctx, call{op: OpList, method: http.MethodGet, query: listQuery(f, after)})
	if err != nil {
		return Page{}, err
	}
	var w currentPage
	if err := json.Unmarshal(data, &w); err != nil {
		return Page{}, c.undecodable(status, err)
	}
	if w.Data == nil {
		return Page{}, c.undecodable(status, errors.New("no data in the listing"))
	}
	p := Page{Memberships: make([]Membership, 0, len(w.Data))}
	for _, wm := range w.Data {
		m := wm.membership()
		if m.ID == "" {
			return Page{}, c.undecodable(status, errors.New("a listed membership has no id"))
		}
		m.HTTPStatus = status
		p.Memberships = append(p.Memberships, *m)
	}
	if w.PageInfo.HasNextPage {
		// A next page without a new cursor would list the same page for
		// ever, or silently end the listing early.
		if w.PageInfo.EndCursor == "" || w.PageInfo.EndCursor == after {
			return Page{}, c.undecodable(status, errors.New("has_next_page without a new end_cursor"))
		}
		p.Next = w.PageInfo.EndCursor
	}
	return p, nil
}

// listQuery is the query of a listing: one product or plan as product_id,
// several as product_ids[] repeated; times in ISO 8601 UTC.
func listQuery(f ListFilter, after string) url.Values {
	q := url.Values{"first": {"100"}}
	if after != "" {
		q.Set("after", after)
	}
	addIDs(q, "product_id", "product_ids[]", f.ProductIDs)
	addIDs(q, "plan_id", "plan_ids[]", f.PlanIDs)
	if f.Status != "" {
		q.Set("status", f.Status)
	}
	if f.CreatedAfter != nil {
		q.Set("created_after", f.CreatedAfter.UTC().Format(time.RFC3339Nano))
	}
	if f.CreatedBefore != nil {
		q.Set("created_before", f.CreatedBefore.UTC().Format(time.RFC3339Nano))
	}
	return q
}

func addIDs(q url.Values, one, many string, ids []string) {
	switch len(ids) {
	case 0:
	case 1:
		q.Set(one, ids[0])
	default:
		q[many] = append([]string(nil), ids...)
	}
}

func (c *currentClient) membership(ctx context.Context, r call) (*Membership, error) {
	status, data, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	var w currentMembership
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, c.undecodable(status, err)
	}
	return c.answer(r.id, status, w.membership())
}

// Bodies, as both dialects send them.
type (
	daysBody struct {
		Days int `json:"days"`
	}
	metadataBody struct {
		Metadata json.RawMessage `json:"metadata"`
	}
)

// currentMembership is the part of a Current API membership bulk reads.
type currentMembership struct {
	ID                 string          `json:"id"`
	Status             string          `json:"status"`
	CurrentPeriodStart timestamp       `json:"current_period_start"`
	CurrentPeriodEnd   timestamp       `json:"current_period_end"`
	Metadata           json.RawMessage `json:"metadata"`
	Account            *struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	} `json:"account"`
	AccountID string    `json:"account_id"` // not in the schema; read if it ever is
	ProductID string    `json:"product_id"`
	PlanID    string    `json:"plan_id"`
	UserID    string    `json:"user_id"`
	CreatedAt timestamp `json:"created_at"`
}

func (w *currentMembership) membership() *Membership {
	m := &Membership{
		ID:          w.ID,
		Status:      w.Status,
		Account:     w.AccountID,
		PeriodStart: w.CurrentPeriodStart.ptr(),
		PeriodEnd:   w.CurrentPeriodEnd.ptr(),
		Metadata:    rawObject(w.Metadata),
		ProductID:   w.ProductID,
		PlanID:      w.PlanID,
		UserID:      w.UserID,
		CreatedAt:   w.CreatedAt.ptr(),
	}
	if w.Account != nil && w.Account.ID != "" {
		m.Account = w.Account.ID
	}
	if w.Account != nil {
		m.AccountTitle = w.Account.Title
	}
	return m
}

// currentPage is a page of a Current API listing.
type currentPage struct {
	Data     []currentMembership `json:"data"`
	PageInfo struct {
		EndCursor   string `json:"end_cursor"`
		HasNextPage bool   `json:"has_next_page"`
	} `json:"page_info"`
}

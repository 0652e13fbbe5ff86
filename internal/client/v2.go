package client

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"
)

// v2Client speaks the retired v2 API (/api/v2): no version header, Unix
// timestamps, add_free_days and a replacing POST, one rate limit for
// everything with a 60-second cooldown.
type v2Client struct {
	*conn
}

func (c *v2Client) Dialect() Dialect {
	return Dialect{
		Name:           "v2",
		MetadataMerges: false,
		SharedLimit:    true,
		Limit:          100,
		Window:         10 * time.Second,
		Cooldown:       time.Minute,
	}
}

// Get is GET /memberships/{id}.
func (c *v2Client) Get(ctx context.Context, id string) (*Membership, error) {
	return c.membership(ctx, call{op: OpRead, method: http.MethodGet, id: id})
}

// Extend is POST /memberships/{id}/add_free_days {"days":N}, with the
// Idempotency-Key (v2 documents none; it is sent anyway). Success is 201;
// any 2xx is taken.
func (c *v2Client) Extend(ctx context.Context, id string, days int, key string) (*Membership, error) {
	return c.membership(ctx, call{op: OpExtend, method: http.MethodPost, id: id, suffix: "add_free_days",
		body: daysBody{Days: days}, key: key})
}

// UpdateMetadata is POST /memberships/{id} {"metadata":{...}}, which
// replaces the whole object, with the Idempotency-Key.
func (c *v2Client) UpdateMetadata(ctx context.Context, id string, metadata json.RawMessage, key string) (*Membership, error) {
	if err := metadataObject(metadata); err != nil {
		return nil, err
	}
	return c.membership(ctx, call{op: OpUpdate, method: http.MethodPost, id: id,
		body: metadataBody{Metadata: metadata}, key: key})
}

// v2PerPage is v2's largest page.
const v2PerPage = 50

// v2Statuses are the values v2's status filter takes.
var v2Statuses = []string{"active", "trialing", "past_due", "completed", "unresolved", "canceled", "expired"}

// List is GET /memberships?page=N&per=50; after is the page number ("":
// the first). v2 filters by one product, one plan and a status of its own
// enum; what it cannot express (several products or plans, creation
// dates, the Current API's statuses canceling and paused) is filtered here,
// after listing, so a page may come back with fewer memberships than it
// listed, or none, and still have a next page. Pages are numbered, not
// cursors: a membership created while the listing runs shifts the later
// pages, so one may be listed twice (the caller drops the repeat) or, when
// one is deleted, another missed.
func (c *v2Client) List(ctx context.Context, f ListFilter, after string) (Page, error) {
	page := 1
	if after != "" {
		n, err := strconv.Atoi(after)
		if err != nil || n < 1 {
			return Page{}, &Error{Kind: NotSent, Message: fmt.Sprintf("v2 list: page %q is not a page number", after)}
		}
		page = n
	}
	q := url.Values{"page": {strconv.Itoa(page)}, "per": {strconv.Itoa(v2PerPage)}}
	if len(f.ProductIDs) == 1 {
		q.Set("product_id", f.ProductIDs[0])
	}
	if len(f.PlanIDs) == 1 {
		q.Set("plan_id", f.PlanIDs[0])
	}
	if slices.Contains(v2Statuses, f.Status) {
		q.Set("status", f.Status)
	}
	status, data, err := c.do(ctx, call{op: OpList, method: http.MethodGet, query: q})
	if err != nil {
		return Page{}, err
	}
	var w struct {
		Data       []v2Membership `json:"data"`
		Pagination struct {
			CurrentPage int `json:"current_page"`
			TotalPage   int `json:"total_page"`
		} `json:"pagination"`
	}
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
		if !f.matches(m) {
			continue
		}
		m.HTTPStatus = status
		p.Memberships = append(p.Memberships, *m)
	}
	// An empty page ends the listing even if total_page says more: a
	// page past the end never gets anything new.
	if len(w.Data) > 0 && page < w.Pagination.TotalPage {
		p.Next = strconv.Itoa(page + 1)
	}
	return p, nil
}

// matches applies the whole filter to a listed membership.
func (f ListFilter) matches(m *Membership) bool {
	switch {
	case f.Status != "" && m.Status != f.Status,
		len(f.ProductIDs) > 0 && !slices.Contains(f.ProductIDs, m.ProductID),
		len(f.PlanIDs) > 0 && !slices.Contains(f.PlanIDs, m.PlanID),
		f.CreatedAfter != nil && (m.CreatedAt == nil || *m.CreatedAt <= f.CreatedAfter.Unix()),
		f.CreatedBefore != nil && (m.CreatedAt == nil || *m.CreatedAt >= f.CreatedBefore.Unix()):
		return false
	}
	return true
}

func (c *v2Client) membership(ctx context.Context, r call) (*Membership, error) {
	status, data, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	var w v2Membership
	if err := json.Unmarshal(data, &w); err != nil {
		return nil, c.undecodable(status, err)
	}
	return c.answer(r.id, status, w.membership())
}

// v2Membership is the part of a v2 membership bulk reads.
type v2Membership struct {
	ID                 string          `json:"id"`
	Status             string          `json:"status"`
	Metadata           json.RawMessage `json:"metadata"`
	ExpiresAt          timestamp       `json:"expires_at"`
	RenewalPeriodStart timestamp       `json:"renewal_period_start"`
	RenewalPeriodEnd   timestamp       `json:"renewal_period_end"`
	// CreatedAt is read leniently: only a listing filters on it, and a
	// malformed one must not fail a read.
	CreatedAt json.RawMessage `json:"created_at"`
	// product, plan and user are IDs, or objects with an id when expanded
	// (bulk never asks for that).
	Product json.RawMessage `json:"product"`
	Plan    json.RawMessage `json:"plan"`
	User    json.RawMessage `json:"user"`
}

// lenientTime is a timestamp, or nil when absent, null or unreadable.
func lenientTime(raw json.RawMessage) *int64 {
	var t timestamp
	if len(raw) == 0 || t.UnmarshalJSON(raw) != nil {
		return nil
	}
	return t.ptr()
}

// idOf is a v2 reference's ID: the string, or an expanded object's id.
func idOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var o struct {
		ID string `json:"id"`
	}
	if json.Unmarshal(raw, &o) == nil {
		return o.ID
	}
	return ""
}

// membership maps w: the date free days move is renewal_period_end when
// the membership renews, else expires_at. v2 names no account.
func (w *v2Membership) membership() *Membership {
	end := w.RenewalPeriodEnd
	if !end.set {
		end = w.ExpiresAt
	}
	return &Membership{
		ID:          w.ID,
		Status:      w.Status,
		PeriodStart: w.RenewalPeriodStart.ptr(),
		PeriodEnd:   end.ptr(),
		Metadata:    rawObject(w.Metadata),
		ProductID:   idOf(w.Product),
		PlanID:      idOf(w.Plan),
		UserID:      idOf(w.User),
		CreatedAt:   lenientTime(w.CreatedAt),
	}
}

package client

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// ErrListNeedsCurrent is why a v2 client does not list memberships.
var ErrListNeedsCurrent = errors.New("listing memberships needs the Current API")

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

// List is refused without a request: v2 is retired, and its listing
// (page and per, one product or plan, no creation dates) cannot express
// every filter. Selecting memberships needs the Current API.
func (c *v2Client) List(context.Context, ListFilter, string) (Page, error) {
	return Page{}, &Error{Kind: NotSent, Message: ErrListNeedsCurrent.Error() + " (this client speaks v2)", Err: ErrListNeedsCurrent}
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
	}
}

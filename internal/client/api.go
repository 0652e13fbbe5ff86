package client

import (
	"context"
	"encoding/json"
	"time"
)

// Op is an API operation. The Current API gives each operation its own
// rate limit; v2 counts them all against one.
type Op string

const (
	OpRead   Op = "read"
	OpExtend Op = "extend"
	OpUpdate Op = "update"
	OpList   Op = "list"
)

// Ops is every operation, in a fixed order.
var Ops = []Op{OpRead, OpExtend, OpUpdate, OpList}

// Membership is a membership as bulk's engine sees it, whichever API it came
// from. Each dialect maps its wire format onto it. Timestamps are Unix
// seconds; nil means null (or, for PeriodEnd, nothing that free days move).
type Membership struct {
	ID      string
	Status  string // trialing, active, past_due, completed, canceled, expired, unresolved
	Account string // the business the membership belongs to, when the API says
	// AccountTitle is that business's name (Current API: account.title;
	// empty on v2).
	AccountTitle string
	// PeriodStart and PeriodEnd bound the period that free days extend:
	// PeriodEnd is the date free days move. Current API:
	// current_period_start and current_period_end; v2: renewal_period_start,
	// and renewal_period_end when set, else expires_at.
	PeriodStart *int64
	PeriodEnd   *int64
	Metadata    json.RawMessage // the object as the API sent it; nil when null
	HTTPStatus  int             // status of the answer it came in

	// Informational, for listing and select.
	ProductID string
	PlanID    string
	UserID    string
	CreatedAt *int64
}

// Dialect describes what differs between the APIs in ways the engine must
// plan around, without naming the API.
type Dialect struct {
	Name    string // "current" or "v2"
	Version string // Api-Version-Date sent with every request; "" for v2
	Sandbox bool
	// MetadataMerges: an update sets the keys given and keeps the others
	// (Current API). Otherwise it replaces the whole object (v2).
	MetadataMerges bool
	// SharedLimit: one rate limit counts every operation together (v2).
	// Otherwise each Op has its own (Current API).
	SharedLimit bool
	// Limit is the API's documented cap: Limit requests in any Window,
	// per operation unless SharedLimit.
	Limit  int
	Window time.Duration
	// Cooldown is how long a 429 without a stated wait pauses (v2: 60 s).
	Cooldown time.Duration
}

// ListFilter narrows a listing of memberships.
type ListFilter struct {
	ProductIDs    []string
	PlanIDs       []string
	Status        string
	CreatedAfter  *time.Time
	CreatedBefore *time.Time
}

// Page is one page of a listing.
type Page struct {
	Memberships []Membership
	Next        string // cursor of the next page; "" when this was the last
}

// API is what bulk needs from Whop, in the engine's own types. Both
// dialects implement it. No method retries, paces or sleeps.
type API interface {
	Dialect() Dialect
	// Get reads a membership (OpRead).
	Get(ctx context.Context, id string) (*Membership, error)
	// Extend adds free days (OpExtend); key is the Idempotency-Key.
	Extend(ctx context.Context, id string, days int, key string) (*Membership, error)
	// UpdateMetadata sends a metadata object (OpUpdate): merged into the
	// membership's metadata or replacing it, as Dialect().MetadataMerges
	// says. key is sent as Idempotency-Key where the method is a POST.
	UpdateMetadata(ctx context.Context, id string, metadata json.RawMessage, key string) (*Membership, error)
	// List reads one page of memberships (OpList), after the cursor.
	List(ctx context.Context, f ListFilter, after string) (Page, error)
	// Sent counts requests that left this machine (or may have), per Op.
	Sent() map[Op]int64
	// RateLimited counts 429 answers.
	RateLimited() int64
}

package whopsim

import (
	"cmp"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// List page sizes of the Current API.
const (
	DefaultPageSize = 20
	MaxPageSize     = 100
)

// listStatuses are the values the status filter takes. canceling
// (cancel at period end) and paused are states the simulator does not
// model, so they match nothing.
var listStatuses = []string{"active", "trialing", "past_due", "completed", "canceled", "expired", "canceling", "paused"}

// listQuery is a parsed GET /memberships query.
type listQuery struct {
	first         int
	after         *listKey
	desc          bool
	status        string
	products      []string // any of; empty: all
	plans         []string
	account, user string
	createdAfter  *time.Time
	createdBefore *time.Time
}

// listKey is a position in the order of a list: memberships are ordered
// by created_at, then id. A cursor is its opaque encoding.
type listKey struct {
	created int64
	id      string
}

func (a currentAPI) list(c call) reply {
	q, err := parseListQuery(c.query)
	if err != nil {
		return currentError(http.StatusBadRequest, "bad_request", "", err.Error())
	}
	// Only what follows the cursor is ordered, by key, so that a page of a
	// large population costs a few milliseconds, as an indexed API's would.
	var found []*Membership
	a.s.mu.Lock()
	for _, m := range a.s.members {
		if q.matches(m) && (q.after == nil || q.compareKey(keyOf(m), *q.after) > 0) {
			found = append(found, &m)
		}
	}
	a.s.mu.Unlock()
	slices.SortFunc(found, func(x, y *Membership) int { return q.compare(*x, *y) })
	return jsonReply(http.StatusOK, q.page(found, q.after != nil))
}

// listPage is the answer to a list.
type listPage struct {
	Data     []currentMembership `json:"data"`
	PageInfo pageInfo            `json:"page_info"`
}

type pageInfo struct {
	EndCursor       *string `json:"end_cursor"`
	StartCursor     *string `json:"start_cursor"`
	HasNextPage     bool    `json:"has_next_page"`
	HasPreviousPage bool    `json:"has_previous_page"`
}

// page is the first page of the ordered memberships that follow the
// cursor (all of them when there is none); before says there was one.
func (q listQuery) page(ordered []*Membership, before bool) listPage {
	end := min(q.first, len(ordered))
	p := listPage{Data: []currentMembership{}, PageInfo: pageInfo{HasNextPage: end < len(ordered), HasPreviousPage: before}}
	for _, m := range ordered[:end] {
		p.Data = append(p.Data, currentWire(*m))
	}
	if end > 0 {
		p.PageInfo.StartCursor = new(cursor(keyOf(*ordered[0])))
		p.PageInfo.EndCursor = new(cursor(keyOf(*ordered[end-1])))
	}
	return p
}

func keyOf(m Membership) listKey { return listKey{created: m.CreatedAt, id: m.ID} }

// compare orders memberships as the query asks (created_at, default desc).
func (q listQuery) compare(a, b Membership) int { return q.compareKey(keyOf(a), keyOf(b)) }

func (q listQuery) compareKey(a, b listKey) int {
	c := cmp.Or(cmp.Compare(a.created, b.created), strings.Compare(a.id, b.id))
	if q.desc {
		return -c
	}
	return c
}

func (q listQuery) matches(m Membership) bool {
	created := time.Unix(m.CreatedAt, 0)
	switch {
	case q.status != "" && m.Status != q.status,
		len(q.products) > 0 && !slices.Contains(q.products, m.ProductID),
		len(q.plans) > 0 && !slices.Contains(q.plans, m.PlanID),
		q.account != "" && m.AccountID != q.account,
		q.user != "" && m.UserID != q.user,
		q.createdAfter != nil && !created.After(*q.createdAfter),
		q.createdBefore != nil && !created.Before(*q.createdBefore):
		return false
	}
	return true
}

func cursor(k listKey) string {
	return base64.RawURLEncoding.EncodeToString(fmt.Appendf(nil, "%d:%s", k.created, k.id))
}

func parseCursor(s string) (*listKey, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	created, id, ok := strings.Cut(string(b), ":")
	n, perr := strconv.ParseInt(created, 10, 64)
	if err != nil || !ok || perr != nil {
		return nil, errors.New("after is not a valid cursor")
	}
	return &listKey{created: n, id: id}, nil
}

// parseListQuery reads the list's query parameters; account_id, user_id
// and order are taken too. The first problem found is reported.
func parseListQuery(v url.Values) (listQuery, error) {
	q := listQuery{first: DefaultPageSize, desc: true, status: v.Get("status"),
		account: v.Get("account_id"), user: v.Get("user_id"),
		products: nonEmpty(slices.Concat(v["product_ids[]"], []string{v.Get("product_id")})),
		plans:    nonEmpty(slices.Concat(v["plan_ids[]"], []string{v.Get("plan_id")}))}
	return q, cmp.Or(q.parsePage(v), q.parseChoices(v), q.parseDates(v))
}

// parsePage reads first and after. last and before are not simulated:
// bulk pages forward only, so they are refused rather than ignored.
func (q *listQuery) parsePage(v url.Values) error {
	if v.Has("last") || v.Has("before") {
		return errors.New("last and before are not supported by the simulator")
	}
	if v.Has("first") {
		n, err := strconv.Atoi(v.Get("first"))
		if err != nil || n < 1 || n > MaxPageSize {
			return fmt.Errorf("first must be an integer from 1 to %d", MaxPageSize)
		}
		q.first = n
	}
	if v.Get("after") == "" {
		return nil
	}
	var err error
	q.after, err = parseCursor(v.Get("after"))
	return err
}

// parseChoices checks status, order and direction.
func (q *listQuery) parseChoices(v url.Values) error {
	switch {
	case q.status != "" && !slices.Contains(listStatuses, q.status):
		return fmt.Errorf("status must be one of %s", strings.Join(listStatuses, ", "))
	case v.Has("order") && v.Get("order") != "created_at":
		return errors.New("order must be created_at")
	}
	switch v.Get("direction") {
	case "", "desc":
	case "asc":
		q.desc = false
	default:
		return errors.New("direction must be asc or desc")
	}
	return nil
}

// parseDates reads created_after and created_before (ISO 8601).
func (q *listQuery) parseDates(v url.Values) error {
	var err error
	q.createdAfter, err = parseTime(v, "created_after")
	if err != nil {
		return err
	}
	q.createdBefore, err = parseTime(v, "created_before")
	return err
}

func parseTime(v url.Values, name string) (*time.Time, error) {
	if !v.Has(name) {
		return nil, nil
	}
	t, err := time.Parse(time.RFC3339, v.Get(name))
	if err != nil {
		return nil, fmt.Errorf("%s must be an ISO 8601 timestamp", name)
	}
	return &t, nil
}

func nonEmpty(s []string) []string {
	return slices.DeleteFunc(s, func(e string) bool { return e == "" })
}

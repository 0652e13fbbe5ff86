package whopsim

import (
	"cmp"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// v2's list: GET /api/v2/memberships?page=N&per=M, at most 50 a page
// (default 10), filters status, plan_id, product_id, user_id (one each),
// direction; ordered by created_at (default desc), then id.
const (
	V2DefaultPerPage = 10
	V2MaxPerPage     = 50
)

// v2Statuses are the values v2's status filter takes.
var v2Statuses = []string{"active", "trialing", "past_due", "completed", "unresolved", "canceled", "expired"}

// v2ListPage is the answer to a v2 list.
type v2ListPage struct {
	Pagination v2Pagination   `json:"pagination"`
	Data       []v2Membership `json:"data"`
}

type v2Pagination struct {
	CurrentPage int `json:"current_page"`
	TotalPage   int `json:"total_page"`
	TotalCount  int `json:"total_count"`
}

func (a v2API) list(c call) reply {
	page, per, desc, err := parseV2Page(c.query)
	status := c.query.Get("status")
	if err == nil && status != "" && !slices.Contains(v2Statuses, status) {
		err = fmt.Errorf("status must be one of %s", strings.Join(v2Statuses, ", "))
	}
	if err != nil {
		return v2Status(http.StatusBadRequest, err.Error())
	}
	product, plan, user := c.query.Get("product_id"), c.query.Get("plan_id"), c.query.Get("user_id")
	var found []Membership
	for _, m := range a.s.stored() {
		switch {
		case status != "" && m.Status != status,
			product != "" && m.ProductID != product,
			plan != "" && m.PlanID != plan,
			user != "" && m.UserID != user:
			continue
		}
		found = append(found, m)
	}
	slices.SortFunc(found, func(x, y Membership) int {
		c := cmp.Or(cmp.Compare(x.CreatedAt, y.CreatedAt), strings.Compare(x.ID, y.ID))
		if desc {
			return -c
		}
		return c
	})
	out := v2ListPage{Data: []v2Membership{}, Pagination: v2Pagination{
		CurrentPage: page, TotalPage: (len(found) + per - 1) / per, TotalCount: len(found)}}
	start := min((page-1)*per, len(found))
	for _, m := range found[start:min(start+per, len(found))] {
		out.Data = append(out.Data, a.wire(m))
	}
	return jsonReply(http.StatusOK, out)
}

// parseV2Page reads page, per and direction.
func parseV2Page(v url.Values) (page, per int, desc bool, err error) {
	page, per, desc = 1, V2DefaultPerPage, true
	if v.Has("page") {
		if page, err = strconv.Atoi(v.Get("page")); err != nil || page < 1 || page > 1<<30 {
			return 0, 0, false, errors.New("page must be a positive integer")
		}
	}
	if v.Has("per") {
		if per, err = strconv.Atoi(v.Get("per")); err != nil || per < 1 || per > V2MaxPerPage {
			return 0, 0, false, fmt.Errorf("per must be an integer from 1 to %d", V2MaxPerPage)
		}
	}
	switch v.Get("direction") {
	case "", "desc":
	case "asc":
		desc = false
	default:
		return 0, 0, false, errors.New("direction must be asc or desc")
	}
	return page, per, desc, nil
}

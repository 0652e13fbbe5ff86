package whopsim

import (
	"strings"
	"time"
)

// currentMembership is the Current API's Membership object, with every
// field its OpenAPI schema requires. Timestamps are ISO 8601 strings.
// What the simulator does not model is null where the schema allows it
// (license_key, phone_number, canceled_at, cancellation_reason, member:
// a seller-side read) or fixed (cancel_at_period_end false).
type currentMembership struct {
	ID                 string            `json:"id"`
	Status             string            `json:"status"`
	UserID             *string           `json:"user_id"`
	ProductID          string            `json:"product_id"`
	PlanID             string            `json:"plan_id"`
	LicenseKey         *string           `json:"license_key"`
	PhoneNumber        *string           `json:"phone_number"`
	CancelAtPeriodEnd  bool              `json:"cancel_at_period_end"`
	CurrentPeriodStart *string           `json:"current_period_start"`
	CurrentPeriodEnd   *string           `json:"current_period_end"`
	BillingPeriodDays  *int              `json:"billing_period_days"` // newer versions; null unless it renews
	CanceledAt         *string           `json:"canceled_at"`
	CancellationReason *string           `json:"cancellation_reason"`
	ManageURL          *string           `json:"manage_url"`
	Metadata           map[string]any    `json:"metadata"`
	CreatedAt          string            `json:"created_at"`
	Member             *struct{}         `json:"member"`
	Account            storefrontAccount `json:"account"`
}

// storefrontAccount is the business a membership belongs to.
type storefrontAccount struct {
	ID      string  `json:"id"`
	Title   string  `json:"title"`
	Route   string  `json:"route"`
	LogoURL *string `json:"logo_url"`
}

func currentWire(m Membership) currentMembership {
	w := currentMembership{
		ID: m.ID, Status: m.Status, ProductID: m.ProductID, PlanID: m.PlanID,
		CurrentPeriodStart: isoPtr(m.PeriodStart), CurrentPeriodEnd: isoPtr(m.PeriodEnd),
		ManageURL: new("https://whop.com/billing/manage/" + m.ID),
		Metadata:  orEmpty(m.Metadata), CreatedAt: iso(m.CreatedAt),
		Account: storefrontAccount{ID: m.AccountID, Title: "Simulated account " + m.AccountID,
			Route: "sim-" + strings.TrimPrefix(m.AccountID, "biz_")},
	}
	if m.UserID != "" {
		w.UserID = new(m.UserID)
	}
	if m.Renews && m.PeriodDays > 0 {
		w.BillingPeriodDays = new(m.PeriodDays)
	}
	return w
}

// isoLayout is how the Current API writes a time: UTC, milliseconds.
const isoLayout = "2006-01-02T15:04:05.000Z"

func iso(unix int64) string { return time.Unix(unix, 0).UTC().Format(isoLayout) }

func isoPtr(unix *int64) *string {
	if unix == nil {
		return nil
	}
	return new(iso(*unix))
}

// currentErrorBody is the inside of the Current API's error shape
// {"error":{"type":...,"message":...,"code":...}}; code only when there is one.
type currentErrorBody struct {
	Type    string `json:"type"`
	Message string `json:"message"`
	Code    string `json:"code,omitempty"`
}

func currentError(status int, typ, code, message string) reply {
	return jsonReply(status, map[string]currentErrorBody{"error": {Type: typ, Message: message, Code: code}})
}

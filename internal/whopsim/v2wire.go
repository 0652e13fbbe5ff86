package whopsim

import "fmt"

// v2Membership is the v2 membership object: the fields bulk reads, then
// others the real object carries, which clients must ignore. Timestamps
// are Unix seconds.
type v2Membership struct {
	ID                 string         `json:"id"`
	Status             string         `json:"status"`
	Valid              bool           `json:"valid"`
	Email              string         `json:"email"`
	Metadata           map[string]any `json:"metadata"`
	ExpiresAt          *int64         `json:"expires_at"`
	RenewalPeriodStart *int64         `json:"renewal_period_start"`
	RenewalPeriodEnd   *int64         `json:"renewal_period_end"`
	CreatedAt          int64          `json:"created_at"`
	CompanyID          string         `json:"company_id"`
	Product            string         `json:"product"`
	User               string         `json:"user"`
	Plan               string         `json:"plan"`
	PromoCode          *string        `json:"promo_code"`
	CancelAtPeriodEnd  bool           `json:"cancel_at_period_end"`
	PaymentProcessor   string         `json:"payment_processor"`
	LicenseKey         string         `json:"license_key"`
	Quantity           int            `json:"quantity"`
	ManageURL          string         `json:"manage_url"`
}

// wire renders m: a renewing membership shows its period as
// renewal_period_start/end, a one-time one its end as expires_at.
func (v2API) wire(m Membership) v2Membership {
	h := hashID(m.ID)
	w := v2Membership{
		ID: m.ID, Status: m.Status, Valid: m.valid(),
		Email:     fmt.Sprintf("user%06d@example.com", h%1_000_000),
		Metadata:  orEmpty(m.Metadata),
		CreatedAt: m.CreatedAt, CompanyID: m.AccountID, Product: m.ProductID, User: m.UserID, Plan: m.PlanID,
		PaymentProcessor: "stripe", LicenseKey: licenseKey(h), Quantity: 1,
		ManageURL: "https://whop.com/orders/" + m.ID + "/manage",
	}
	if m.Renews {
		w.RenewalPeriodStart, w.RenewalPeriodEnd = m.PeriodStart, m.PeriodEnd
	} else {
		w.ExpiresAt = m.PeriodEnd
	}
	return w
}

// orEmpty is md, or an empty object for nil: metadata is never null.
func orEmpty(md map[string]any) map[string]any {
	if md == nil {
		return map[string]any{}
	}
	return md
}

// v2ErrorBody is the inside of v2's documented error shape
// {"error":{"status":...,"message":...}}, or of its other documented
// shape {"error":{"code":404,"message":...}}.
type v2ErrorBody struct {
	Status  any    `json:"status,omitempty"` // an integer, or a name such as "bad_request"
	Code    int    `json:"code,omitempty"`
	Message string `json:"message"`
}

func v2Error(status int, body v2ErrorBody) reply {
	return jsonReply(status, map[string]v2ErrorBody{"error": body})
}

func v2Status(status int, message string) reply {
	return v2Error(status, v2ErrorBody{Status: status, Message: message})
}

func v2Named(status int, name, message string) reply {
	return v2Error(status, v2ErrorBody{Status: name, Message: message})
}

func v2NotFound(message string) reply {
	return v2Error(404, v2ErrorBody{Code: 404, Message: message})
}

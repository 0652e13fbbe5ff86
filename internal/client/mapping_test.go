package client

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

func i64(v int64) *int64 { return &v }

func describe(m *Membership) string {
	if m == nil {
		return "<nil>"
	}
	t := func(p *int64) string {
		if p == nil {
			return "nil"
		}
		return fmt.Sprint(*p)
	}
	return fmt.Sprintf("{%s %s account=%q title=%q start=%s end=%s metadata=%s status=%d product=%q plan=%q user=%q created=%s}",
		m.ID, m.Status, m.Account, m.AccountTitle, t(m.PeriodStart), t(m.PeriodEnd), m.Metadata, m.HTTPStatus, m.ProductID, m.PlanID, m.UserID, t(m.CreatedAt))
}

const noon = 1767268800 // 2026-01-01T12:00:00Z

// The Current API's membership, mapped onto Membership: ISO 8601 dates
// with or without a fraction, nulls, the account, metadata.
func TestCurrentMapping(t *testing.T) {
	tests := []struct {
		name, body string
		want       Membership
	}{
		{"full", `{"id":"mem_a","status":"active","current_period_start":"2025-12-01T12:00:00.000Z",
			"current_period_end":"2026-01-01T12:00:00.000Z","metadata":{"a":1},"account":{"id":"biz_1","title":"Shop"},
			"product_id":"prod_1","plan_id":"plan_1","user_id":"user_1","created_at":"2025-06-01T08:30:00Z",
			"billing_period_days":30,"cancel_at_period_end":false,"member":{"id":"mber_1"},"new_field":[1,{"x":null}]}`,
			Membership{ID: "mem_a", Status: "active", Account: "biz_1", AccountTitle: "Shop", PeriodStart: i64(noon - 31*86400), PeriodEnd: i64(noon),
				Metadata: json.RawMessage(`{"a":1}`), HTTPStatus: 200, ProductID: "prod_1", PlanID: "plan_1", UserID: "user_1",
				CreatedAt: i64(1748766600)}},
		{"without millis", `{"id":"mem_a","current_period_end":"2026-01-01T12:00:00Z"}`,
			Membership{ID: "mem_a", PeriodEnd: i64(noon), HTTPStatus: 200}},
		{"offset and nanoseconds", `{"id":"mem_a","current_period_end":"2026-01-01T13:00:00.123456789+01:00"}`,
			Membership{ID: "mem_a", PeriodEnd: i64(noon), HTTPStatus: 200}},
		{"nulls", `{"id":"mem_a","status":"active","current_period_start":null,"current_period_end":null,"metadata":null,
			"account":null,"user_id":null,"created_at":null}`,
			Membership{ID: "mem_a", Status: "active", HTTPStatus: 200}},
		{"absent", `{"id":"mem_a"}`, Membership{ID: "mem_a", HTTPStatus: 200}},
		{"account_id fallback", `{"id":"mem_a","account_id":"biz_2"}`, Membership{ID: "mem_a", Account: "biz_2", HTTPStatus: 200}},
		{"account wins over account_id", `{"id":"mem_a","account_id":"biz_2","account":{"id":"biz_1"}}`,
			Membership{ID: "mem_a", Account: "biz_1", HTTPStatus: 200}},
		{"account title", `{"id":"mem_a","account":{"id":"biz_1","title":"Acme \u00e9 Co"}}`, Membership{ID: "mem_a", Account: "biz_1", AccountTitle: "Acme é Co", HTTPStatus: 200}},
		{"Unix seconds, leniently", `{"id":"mem_a","current_period_end":1767268800}`,
			Membership{ID: "mem_a", PeriodEnd: i64(noon), HTTPStatus: 200}},
		{"empty metadata", `{"id":"mem_a","metadata":{}}`, Membership{ID: "mem_a", Metadata: json.RawMessage(`{}`), HTTPStatus: 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, base := newAPI(t, reply(200, tt.body))
			m, err := newClient(t, "current", base).Get(testCtx(t), "mem_a")
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*m, tt.want) {
				t.Errorf("got  %s\nwant %s", describe(m), describe(&tt.want))
			}
		})
	}
}

// v2's membership: the date free days move is renewal_period_end when set,
// else expires_at; timestamps are Unix seconds, read leniently.
func TestV2Mapping(t *testing.T) {
	tests := []struct {
		name, body string
		want       Membership
	}{
		{"renews", `{"id":"mem_a","status":"active","valid":true,"email":"a@b.c","renewal_period_start":1764676800,
			"renewal_period_end":1767268800,"expires_at":1799971200,"metadata":{"k":"v"},"created_at":1748766600,
			"product":"prod_1","plan":"plan_1","user":"user_1"}`,
			Membership{ID: "mem_a", Status: "active", PeriodStart: i64(1764676800), PeriodEnd: i64(noon),
				Metadata: json.RawMessage(`{"k":"v"}`), HTTPStatus: 200,
				ProductID: "prod_1", PlanID: "plan_1", UserID: "user_1", CreatedAt: i64(1748766600)}},
		{"expanded references, unreadable created_at", `{"id":"mem_a","product":{"id":"prod_2","title":"P"},"plan":{"id":"plan_2"},
			"user":null,"created_at":"yesterday"}`,
			Membership{ID: "mem_a", ProductID: "prod_2", PlanID: "plan_2", HTTPStatus: 200}},
		{"expires", `{"id":"mem_a","renewal_period_start":null,"renewal_period_end":null,"expires_at":1799971200}`,
			Membership{ID: "mem_a", PeriodEnd: i64(1799971200), HTTPStatus: 200}},
		{"lifetime", `{"id":"mem_a","renewal_period_end":null,"expires_at":null,"metadata":null}`,
			Membership{ID: "mem_a", HTTPStatus: 200}},
		{"float without fraction", `{"id":"mem_a","renewal_period_end":1.7672688e9}`,
			Membership{ID: "mem_a", PeriodEnd: i64(noon), HTTPStatus: 200}},
		{"numeric string", `{"id":"mem_a","renewal_period_end":"1767268800"}`,
			Membership{ID: "mem_a", PeriodEnd: i64(noon), HTTPStatus: 200}},
		{"RFC 3339 string", `{"id":"mem_a","expires_at":"2027-01-15T00:00:00Z"}`,
			Membership{ID: "mem_a", PeriodEnd: i64(1799971200), HTTPStatus: 200}},
		{"account is not v2's", `{"id":"mem_a","account":{"id":"biz_1"},"account_id":"biz_1"}`,
			Membership{ID: "mem_a", HTTPStatus: 200}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, base := newAPI(t, reply(201, tt.body))
			m, err := newClient(t, "v2", base).Extend(testCtx(t), "mem_a", 7, "k")
			tt.want.HTTPStatus = 201
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(*m, tt.want) {
				t.Errorf("got  %s\nwant %s", describe(m), describe(&tt.want))
			}
		})
	}
}

// A 2xx whose membership cannot be read, or is another membership, is an
// unknown outcome: the request may have been applied.
func TestUnreadableSuccessIsUnknown(t *testing.T) {
	tests := []struct {
		name, body string
	}{
		{"another membership", `{"id":"mem_b","current_period_end":"2026-01-01T12:00:00Z","renewal_period_end":1767268800}`},
		{"no id", `{"status":"active"}`},
		{"empty body", ``},
		{"not JSON", `<html>ok</html>`},
		{"an array", `[{"id":"mem_a"}]`},
		{"a bad date", `{"id":"mem_a","current_period_end":"soon","renewal_period_end":"soon"}`},
		{"a date with a fraction of a second as a number", `{"id":"mem_a","current_period_end":1.5,"renewal_period_end":1.5}`},
		{"a boolean date", `{"id":"mem_a","current_period_end":true,"renewal_period_end":true}`},
		{"a wrongly typed id", `{"id":7}`},
	}
	for _, tt := range tests {
		for _, api := range []string{"current", "v2"} {
			t.Run(api+" "+tt.name, func(t *testing.T) {
				_, base := newAPI(t, reply(200, tt.body))
				m, err := newClient(t, api, base).Extend(testCtx(t), "mem_a", 7, "k")
				if m != nil {
					t.Errorf("got a membership %s", describe(m))
				}
				if e := asError(t, err); e.Kind != Unknown || e.Status != 200 {
					t.Errorf("%v (kind %v), want Unknown", err, e.Kind)
				}
			})
		}
	}
}

// Any 2xx is a success, in either dialect.
func TestAny2xxIsSuccess(t *testing.T) {
	for _, api := range []string{"current", "v2"} {
		for _, status := range []int{200, 201, 202} {
			_, base := newAPI(t, reply(status, `{"id":"mem_a"}`))
			m, err := newClient(t, api, base).Extend(testCtx(t), "mem_a", 7, "k")
			if err != nil || m.HTTPStatus != status {
				t.Errorf("%s %d: %s, %v", api, status, describe(m), err)
			}
		}
	}
}

package whopsim

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestV2RoutesHappyPath(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		want       func(m v2Membership) bool
	}{
		{"get", "GET", "/memberships/mem_renew", "", 200,
			func(m v2Membership) bool { return *m.RenewalPeriodEnd == renewEnd && m.ExpiresAt == nil && m.Valid }},
		{"get ignores expand", "GET", "/memberships/mem_renew?expand[]=product&expand[]=user", "", 200,
			func(m v2Membership) bool { return m.ID == "mem_renew" }},
		{"add days to renewing", "POST", "/memberships/mem_renew/add_free_days", `{"days":7}`, 201,
			func(m v2Membership) bool {
				return *m.RenewalPeriodEnd == renewEnd+7*day && *m.RenewalPeriodStart == renewStart
			}},
		{"add days to one-time", "POST", "/memberships/mem_once/add_free_days", `{"days":1095}`, 201,
			func(m v2Membership) bool { return *m.ExpiresAt == onceEnd+1095*day && m.RenewalPeriodEnd == nil }},
		{"add one day", "POST", "/memberships/mem_once/add_free_days", `{"days":1,"extra":true}`, 201,
			func(m v2Membership) bool { return *m.ExpiresAt == onceEnd+day }},
		{"update metadata", "POST", "/memberships/mem_renew", `{"metadata":{"note":"x","n":2}}`, 201,
			func(m v2Membership) bool { return reflect.DeepEqual(m.Metadata, map[string]any{"note": "x", "n": 2.0}) }},
		{"metadata on lifetime", "POST", "/memberships/mem_life", `{"metadata":{}}`, 201,
			func(m v2Membership) bool { return len(m.Metadata) == 0 && m.Metadata != nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, Config{API: APIV2})
			fixtures(h.sim)
			got := h.send(tt.method, tt.path, tt.body, nil)
			if got.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", got.status, tt.wantStatus, got.body)
			}
			if ct := got.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			if m := decode[v2Membership](t, got.body); !tt.want(m) {
				t.Errorf("membership not as expected: %s", got.body)
			}
		})
	}
}

func TestV2MembershipObject(t *testing.T) {
	h := start(t, Config{API: APIV2})
	fixtures(h.sim)
	h.sim.Put(Membership{ID: "mem_gone", Status: "canceled", Renews: true, PeriodDays: 30,
		PeriodStart: ptr(renewStart), PeriodEnd: ptr(renewEnd), CreatedAt: renewStart - day})
	tests := []struct {
		id   string
		want map[string]any // the fields the model decides
	}{
		{"mem_renew", map[string]any{"status": "active", "valid": true, "expires_at": nil,
			"renewal_period_start": float64(renewStart), "renewal_period_end": float64(renewEnd),
			"created_at": float64(renewStart - 100*day), "product": "prod_a", "plan": "plan_monthly",
			"user": "user_1", "company_id": "biz_1", "metadata": map[string]any{"source": "checkout", "tier": "gold"}}},
		{"mem_once", map[string]any{"valid": true, "expires_at": float64(onceEnd),
			"renewal_period_start": nil, "renewal_period_end": nil, "metadata": map[string]any{}}},
		{"mem_life", map[string]any{"expires_at": nil, "renewal_period_start": nil, "renewal_period_end": nil}},
		{"mem_gone", map[string]any{"status": "canceled", "valid": false, "renewal_period_end": float64(renewEnd)}},
	}
	for _, tt := range tests {
		got := decode[map[string]any](t, h.get(tt.id).body)
		for k, want := range tt.want {
			if !reflect.DeepEqual(got[k], want) {
				t.Errorf("%s: %s = %#v, want %#v", tt.id, k, got[k], want)
			}
		}
		for _, k := range []string{"id", "email", "license_key", "manage_url", "promo_code",
			"cancel_at_period_end", "quantity", "payment_processor"} {
			if _, ok := got[k]; !ok {
				t.Errorf("%s: field %q missing from %v", tt.id, k, got)
			}
		}
	}
}

func TestV2Errors(t *testing.T) {
	long := strings.Repeat("k", 101)
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		header     map[string]string
		wantStatus int
		wantBody   string
	}{
		{"no key", "GET", "/memberships/mem_renew", "", map[string]string{"Authorization": ""}, 401,
			`{"error":{"status":401,"message":"You must provide an API key as 'Authorization: Bearer <key>'"}}`},
		{"not bearer", "GET", "/memberships/mem_renew", "", map[string]string{"Authorization": testKey}, 401,
			`{"error":{"status":401,"message":"You must provide an API key as 'Authorization: Bearer <key>'"}}`},
		{"wrong key", "GET", "/memberships/mem_renew", "", map[string]string{"Authorization": "Bearer nope"}, 401,
			`{"error":{"status":401,"message":"Invalid API key"}}`},
		{"wrong key on unknown route", "GET", "/plans", "", map[string]string{"Authorization": "Bearer nope"}, 401,
			`{"error":{"status":401,"message":"Invalid API key"}}`},
		{"read-only key posts", "POST", "/memberships/mem_renew/add_free_days", `{"days":1}`,
			map[string]string{"Authorization": "Bearer sk_read"}, 403,
			`{"error":{"status":403,"message":"This API key is not permitted to perform this action"}}`},
		{"unknown membership", "GET", "/memberships/mem_nobody", "", nil, 404,
			`{"error":{"code":404,"message":"No such Resource found with the provided ID: mem_nobody"}}`},
		{"unknown membership add days", "POST", "/memberships/mem_nobody/add_free_days", `{"days":1}`, nil, 404,
			`{"error":{"code":404,"message":"No such Resource found with the provided ID: mem_nobody"}}`},
		{"unknown route", "GET", "/plans/plan_1", "", nil, 404,
			`{"error":{"code":404,"message":"No such Resource found"}}`},
		{"wrong method", "GET", "/memberships/mem_renew/add_free_days", "", nil, 404,
			`{"error":{"code":404,"message":"No such Resource found"}}`},
		{"current route", "POST", "/memberships/mem_renew/extend", `{"days":1}`, nil, 404,
			`{"error":{"code":404,"message":"No such Resource found"}}`},
		{"malformed json", "POST", "/memberships/mem_renew/add_free_days", `{"days":`, nil, 400,
			`{"error":{"status":"bad_request","message":"The request body must be a JSON object"}}`},
		{"body not an object", "POST", "/memberships/mem_renew", `[1]`, nil, 400,
			`{"error":{"status":"bad_request","message":"The request body must be a JSON object"}}`},
		{"body null", "POST", "/memberships/mem_renew", `null`, nil, 400,
			`{"error":{"status":"bad_request","message":"The request body must be a JSON object"}}`},
		{"empty body", "POST", "/memberships/mem_renew", ``, nil, 400,
			`{"error":{"status":"bad_request","message":"The request body must be a JSON object"}}`},
		{"days missing", "POST", "/memberships/mem_renew/add_free_days", `{}`, nil, 422,
			`{"error":{"status":422,"message":"Parameter days is required"}}`},
		{"days zero", "POST", "/memberships/mem_renew/add_free_days", `{"days":0}`, nil, 422,
			`{"error":{"status":422,"message":"Parameter days must be between 1 and 1095"}}`},
		{"days too many", "POST", "/memberships/mem_renew/add_free_days", `{"days":1096}`, nil, 422,
			`{"error":{"status":422,"message":"Parameter days must be between 1 and 1095"}}`},
		{"days negative", "POST", "/memberships/mem_renew/add_free_days", `{"days":-3}`, nil, 422,
			`{"error":{"status":422,"message":"Parameter days must be between 1 and 1095"}}`},
		{"days huge", "POST", "/memberships/mem_renew/add_free_days", `{"days":99999999999999999999}`, nil, 422,
			`{"error":{"status":422,"message":"Parameter days must be between 1 and 1095"}}`},
		{"days fraction", "POST", "/memberships/mem_renew/add_free_days", `{"days":1.5}`, nil, 422,
			`{"error":{"status":422,"message":"Parameter days must be an integer"}}`},
		{"days exponent", "POST", "/memberships/mem_renew/add_free_days", `{"days":1e1}`, nil, 422,
			`{"error":{"status":422,"message":"Parameter days must be an integer"}}`},
		{"days string", "POST", "/memberships/mem_renew/add_free_days", `{"days":"5"}`, nil, 422,
			`{"error":{"status":422,"message":"Parameter days must be an integer"}}`},
		{"days null", "POST", "/memberships/mem_renew/add_free_days", `{"days":null}`, nil, 422,
			`{"error":{"status":422,"message":"Parameter days must be an integer"}}`},
		{"lifetime", "POST", "/memberships/mem_life/add_free_days", `{"days":5}`, nil, 422,
			`{"error":{"status":"unprocessable_entity","message":"This membership has no renewal or expiration date to extend"}}`},
		{"metadata missing", "POST", "/memberships/mem_renew", `{"meta":{}}`, nil, 422,
			`{"error":{"status":422,"message":"Parameter metadata is required"}}`},
		{"metadata array", "POST", "/memberships/mem_renew", `{"metadata":[]}`, nil, 422,
			`{"error":{"status":422,"message":"Parameter metadata must be an object"}}`},
		{"metadata null", "POST", "/memberships/mem_renew", `{"metadata":null}`, nil, 422,
			`{"error":{"status":422,"message":"Parameter metadata must be an object"}}`},
		{"metadata 51 keys", "POST", "/memberships/mem_renew", metadataBody(51, 1, 1), nil, 422,
			`{"error":{"status":422,"message":"Metadata can have at most 50 keys"}}`},
		{"metadata long key", "POST", "/memberships/mem_renew", `{"metadata":{"` + long + `":1}}`, nil, 422,
			`{"error":{"status":422,"message":"Metadata keys can be at most 100 characters"}}`},
		{"metadata long value", "POST", "/memberships/mem_renew", metadataBody(1, 1, 501), nil, 422,
			`{"error":{"status":422,"message":"Metadata value for key \"k00\" can be at most 500 characters"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, Config{API: APIV2, ReadOnlyKey: "sk_read"})
			fixtures(h.sim)
			got := h.send(tt.method, tt.path, tt.body, tt.header)
			if got.status != tt.wantStatus {
				t.Errorf("status = %d, want %d", got.status, tt.wantStatus)
			}
			if !sameJSON(t, got.body, tt.wantBody) {
				t.Errorf("body = %s, want %s", got.body, tt.wantBody)
			}
			if n := len(h.sim.Ledger()); n != 0 {
				t.Errorf("ledger has %d entries, want none", n)
			}
		})
	}
}

// metadataBody is an update with n keys "k00".., each key padded to keyLen
// characters and each value a string of valueLen characters (multi-byte,
// so limits are shown to count characters, not bytes).
func metadataBody(n, keyLen, valueLen int) string {
	md := map[string]string{}
	for i := range n {
		k := fmt.Sprintf("k%02d", i)
		if keyLen > len(k) {
			k += strings.Repeat("é", keyLen-len(k))
		}
		md[k] = strings.Repeat("é", valueLen)
	}
	b, _ := json.Marshal(map[string]any{"metadata": md})
	return string(b)
}

func TestMetadataLimitsAccepted(t *testing.T) {
	tests := []struct {
		name string
		body string
	}{
		{"50 keys", metadataBody(50, 3, 1)},
		{"100-character key", metadataBody(1, 100, 1)},
		{"500-character value", metadataBody(1, 3, 500)},
		{"nested values", `{"metadata":{"a":{"b":[1,"x",null]},"c":true}}`},
	}
	for _, api := range []string{APIV2, APICurrent} {
		for _, tt := range tests {
			t.Run(api+" "+tt.name, func(t *testing.T) {
				h := start(t, Config{API: api})
				fixtures(h.sim)
				if got := h.setMetadata("mem_renew", tt.body); got.status/100 != 2 {
					t.Errorf("status = %d, want 2xx; body %s", got.status, got.body)
				}
			})
		}
	}
}

func TestV2UpdateMetadataReplaces(t *testing.T) {
	h := start(t, Config{API: APIV2})
	fixtures(h.sim)
	got := h.send("POST", "/memberships/mem_renew", `{"metadata":{"note":"compensated"}}`, map[string]string{"Idempotency-Key": "k1"})
	if got.status != 201 {
		t.Fatalf("status = %d, want 201", got.status)
	}
	want := map[string]any{"note": "compensated"}
	if m, _ := h.sim.Get("mem_renew"); !reflect.DeepEqual(m.Metadata, want) {
		t.Errorf("metadata = %v, want %v (replaced, not merged)", m.Metadata, want)
	}
	ledger := h.sim.Ledger()
	if len(ledger) != 1 {
		t.Fatalf("ledger has %d entries, want 1", len(ledger))
	}
	e := ledger[0]
	if e.Op != OpUpdateMetadata || e.ID != "mem_renew" || e.IdempotencyKey != "k1" {
		t.Errorf("entry = %s %s key %q, want update_metadata mem_renew key k1", e.Op, e.ID, e.IdempotencyKey)
	}
	if wantBefore := map[string]any{"source": "checkout", "tier": "gold"}; !reflect.DeepEqual(e.Before.Metadata, wantBefore) {
		t.Errorf("before = %v, want %v", e.Before.Metadata, wantBefore)
	}
	if !reflect.DeepEqual(e.After.Metadata, want) || !reflect.DeepEqual(e.Metadata, want) {
		t.Errorf("after = %v, sent = %v, want %v", e.After.Metadata, e.Metadata, want)
	}
}

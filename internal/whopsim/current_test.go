package whopsim

import (
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"
)

// isoOf is the Current API's form of a Unix time.
func isoOf(unix int64) string { return time.Unix(unix, 0).UTC().Format("2006-01-02T15:04:05.000Z") }

func TestCurrentRoutesHappyPath(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		want       func(m currentMembership) bool
	}{
		{"read", "GET", "/memberships/mem_renew", "", 200, func(m currentMembership) bool {
			return *m.CurrentPeriodEnd == "2026-12-01T00:00:00.000Z" && *m.CurrentPeriodStart == "2026-11-01T00:00:00.000Z"
		}},
		{"extend renewing", "POST", "/memberships/mem_renew/extend", `{"days":7}`, 200, func(m currentMembership) bool {
			return *m.CurrentPeriodEnd == isoOf(renewEnd+7*day) && *m.CurrentPeriodStart == isoOf(renewStart)
		}},
		{"extend one-time", "POST", "/memberships/mem_once/extend", `{"days":1095}`, 200, func(m currentMembership) bool {
			return *m.CurrentPeriodEnd == isoOf(onceEnd+1095*day) && m.CurrentPeriodStart == nil
		}},
		{"extend ignores other fields", "POST", "/memberships/mem_once/extend", `{"days":1,"note":"x"}`, 200, func(m currentMembership) bool {
			return *m.CurrentPeriodEnd == isoOf(onceEnd+day)
		}},
		{"extend canceled from its past end", "POST", "/memberships/mem_gone/extend", `{"days":3}`, 200, func(m currentMembership) bool {
			return m.Status == "canceled" && *m.CurrentPeriodEnd == isoOf(renewStart-30*day+3*day)
		}},
		{"patch merges", "PATCH", "/memberships/mem_renew", `{"metadata":{"note":"x","tier":"silver"}}`, 200, func(m currentMembership) bool {
			return reflect.DeepEqual(m.Metadata, map[string]any{"source": "checkout", "tier": "silver", "note": "x"})
		}},
		{"patch {} clears", "PATCH", "/memberships/mem_renew", `{"metadata":{}}`, 200, func(m currentMembership) bool {
			return m.Metadata != nil && len(m.Metadata) == 0
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, Config{})
			fixtures(h.sim)
			h.sim.Put(Membership{ID: "mem_gone", Status: "canceled", PeriodEnd: ptr(renewStart - 30*day), CreatedAt: renewStart - 60*day})
			got := h.send(tt.method, tt.path, tt.body, nil)
			if got.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", got.status, tt.wantStatus, got.body)
			}
			if ct := got.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			if m := decode[currentMembership](t, got.body); !tt.want(m) {
				t.Errorf("membership not as expected: %s", got.body)
			}
		})
	}
}

func TestCurrentMembershipObject(t *testing.T) {
	h := start(t, Config{})
	fixtures(h.sim)
	required := []string{"id", "status", "user_id", "product_id", "plan_id", "license_key", "phone_number",
		"cancel_at_period_end", "current_period_start", "current_period_end", "canceled_at", "cancellation_reason",
		"manage_url", "metadata", "created_at", "member", "account"}
	tests := []struct {
		id   string
		want map[string]any
	}{
		{"mem_renew", map[string]any{"id": "mem_renew", "status": "active", "user_id": "user_1", "product_id": "prod_a",
			"plan_id": "plan_monthly", "current_period_start": "2026-11-01T00:00:00.000Z",
			"current_period_end": "2026-12-01T00:00:00.000Z", "created_at": "2026-07-24T00:00:00.000Z",
			"billing_period_days": 30.0, "cancel_at_period_end": false, "canceled_at": nil, "member": nil,
			"metadata": map[string]any{"source": "checkout", "tier": "gold"}}},
		{"mem_once", map[string]any{"current_period_start": nil, "current_period_end": isoOf(onceEnd),
			"billing_period_days": nil, "metadata": map[string]any{}}},
		{"mem_life", map[string]any{"current_period_start": nil, "current_period_end": nil}},
	}
	for _, tt := range tests {
		got := decode[map[string]any](t, h.get(tt.id).body)
		for _, k := range required {
			if _, ok := got[k]; !ok {
				t.Errorf("%s: required field %q missing", tt.id, k)
			}
		}
		for k, want := range tt.want {
			if !reflect.DeepEqual(got[k], want) {
				t.Errorf("%s: %s = %#v, want %#v", tt.id, k, got[k], want)
			}
		}
		account, _ := got["account"].(map[string]any)
		if account["id"] != "biz_1" || account["title"] == "" || account["route"] == "" || account["logo_url"] != nil || len(account) != 4 {
			t.Errorf("%s: account = %v, want {id biz_1, title, route, logo_url null}", tt.id, account)
		}
		for _, k := range []string{"valid", "email", "expires_at", "renewal_period_end"} {
			if _, ok := got[k]; ok {
				t.Errorf("%s: v2 field %q in a Current answer", tt.id, k)
			}
		}
	}
}

func TestCurrentErrors(t *testing.T) {
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
			`{"error":{"type":"unauthorized","message":"Missing API key: send 'Authorization: Bearer <key>'"}}`},
		{"wrong key", "GET", "/memberships/mem_renew", "", map[string]string{"Authorization": "Bearer nope"}, 401,
			`{"error":{"type":"unauthorized","message":"Invalid API key"}}`},
		{"read-only key extends", "POST", "/memberships/mem_renew/extend", `{"days":1}`,
			map[string]string{"Authorization": "Bearer sk_read"}, 403,
			`{"error":{"type":"forbidden","message":"The API key lacks the member:manage scope"}}`},
		{"read-only key patches", "PATCH", "/memberships/mem_renew", `{"metadata":{}}`,
			map[string]string{"Authorization": "Bearer sk_read"}, 403,
			`{"error":{"type":"forbidden","message":"The API key lacks the member:manage scope"}}`},
		{"unknown version", "GET", "/memberships/mem_renew", "", map[string]string{"Api-Version-Date": "2025-01-01"}, 400,
			`{"error":{"type":"bad_request","code":"unsupported_api_version","message":"Unsupported Api-Version-Date \"2025-01-01\". Supported versions: 2026-09-25, 2026-11-17."}}`},
		{"unknown membership", "GET", "/memberships/mem_nobody", "", nil, 404,
			`{"error":{"type":"not_found","message":"Membership not found"}}`},
		{"unknown membership extend", "POST", "/memberships/mem_nobody/extend", `{"days":1}`, nil, 404,
			`{"error":{"type":"not_found","message":"Membership not found"}}`},
		{"unknown route", "GET", "/plans/plan_1", "", nil, 404, `{"error":{"type":"not_found","message":"Resource not found"}}`},
		{"v2 route", "POST", "/memberships/mem_renew/add_free_days", `{"days":1}`, nil, 404,
			`{"error":{"type":"not_found","message":"Resource not found"}}`},
		{"v2 metadata post", "POST", "/memberships/mem_renew", `{"metadata":{}}`, nil, 404,
			`{"error":{"type":"not_found","message":"Resource not found"}}`},
		{"malformed json", "POST", "/memberships/mem_renew/extend", `{"days":`, nil, 400,
			`{"error":{"type":"bad_request","message":"The request body must be a JSON object"}}`},
		{"body not an object", "PATCH", "/memberships/mem_renew", `"x"`, nil, 400,
			`{"error":{"type":"bad_request","message":"The request body must be a JSON object"}}`},
		{"days missing", "POST", "/memberships/mem_renew/extend", `{}`, nil, 400,
			`{"error":{"type":"bad_request","message":"days is required"}}`},
		{"days zero", "POST", "/memberships/mem_renew/extend", `{"days":0}`, nil, 400,
			`{"error":{"type":"bad_request","message":"days must be between 1 and 1095"}}`},
		{"days too many", "POST", "/memberships/mem_renew/extend", `{"days":1096}`, nil, 400,
			`{"error":{"type":"bad_request","message":"days must be between 1 and 1095"}}`},
		{"days fraction", "POST", "/memberships/mem_renew/extend", `{"days":2.5}`, nil, 400,
			`{"error":{"type":"bad_request","message":"days must be an integer"}}`},
		{"days string", "POST", "/memberships/mem_renew/extend", `{"days":"2"}`, nil, 400,
			`{"error":{"type":"bad_request","message":"days must be an integer"}}`},
		{"lifetime", "POST", "/memberships/mem_life/extend", `{"days":5}`, nil, 422,
			`{"error":{"type":"unprocessable_entity","message":"This membership has no billing period or expiration to extend"}}`},
		{"no updatable fields", "PATCH", "/memberships/mem_renew", `{"cancel":true}`, nil, 400,
			`{"error":{"type":"bad_request","message":"no updatable fields given"}}`},
		{"metadata not an object", "PATCH", "/memberships/mem_renew", `{"metadata":[]}`, nil, 400,
			`{"error":{"type":"bad_request","message":"metadata must be an object"}}`},
		{"metadata null value", "PATCH", "/memberships/mem_renew", `{"metadata":{"tier":null}}`, nil, 400,
			`{"error":{"type":"bad_request","message":"metadata values must not be null: deleting a key is not supported"}}`},
		{"metadata 51 keys", "PATCH", "/memberships/mem_renew", metadataBody(51, 1, 1), nil, 422,
			`{"error":{"type":"unprocessable_entity","message":"Metadata can have at most 50 keys"}}`},
		{"metadata long key", "PATCH", "/memberships/mem_renew", `{"metadata":{"` + long + `":1}}`, nil, 422,
			`{"error":{"type":"unprocessable_entity","message":"Metadata keys can be at most 100 characters"}}`},
		{"metadata long value", "PATCH", "/memberships/mem_renew", metadataBody(1, 1, 501), nil, 422,
			`{"error":{"type":"unprocessable_entity","message":"Metadata value for key \"k00\" can be at most 500 characters"}}`},
		{"idempotency key too long", "POST", "/memberships/mem_renew/extend", `{"days":1}`,
			map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}, 400,
			`{"error":{"type":"bad_request","message":"Idempotency-Key must be at most 255 bytes"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, Config{ReadOnlyKey: "sk_read"})
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

func TestCurrentReadOnlyKeyReads(t *testing.T) {
	h := start(t, Config{ReadOnlyKey: "sk_read"})
	fixtures(h.sim)
	ro := map[string]string{"Authorization": "Bearer sk_read"}
	for _, path := range []string{"/memberships/mem_renew", "/memberships"} {
		if got := h.send("GET", path, "", ro); got.status != 200 {
			t.Errorf("GET %s with the read-only key: status = %d, want 200; %s", path, got.status, got.body)
		}
	}
}

func TestCurrentVersions(t *testing.T) {
	tests := []struct {
		name       string
		versions   []string
		header     string
		wantStatus int
	}{
		{"latest", nil, "2026-11-17", 200},
		{"older", nil, "2026-09-25", 200},
		{"absent: the latest", nil, "", 200},
		{"unknown", nil, "2026-11-18", 400},
		{"configured", []string{"2027-01-01"}, "2027-01-01", 200},
		{"no longer configured", []string{"2027-01-01"}, "2026-11-17", 400},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, Config{Versions: tt.versions})
			fixtures(h.sim)
			got := h.send("GET", "/memberships/mem_renew", "", map[string]string{"Api-Version-Date": tt.header})
			if got.status != tt.wantStatus {
				t.Errorf("status = %d, want %d; %s", got.status, tt.wantStatus, got.body)
			}
			if reqs := h.sim.Requests(); len(reqs) != 1 || reqs[0].Version != tt.header || reqs[0].Op != OpRead {
				t.Errorf("log = %+v, want one read with version %q", reqs, tt.header)
			}
		})
	}
	h := start(t, Config{Versions: []string{"2027-01-01", "2027-02-01"}})
	got := h.send("GET", "/memberships/x", "", map[string]string{"Api-Version-Date": "x"})
	if want := `Supported versions: 2027-01-01, 2027-02-01.`; !strings.Contains(got.body, want) {
		t.Errorf("body = %s, want it to list %q", got.body, want)
	}
}

func TestCurrentPatchMergeThenClear(t *testing.T) {
	h := start(t, Config{})
	fixtures(h.sim)
	steps := []struct {
		body string
		want map[string]any
	}{
		{`{"metadata":{"note":"a"}}`, map[string]any{"source": "checkout", "tier": "gold", "note": "a"}},
		{`{"metadata":{"note":"b","n":1}}`, map[string]any{"source": "checkout", "tier": "gold", "note": "b", "n": 1.0}},
		{`{"metadata":{}}`, map[string]any{}},
		{`{"metadata":{"only":"this"}}`, map[string]any{"only": "this"}},
	}
	for i, s := range steps {
		if got := h.send("PATCH", "/memberships/mem_renew", s.body, map[string]string{"Idempotency-Key": "same"}); got.status != 200 {
			t.Fatalf("step %d: status = %d; %s", i, got.status, got.body)
		}
		if m, _ := h.sim.Get("mem_renew"); !reflect.DeepEqual(m.Metadata, s.want) {
			t.Errorf("step %d: metadata = %v, want %v", i, m.Metadata, s.want)
		}
	}
	ledger := h.sim.Ledger()
	if len(ledger) != len(steps) {
		t.Fatalf("ledger has %d entries, want %d: PATCH ignores Idempotency-Key", len(ledger), len(steps))
	}
	if e := ledger[1]; e.Op != OpUpdateMetadata || !reflect.DeepEqual(e.Metadata, map[string]any{"note": "b", "n": 1.0}) {
		t.Errorf("entry 1 = %s %v, want update_metadata with the object sent", e.Op, e.Metadata)
	}
	ops := []string{}
	for _, r := range h.sim.Requests() {
		ops = append(ops, r.Op)
	}
	if want := slices.Repeat([]string{OpUpdate}, len(steps)); !slices.Equal(ops, want) {
		t.Errorf("logged ops = %v, want %v", ops, want)
	}
}

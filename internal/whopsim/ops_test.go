package whopsim

import (
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
)

func TestRoutesHappyPath(t *testing.T) {
	tests := []struct {
		name       string
		method     string
		path       string
		body       string
		wantStatus int
		want       func(m Membership) bool
	}{
		{"get", "GET", "/memberships/mem_renew", "", 200,
			func(m Membership) bool { return *m.RenewalPeriodEnd == renewEnd && m.Email == "a@example.com" }},
		{"get ignores expand", "GET", "/memberships/mem_renew?expand[]=product&expand[]=user", "", 200,
			func(m Membership) bool { return m.ID == "mem_renew" }},
		{"add days to renewing", "POST", "/memberships/mem_renew/add_free_days", `{"days":7}`, 201,
			func(m Membership) bool { return *m.RenewalPeriodEnd == renewEnd+7*day && m.ExpiresAt == nil }},
		{"add days to one-time", "POST", "/memberships/mem_once/add_free_days", `{"days":1095}`, 201,
			func(m Membership) bool { return *m.ExpiresAt == onceEnd+1095*day && m.RenewalPeriodEnd == nil }},
		{"add one day", "POST", "/memberships/mem_once/add_free_days", `{"days":1,"extra":true}`, 201,
			func(m Membership) bool { return *m.ExpiresAt == onceEnd+day }},
		{"update metadata", "POST", "/memberships/mem_renew", `{"metadata":{"note":"x","n":2}}`, 201,
			func(m Membership) bool { return reflect.DeepEqual(m.Metadata, map[string]any{"note": "x", "n": 2.0}) }},
		{"metadata on lifetime", "POST", "/memberships/mem_life", `{"metadata":{}}`, 201,
			func(m Membership) bool { return len(m.Metadata) == 0 && m.Metadata != nil }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, Config{})
			fixtures(h.sim)
			got := h.send(tt.method, tt.path, tt.body, nil)
			if got.status != tt.wantStatus {
				t.Fatalf("status = %d, want %d; body %s", got.status, tt.wantStatus, got.body)
			}
			if ct := got.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
				t.Errorf("Content-Type = %q, want application/json", ct)
			}
			if m := decodeMembership(t, got.body); !tt.want(m) {
				t.Errorf("membership not as expected: %s", got.body)
			}
		})
	}
}

func TestMembershipJSONCarriesOtherFields(t *testing.T) {
	h := start(t, Config{})
	fixtures(h.sim)
	var got map[string]any
	if err := json.Unmarshal([]byte(h.get("mem_once").body), &got); err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"id", "status", "valid", "email", "metadata", "expires_at", "renewal_period_start",
		"renewal_period_end", "created_at", "product", "user", "plan", "license_key", "manage_url",
		"company_id", "cancel_at_period_end", "quantity"} {
		if _, ok := got[k]; !ok {
			t.Errorf("field %q missing from %v", k, got)
		}
	}
	for _, k := range []string{"renewal_period_start", "renewal_period_end"} {
		if got[k] != nil {
			t.Errorf("%s = %v, want null", k, got[k])
		}
	}
	if got["metadata"] == nil {
		t.Errorf("metadata = null, want {}")
	}
}

func TestErrors(t *testing.T) {
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
		{"malformed json", "POST", "/memberships/mem_renew/add_free_days", `{"days":`, nil, 400,
			`{"error":{"status":"bad_request","message":"The request body must be a JSON object"}}`},
		{"body not an object", "POST", "/memberships/mem_renew", `[1]`, nil, 400,
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
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := start(t, Config{})
			fixtures(h.sim)
			if got := h.send("POST", "/memberships/mem_renew", tt.body, nil); got.status != 201 {
				t.Errorf("status = %d, want 201; body %s", got.status, got.body)
			}
		})
	}
}

func TestUpdateMetadataReplaces(t *testing.T) {
	h := start(t, Config{})
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

func TestAddFreeDaysLedger(t *testing.T) {
	h := start(t, Config{})
	fixtures(h.sim)
	h.addDays("mem_renew", 10)
	h.addDays("mem_renew", 5)
	ledger := h.sim.Ledger()
	if len(ledger) != 2 {
		t.Fatalf("ledger has %d entries, want 2", len(ledger))
	}
	tests := []struct {
		entry              LedgerEntry
		days               int
		wantBefore, wantAf int64
	}{
		{ledger[0], 10, renewEnd, renewEnd + 10*day},
		{ledger[1], 5, renewEnd + 10*day, renewEnd + 15*day},
	}
	for i, tt := range tests {
		e := tt.entry
		if e.Op != OpAddFreeDays || e.Days != tt.days {
			t.Errorf("entry %d: %s %d, want add_free_days %d", i, e.Op, e.Days, tt.days)
		}
		if got := *e.Before.RenewalPeriodEnd; got != tt.wantBefore {
			t.Errorf("entry %d: before end = %d, want %d", i, got, tt.wantBefore)
		}
		if got := *e.After.RenewalPeriodEnd; got != tt.wantAf {
			t.Errorf("entry %d: after end = %d, want %d", i, got, tt.wantAf)
		}
	}
	if *h.sim.Ledger()[0].After.RenewalPeriodStart != renewStart {
		t.Errorf("renewal_period_start moved; only the end is extended")
	}
}

func TestLedgerIsACopy(t *testing.T) {
	h := start(t, Config{})
	fixtures(h.sim)
	h.send("POST", "/memberships/mem_renew", `{"metadata":{"a":"b"}}`, nil)
	l := h.sim.Ledger()
	l[0].After.Metadata["a"] = "changed"
	*l[0].Before.RenewalPeriodEnd = 0
	m, _ := h.sim.Get("mem_renew")
	m.Metadata["a"] = "changed too"
	if got := h.sim.Ledger()[0]; got.After.Metadata["a"] != "b" || *got.Before.RenewalPeriodEnd != renewEnd {
		t.Errorf("ledger changed through a returned copy: %+v", got)
	}
	if got := h.get("mem_renew"); !strings.Contains(got.body, `"a":"b"`) {
		t.Errorf("membership changed through a returned copy: %s", got.body)
	}
}

// TestLedgerKeepsEveryState checks, over more entries than one block of
// the ledger holds, that each entry keeps the states around its own change
// and the order of the changes, however many changes follow.
func TestLedgerKeepsEveryState(t *testing.T) {
	s := New(Config{NoLimit: true})
	fixtures(s)
	const n = 2*ledgerBlock + 7
	for i := range n {
		var body []byte
		var status int
		switch i % 3 {
		case 0:
			body, status = serve(s, "POST", "/api/v2/memberships/mem_once/add_free_days", `{"days":2}`)
		case 1:
			body, status = serve(s, "POST", "/api/v2/memberships/mem_renew/add_free_days", `{"days":1}`)
		default:
			body, status = serve(s, "POST", "/api/v2/memberships/mem_renew", fmt.Sprintf(`{"metadata":{"i":%d}}`, i))
		}
		if status != 201 {
			t.Fatalf("change %d: status %d: %s", i, status, body)
		}
	}
	ledger := s.Ledger()
	if len(ledger) != n {
		t.Fatalf("ledger has %d entries, want %d", len(ledger), n)
	}
	for i, e := range ledger {
		switch i % 3 {
		case 0:
			k := int64(i / 3)
			if e.ID != "mem_once" || *e.Before.ExpiresAt != onceEnd+2*k*day || *e.After.ExpiresAt != onceEnd+2*(k+1)*day {
				t.Fatalf("entry %d: %s expires_at %d -> %d", i, e.ID, *e.Before.ExpiresAt, *e.After.ExpiresAt)
			}
		case 1:
			k := int64(i / 3)
			if e.ID != "mem_renew" || *e.Before.RenewalPeriodEnd != renewEnd+k*day || *e.After.RenewalPeriodEnd != renewEnd+(k+1)*day {
				t.Fatalf("entry %d: %s renewal_period_end %d -> %d", i, e.ID, *e.Before.RenewalPeriodEnd, *e.After.RenewalPeriodEnd)
			}
			if i > 3 && e.Before.Metadata["i"] != float64(i-2) {
				t.Fatalf("entry %d: metadata before = %v, want i=%d", i, e.Before.Metadata, i-2)
			}
		default:
			want := map[string]any{"i": float64(i)}
			if !reflect.DeepEqual(e.Metadata, want) || !reflect.DeepEqual(e.After.Metadata, want) || e.After.RenewalPeriodEnd == nil ||
				*e.After.RenewalPeriodEnd != *e.Before.RenewalPeriodEnd {
				t.Fatalf("entry %d: sent %v, metadata %v -> %v", i, e.Metadata, e.Before.Metadata, e.After.Metadata)
			}
		}
	}
}

// serve calls the handler directly with the test key.
func serve(s *Server, method, path, body string) ([]byte, int) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testKey)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	return w.Body.Bytes(), w.Code
}

package whopsim

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestListen(t *testing.T) {
	client := &http.Client{Timeout: 10 * time.Second}
	for _, tt := range []struct{ api, suffix string }{{"", "/api/v1"}, {APIV2, "/api/v2"}} {
		url, shutdown, err := Listen(Config{API: tt.api, Key: testKey, AutoCreate: true})
		if err != nil {
			t.Fatal(err)
		}
		defer shutdown()
		if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, tt.suffix) {
			t.Errorf("url = %q, want http://127.0.0.1:PORT%s", url, tt.suffix)
		}
		req, _ := http.NewRequest("GET", url+"/memberships/mem_abc", nil)
		req.Header.Set("Authorization", "Bearer "+testKey)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("%s: status = %d, want 200", url, resp.StatusCode)
		}
		shutdown()
		shutdown() // a second call is harmless
		if _, err := client.Get(url + "/memberships/mem_abc"); err == nil {
			t.Errorf("server still answers after shutdown")
		}
	}
}

func TestListenUnknownAPI(t *testing.T) {
	if _, _, err := Listen(Config{API: "v3"}); err == nil || !strings.Contains(err.Error(), `"v3"`) {
		t.Errorf("err = %v, want one naming the unknown API", err)
	}
}

func TestOutsideTheAPI(t *testing.T) {
	tests := []struct {
		api, path, wantBody string
	}{
		{APICurrent, "/", `{"error":{"type":"not_found","message":"Resource not found"}}`},
		{APICurrent, "/api/v2/memberships/mem_renew", `{"error":{"type":"not_found","message":"Resource not found"}}`},
		{APIV2, "/api/v1/memberships/mem_renew", `{"error":{"code":404,"message":"No such Resource found"}}`},
	}
	for _, tt := range tests {
		h := start(t, Config{API: tt.api})
		fixtures(h.sim)
		resp, err := h.client.Get(h.ts.URL + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 404 || !sameJSON(t, string(body), tt.wantBody) {
			t.Errorf("%s %s: %d %s, want 404 %s", tt.api, tt.path, resp.StatusCode, body, tt.wantBody)
		}
		if n := len(h.sim.Requests()); n != 0 {
			t.Errorf("%s %s: logged %d requests, want none outside the API", tt.api, tt.path, n)
		}
	}
}

package whopsim

import (
	"net/http"
	"strings"
	"testing"
)

func TestListen(t *testing.T) {
	url, shutdown, err := Listen(Config{Key: testKey, AutoCreate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer shutdown()
	if !strings.HasPrefix(url, "http://127.0.0.1:") || !strings.HasSuffix(url, "/api/v2") {
		t.Errorf("url = %q, want http://127.0.0.1:PORT/api/v2", url)
	}
	req, _ := http.NewRequest("GET", url+"/memberships/mem_abc", nil)
	req.Header.Set("Authorization", "Bearer "+testKey)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("status = %d, want 200", resp.StatusCode)
	}
	shutdown()
	shutdown() // a second call is harmless
	if _, err := http.Get(url + "/memberships/mem_abc"); err == nil {
		t.Errorf("server still answers after shutdown")
	}
}

func TestOutsideTheAPI(t *testing.T) {
	h := start(t, Config{})
	resp, err := h.client.Get(h.ts.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("status = %d, want 404", resp.StatusCode)
	}
	if n := len(h.sim.Requests()); n != 0 {
		t.Errorf("logged %d requests, want none outside /api/v2", n)
	}
}

package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/store/storetest"
)

// TestConsoleSessionUsesTheAPI calls the admin API with the console's
// session cookie: reads need nothing more, changes need the page's CSRF
// token, and the decision is the logged-in staff member's.
func TestConsoleSessionUsesTheAPI(t *testing.T) {
	s := startServer(t, map[string]string{"ORDERBOT_DB": storetest.DSN(t, "sqlite"), "ORDERBOT_DEMO": "true"})
	shopper := s.newUser()
	n := shopper.order("TEA-LJ-250", 1, "Li Lei", "13800138000", "88 Wensan Road, Hangzhou")
	staff := s.newUser()
	staff.login("demo", "demo")
	call := func(u *user, method, path, body string, csrf bool, want int) map[string]any {
		t.Helper()
		req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if csrf {
			req.Header.Set("X-CSRF-Token", u.csrf)
		}
		var got map[string]any
		if err := json.Unmarshal(u.do(req, want), &got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	if got := call(staff, "GET", "/api/v1/orders/"+n, "", false, http.StatusOK); got["status"] != "pending" {
		t.Fatalf("order read with a session: %v", got)
	}
	approve := `{"action":"approve","version":1}`
	if got := call(staff, "POST", "/api/v1/orders/"+n+"/actions", approve, false, http.StatusForbidden); got["error"].(map[string]any)["code"] != "forbidden" {
		t.Fatalf("no CSRF header: %v", got)
	}
	call(staff, "GET", "/api/v1/orders/"+n, "", false, http.StatusOK) // unchanged: still version 1
	wrong := *staff
	wrong.csrf = "x" + staff.csrf
	call(&wrong, "POST", "/api/v1/orders/"+n+"/actions", approve, true, http.StatusForbidden)
	got := call(staff, "POST", "/api/v1/orders/"+n+"/actions", approve, true, http.StatusOK)
	if hist := got["history"].([]any); got["status"] != "confirmed" || hist[len(hist)-1].(map[string]any)["by"] != "demo (webchat)" {
		t.Fatalf("approved with a session: %v", got)
	}
	// No session, or one logged out, is 401 as without a token.
	call(shopper, "GET", "/api/v1/orders", "", false, http.StatusUnauthorized)
	req, _ := http.NewRequest(http.MethodPost, s.base+"/staff/logout", nil)
	req.Header.Set("X-CSRF-Token", staff.csrf)
	staff.c.Do(req)
	call(staff, "GET", "/api/v1/orders", "", false, http.StatusUnauthorized)
	if err := s.stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

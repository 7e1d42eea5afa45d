package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/store/storetest"
)

var printedToken = regexp.MustCompile(`(?m)^obt_[A-Za-z0-9_-]{43}$`)

// TestTokenCommandsAndAPI creates a token on the command line, decides a
// web chat order with it through the served API, and revokes it.
func TestTokenCommandsAndAPI(t *testing.T) {
	for _, backend := range []string{"sqlite", "mysql"} {
		t.Run(backend, func(t *testing.T) {
			dsn := storetest.DSN(t, backend)
			// The demo goes only into an empty database, so the server
			// starts before the token makes it a shop with staff.
			s := startServer(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DEMO": "true"})
			out, err := cli(t, dsn, "", "token", "create", "--name", "ops-sync", "--role", "approver")
			token := printedToken.FindString(out)
			if err != nil || token == "" {
				t.Fatalf("token create: %q, %v", out, err)
			}
			for _, args := range [][]string{
				{"token", "create", "--name", "ops-sync", "--role", "agent"},
				{"token", "create", "--name", "ops sync", "--role", "agent"},
				{"token", "create", "--name", "x", "--role", "owner"},
				{"token", "create", "--role", "agent"},
				{"token", "revoke", "nobody"},
				{"token", "list", "extra"},
				{"token"},
			} {
				if out, err := cli(t, dsn, "", args...); err == nil {
					t.Errorf("%v succeeded: %q", args, out)
				}
			}
			out, err = cli(t, dsn, "", "token", "list")
			if err != nil || !regexp.MustCompile(`ops-sync\s+approver\s+\S+\s+never`).MatchString(out) || strings.Contains(out, token) {
				t.Fatalf("token list: %q, %v", out, err)
			}

			shopper := s.newUser()
			n := shopper.order("TEA-LJ-250", 1, "Li Lei", "13800138000", "88 Wensan Road, Hangzhou")
			api := func(method, path, body string, want int) map[string]any {
				t.Helper()
				req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Authorization", "Bearer "+token)
				var got map[string]any
				if err := json.Unmarshal(shopper.do(req, want), &got); err != nil {
					t.Fatal(err)
				}
				return got
			}
			list := api("GET", "/api/v1/orders?q=13800138000", "", http.StatusOK)
			if items, _ := list["items"].([]any); len(items) != 1 {
				t.Fatalf("search by phone: %v", list)
			}
			got := api("POST", "/api/v1/orders/"+n+"/actions", `{"action":"approve","version":1}`, http.StatusOK)
			hist, _ := got["history"].([]any)
			if got["status"] != "confirmed" || got["currency"] != "CNY" || len(hist) != 2 || hist[1].(map[string]any)["by"] != "ops-sync (api)" {
				t.Fatalf("after approve: %v", got)
			}
			shopper.waitFor(n)
			// Tiers, tags and notes are wired: a pin shows on the order;
			// replacing rules takes the admin role.
			id := fmt.Sprint(got["customer"].(map[string]any)["id"])
			cust := api("PATCH", "/api/v1/customers/"+id, `{"pinned_tier":"gold","tags":["vip"]}`, http.StatusOK)
			if cust["pinned_tier"] != "gold" || fmt.Sprint(cust["tags"]) != "[vip]" {
				t.Fatalf("after PATCH: %v", cust)
			}
			if o := api("GET", "/api/v1/orders/"+n, "", http.StatusOK); o["customer"].(map[string]any)["tier"] != "gold" {
				t.Fatalf("order's customer: %v", o["customer"])
			}
			api("PUT", "/api/v1/rules", `{"items":[]}`, http.StatusForbidden)
			if out, _ := cli(t, dsn, "", "token", "list"); strings.Contains(out, "never") {
				t.Fatalf("last use not recorded: %q", out)
			}

			if out, err := cli(t, dsn, "", "token", "revoke", "ops-sync"); err != nil || !strings.Contains(out, "revoked ops-sync") {
				t.Fatalf("revoke: %q, %v", out, err)
			}
			api("GET", "/api/v1/orders", "", http.StatusUnauthorized)
			if out, _ := cli(t, dsn, "", "token", "list"); strings.Contains(out, "ops-sync") {
				t.Fatalf("revoked token still listed: %q", out)
			}
			if err := s.stop(); err != nil {
				t.Fatalf("shutdown: %v", err)
			}
		})
	}
}

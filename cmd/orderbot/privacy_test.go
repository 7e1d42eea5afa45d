package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/store/storetest"
)

// A shopper's personal data and words, each distinctive enough that
// finding it in a log means the log holds customer data.
const (
	logName    = "Dongfang Xiaoyu"
	logPhone   = "13655501234"
	logAddress = "19 Lotus Pond Alley, Gongshu"
	logHandoff = "could someone ring my neighbour"
	logReason  = "the tin lid came off in transit"
)

// shopperAPI calls the admin API as the holder of token.
func shopperAPI(t *testing.T, s *server, u *user, token, method, path string, want int) []byte {
	t.Helper()
	req, err := http.NewRequest(method, s.base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	return u.do(req, want)
}

// TestLogsHoldNoPersonalData runs a whole journey at debug level, in both
// log formats: an order with contact details, approval, shipping and
// delivery, a talk with a person, an after-sales request, an export and
// an erase. The log must not hold the name, phone, address or anything
// the shopper typed.
func TestLogsHoldNoPersonalData(t *testing.T) {
	for _, format := range []string{"text", "json"} {
		t.Run(format, func(t *testing.T) {
			dsn := storetest.DSN(t, "sqlite")
			s := startServer(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DEMO": "true",
				"ORDERBOT_LOG_FORMAT": format, "ORDERBOT_LOG_LEVEL": "debug"})
			out, err := cli(t, dsn, "", "token", "create", "--name", "dpo", "--role", "admin")
			token := printedToken.FindString(out)
			if err != nil || token == "" {
				t.Fatalf("token create: %q, %v", out, err)
			}
			shopper, staff := s.newUser(), s.newUser()
			shopper.get("/chat", http.StatusOK)
			n := shopper.order("TEA-LJ-250", 1, logName, logPhone, logAddress)
			staff.login("demo", "demo")
			// The order number alone: the card is titled in the staff language.
			c := staff.act(staff.card(n), "approve", nil, http.StatusOK)
			c = staff.act(c, "ship", map[string]string{"carrier": "SF Express", "tracking": "SF1234567890"}, http.StatusOK)
			staff.act(c, "deliver", nil, http.StatusOK)
			shopper.waitFor(n)
			shopper.say("human")
			shopper.say(logHandoff)
			shopper.say("menu")
			shopper.say("after-sales")
			shopper.press("order:" + n)
			shopper.press("type:return")
			shopper.say(logReason)
			shopper.press("done")
			shopper.press("submit")

			var order struct {
				Customer struct {
					ID int64 `json:"id"`
				} `json:"customer"`
			}
			if err := json.Unmarshal(shopperAPI(t, s, staff, token, "GET", "/api/v1/orders/"+n, http.StatusOK), &order); err != nil {
				t.Fatal(err)
			}
			path := fmt.Sprintf("/api/v1/customers/%d", order.Customer.ID)
			if ex := shopperAPI(t, s, staff, token, "GET", path+"/export", http.StatusOK); !strings.Contains(string(ex), logPhone) {
				t.Fatalf("export: %s", ex)
			}
			shopperAPI(t, s, staff, token, "POST", path+"/erase", http.StatusOK)
			if err := s.stop(); err != nil {
				t.Fatal(err)
			}
			logs := s.logs.String()
			if !strings.Contains(logs, "customer erased") || !strings.Contains(logs, "inbound handled") {
				t.Fatalf("the log shows no journey (the test would prove nothing):\n%s", logs)
			}
			for _, secret := range []string{logName, logPhone, logAddress, logHandoff, logReason} {
				if strings.Contains(logs, secret) {
					t.Errorf("the %s log holds %q", format, secret)
				}
			}
		})
	}
}

// TestCustomerCommands erases and exports a customer on the command line:
// export holds their data, erase blanks it once and then says so, and bad
// ids get a clear error.
func TestCustomerCommands(t *testing.T) {
	for _, backend := range []string{"sqlite", "mysql"} {
		t.Run(backend, func(t *testing.T) {
			dsn := storetest.DSN(t, backend)
			s := startServer(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DEMO": "true"})
			n := s.newUser().order("TEA-LJ-250", 1, logName, logPhone, logAddress)
			if err := s.stop(); err != nil {
				t.Fatal(err)
			}

			out, err := cli(t, dsn, "", "customer", "export", "1")
			var ex struct {
				Customer struct{ Phone string }
				Orders   []struct{ Number string }
			}
			if err != nil || json.Unmarshal([]byte(out), &ex) != nil || ex.Customer.Phone != logPhone || len(ex.Orders) != 1 || ex.Orders[0].Number != n {
				t.Fatalf("export: %q, %v", out, err)
			}
			if out, err := cli(t, dsn, "", "customer", "erase", "1"); err != nil || !strings.Contains(out, "erased customer 1: orders 1") {
				t.Fatalf("erase: %q, %v", out, err)
			}
			if out, err := cli(t, dsn, "", "customer", "erase", "1"); err != nil || !strings.Contains(out, "erased already") {
				t.Fatalf("erase again: %q, %v", out, err)
			}
			if out, err := cli(t, dsn, "", "customer", "export", "1"); err != nil || strings.Contains(out, logPhone) || strings.Contains(out, logName) {
				t.Fatalf("export after erase: %q, %v", out, err)
			}
			for args, want := range map[string]string{
				"customer erase 999": "no customer with id 999",
				"customer erase abc": `customer id "abc"`,
				"customer export":    "usage: orderbot customer",
				"customer forget 1":  "usage: orderbot customer",
				"customer export -1": `customer id "-1"`,
			} {
				if _, err := cli(t, dsn, "", strings.Fields(args)...); err == nil || !strings.Contains(err.Error(), want) {
					t.Errorf("%s: %v, want %q", args, err, want)
				}
			}
		})
	}
}

func TestRetentionSetting(t *testing.T) {
	for v, ok := range map[string]bool{"": true, "720h": true, "24h": true, "1h": false, "forever": false, "-4320h": false} {
		cfg, err := loadConfig(func(k string) string {
			if k == "ORDERBOT_RETENTION" {
				return v
			}
			return ""
		})
		if ok != (err == nil) || (err != nil && !strings.Contains(err.Error(), "ORDERBOT_RETENTION")) {
			t.Errorf("ORDERBOT_RETENTION=%q: %v", v, err)
		}
		if v == "" && cfg.Retention.Hours() != 4320 {
			t.Errorf("default retention %v", cfg.Retention)
		}
	}
}

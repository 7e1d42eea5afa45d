package main

import (
	"net/http"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/store/storetest"
)

// Two replicas on one MySQL (or TiDB) share everything that matters: a customer
// who orders on one and a staff member logged in on the other work on the
// same order, the session and its CSRF token are good on both, and the
// customer hears of the approval on the replica they are polling.
func TestTwoReplicasShareOneDatabase(t *testing.T) {
	for _, backend := range []string{"mysql", "tidb"} {
		t.Run(backend, func(t *testing.T) {
			dsn := storetest.DSN(t, backend)
			a := startServer(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DEMO": "true"})
			b := startServer(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DEMO": "true"})

			shopper := a.newUser()
			n := shopper.order("TEA-TGY-250", 3, "Wang Fang", "+85291234567", "12 Queen's Road Central, Hong Kong")

			staff := b.newUser()
			staff.login("demo", "demo")
			// The same browser's next request lands on replica A.
			staff.s = a
			c := staff.card("订单 " + n)
			staff.s = b
			staff.act(c, "approve", nil, http.StatusOK)

			if got := shopper.waitFor(n); !strings.Contains(got, n) {
				t.Fatalf("customer on replica A told %q", got)
			}
			// A repeat of the customer's last message on the other replica changes nothing.
			shopper.s = b
			shopper.seq--
			again := shopper.press("confirm")
			if orderNo.FindString(again) != n {
				t.Fatalf("the repeated confirm on replica B answered %q", again)
			}
			for _, s := range []*server{a, b} {
				if err := s.stop(); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

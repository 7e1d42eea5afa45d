package bot_test

import (
	"strings"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// A customer with 25 orders can look up and cancel the oldest ones by
// number, not only the 20 newest; another customer still cannot.
func TestOldOrdersCanBeFoundByNumber(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		var numbers []string
		for range 25 {
			numbers = append(numbers, s.order("u1", "TEA", 1))
		}
		// The 21st newest, and the oldest.
		for _, n := range []string{numbers[4], numbers[0]} {
			reply := texts(s.say("u1", "order "+n))
			if strings.Contains(reply, "no order") || !strings.Contains(reply, "Order "+n) {
				t.Fatalf("looking up old order %s: %q", n, reply)
			}
		}
		if reply := texts(s.say("u1", "cancel "+numbers[4])); !strings.Contains(reply, numbers[4]) || strings.Contains(reply, "no order") {
			t.Fatalf("cancel of old order %s: %q", numbers[4], reply)
		}
		if reply := texts(s.press("u1", "yes")); !strings.Contains(reply, "Order "+numbers[4]+" has been cancelled") {
			t.Fatalf("confirming the cancel of %s: %q", numbers[4], reply)
		}
		if o := s.orderByNumber(numbers[4]); o.Status != bot.Cancelled {
			t.Fatalf("old order %s is %s after the cancel", numbers[4], o.Status)
		}

		if reply := texts(s.say("u2", "order "+numbers[0])); !strings.Contains(reply, "no order "+numbers[0]) {
			t.Fatalf("another customer looked up %s: %q", numbers[0], reply)
		}
		s.say("u2", "cancel "+numbers[0])
		s.press("u2", "yes")
		if o := s.orderByNumber(numbers[0]); o.Status != bot.Pending {
			t.Fatalf("another customer changed %s: %s", numbers[0], o.Status)
		}
	})
}

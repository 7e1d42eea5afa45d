package bot_test

import (
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store/storetest"
)

// An order placed at 23:30 UTC is shown to the customer at 07:30 the next
// day in a Shanghai shop, the day the customer knows it by.
func TestCustomerTimesInShopZone(t *testing.T) {
	st := storetest.SQLite(t)
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	s := newShop(t, st)
	s.clock.Add(13*time.Hour + 30*time.Minute) // 2026-11-23 23:30 UTC
	s.svc = bot.NewService(st, quietLog(), bot.Config{StaffChannels: []string{bot.WebChat}, Clock: s.clock.Now, Location: shanghai}, nil)
	n := s.order("u1", "TEA", 1)
	reply := texts(s.say("u1", "order "+n))
	if !strings.Contains(reply, "2026-11-24 07:30") || strings.Contains(reply, "23:30") {
		t.Fatalf("order page times are not Shanghai's: %q", reply)
	}
}

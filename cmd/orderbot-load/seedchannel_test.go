package main

import (
	"context"
	"io"
	"net/url"
	"strconv"
	"testing"

	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestSeedCustomersOnTheRunsChannel seeds as -seed-customers does for each
// channel the tool drives: the seeded customers must be on that channel,
// and the first ones must be the run's own customers under the ids their
// drivers address orderbot with, owning seeded orders, so that their order
// lookups find history.
func TestSeedCustomersOnTheRunsChannel(t *testing.T) {
	const customers = 3
	// driverUser is the id the n-th driver of the channel stands for, read
	// off the driver itself where it holds one.
	driverUser := map[string]func(t *testing.T, n int) string{
		"telegram": func(t *testing.T, n int) string {
			return strconv.FormatInt(newTelegramCustomer(int64(telegramChatBase+n), "", "", nil, newFakeBotAPI(), nil, 0).chat, 10)
		},
		"wechat": func(t *testing.T, n int) string {
			return newWeChatCustomer(n, "", "", nil, newFakeWeChatAPI(), nil, 0).openID
		},
		"webchat": func(t *testing.T, n int) string {
			c := newWebCustomer("http://orderbot.test", n, nil)
			u, _ := url.Parse("http://orderbot.test/chat/api/send")
			for _, k := range c.client.Jar.Cookies(u) {
				if k.Name == webChatCookie && k.Value == c.user {
					return c.user
				}
			}
			t.Fatalf("web shopper %d sends no cookie naming %s", n, c.user)
			return ""
		},
	}
	for _, channel := range []string{"telegram", "wechat", "webchat"} {
		t.Run(channel, func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, "sqlite")
			size := seedSize{customers: 5, orders: 10}
			if err := seedDatabase(ctx, dsn, size, options{channel: channel, customers: customers}, io.Discard); err != nil {
				t.Fatal(err)
			}
			s, err := store.Open(ctx, dsn, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			storetest.UseDataKey(t, s)

			db, _, err := openSeedDB(dsn)
			if err != nil {
				t.Fatal(err)
			}
			if sqlDB, err := db.DB(); err == nil {
				defer sqlDB.Close()
			}
			var others int64
			if err := db.WithContext(ctx).Raw("SELECT COUNT(*) FROM customers WHERE channel <> ?", channel).Scan(&others).Error; err != nil {
				t.Fatal(err)
			}
			if others != 0 {
				t.Errorf("%d seeded customers are not on %s", others, channel)
			}
			for n := range customers {
				user := driverUser[channel](t, n)
				c, err := s.CustomerByUser(ctx, channel, user)
				if err != nil {
					t.Fatalf("the run's customer %d (%s): %v", n, user, err)
				}
				orders, err := s.OrdersByCustomer(ctx, c.ID, 20)
				if err != nil {
					t.Fatal(err)
				}
				if len(orders) != 2 { // 10 orders go round 5 customers
					t.Errorf("the run's customer %d (%s) has %d orders, want 2", n, user, len(orders))
				}
			}
		})
	}
}

package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
)

// t0 is a fixed time with more precision than the store keeps, in a zone
// that is not UTC, to show that times come back as UTC milliseconds.
var t0 = time.Date(2025, 3, 14, 9, 26, 53, 589793238, time.FixedZone("CST", 8*3600))

func ms(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func wantErr(t testing.TB, err, target error) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("err = %v, want %v", err, target)
	}
}

func customer(t testing.TB, s *store.Store, userID string) bot.Customer {
	t.Helper()
	c, err := s.LockCustomer(context.Background(), bot.Telegram, userID)
	must(t, err)
	return c
}

func products(t testing.TB, s *store.Store, ps ...bot.Product) {
	t.Helper()
	must(t, s.UpsertProducts(context.Background(), ps))
}

func tea(stock int) bot.Product {
	return bot.Product{SKU: "TEA-1", Name: "Green tea", NameZH: "绿茶", Category: "tea", Price: 3800, Stock: stock, Active: true}
}

// placeOrder stores a pending order of c for one tea.
func placeOrder(t testing.TB, s *store.Store, c bot.Customer, at time.Time) *bot.Order {
	t.Helper()
	items := []bot.OrderItem{{SKU: "TEA-1", Name: "Green tea", NameZH: "绿茶", UnitPrice: 3800, Qty: 2}}
	o, err := bot.NewOrder(c, items, bot.Contact{Name: "Li Lei", Phone: "13800000000", Address: "1 Road"}, at)
	must(t, err)
	must(t, s.CreateOrder(context.Background(), o))
	return o
}

// shippedOrder stores an order that may get after-sales requests.
func shippedOrder(t testing.TB, s *store.Store, c bot.Customer) *bot.Order {
	t.Helper()
	ctx := context.Background()
	o := placeOrder(t, s, c, t0)
	must(t, o.Approve("ann (slack)", t0.Add(time.Minute)))
	must(t, o.Ship("ann (slack)", "SF", "SF123", t0.Add(2*time.Minute)))
	must(t, s.UpdateOrder(ctx, o))
	return o
}

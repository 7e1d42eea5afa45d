package store_test

import (
	"context"
	"reflect"
	"strconv"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestCreateAndLoadOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := customer(t, s, "42")
		items := []bot.OrderItem{
			{SKU: "TEA-1", Name: "Green tea", NameZH: "绿茶", UnitPrice: 3800, Qty: 2},
			{SKU: "CAKE", Name: "Cake", UnitPrice: 1250, Qty: 1},
		}
		o, err := bot.NewOrder(c, items, bot.Contact{Name: "李雷", Phone: "138", Address: "上海"}, t0)
		must(t, err)
		must(t, s.CreateOrder(ctx, o))
		if o.ID == 0 || o.Number != strconv.FormatInt(100000+o.ID, 10) || o.Version != 1 {
			t.Fatalf("created order has ID %d, Number %q, Version %d", o.ID, o.Number, o.Version)
		}
		if o.CreatedAt != ms(t0) {
			t.Fatalf("CreatedAt = %v, want %v as stored", o.CreatedAt, ms(t0))
		}
		byID, err := s.Order(ctx, o.ID)
		must(t, err)
		if !reflect.DeepEqual(byID, o) {
			t.Fatalf("Order(id) = %+v\nwant        %+v", byID, o)
		}
		byNumber, err := s.OrderByNumber(ctx, o.Number)
		must(t, err)
		if !reflect.DeepEqual(byNumber, o) {
			t.Fatalf("OrderByNumber = %+v\nwant          %+v", byNumber, o)
		}
		second := placeOrder(t, s, c, t0)
		if second.Number == o.Number {
			t.Fatal("two orders got the same number")
		}
		_, err = s.Order(ctx, 999999)
		wantErr(t, err, bot.ErrNotFound)
		_, err = s.OrderByNumber(ctx, "nope")
		wantErr(t, err, bot.ErrNotFound)
	})
}

func TestCreateOrderOfUnknownCustomer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		o, err := bot.NewOrder(bot.Customer{ID: 777, Channel: bot.Telegram}, []bot.OrderItem{{SKU: "X", Name: "X", UnitPrice: 1, Qty: 1}}, bot.Contact{}, t0)
		must(t, err)
		wantErr(t, s.CreateOrder(context.Background(), o), bot.ErrNotFound)
	})
}

func TestUpdateOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := customer(t, s, "42")
		o := placeOrder(t, s, c, t0)
		must(t, o.Approve("ann (slack)", t0.Add(time.Minute)))
		must(t, s.UpdateOrder(ctx, o))
		if o.Version != 2 {
			t.Fatalf("Version after update = %d, want 2", o.Version)
		}
		must(t, o.Ship("ann (slack)", "SF", "SF123", t0.Add(2*time.Minute)))
		must(t, s.UpdateOrder(ctx, o))
		got, err := s.Order(ctx, o.ID)
		must(t, err)
		if !reflect.DeepEqual(got, o) {
			t.Fatalf("after updates = %+v\nwant            %+v", got, o)
		}
		if len(got.History) != 3 || got.History[2].Note != "SF SF123" {
			t.Fatalf("history = %+v, want 3 entries ending with the shipping", got.History)
		}
		// Saving again without a change adds no history.
		must(t, s.UpdateOrder(ctx, o))
		got, _ = s.Order(ctx, o.ID)
		if len(got.History) != 3 || got.Version != 4 {
			t.Fatalf("after a plain save: %d history entries, version %d; want 3, 4", len(got.History), got.Version)
		}
		wantErr(t, s.UpdateOrder(ctx, &bot.Order{ID: 999999, Version: 1}), bot.ErrNotFound)
	})
}

// TestUpdateOrderVersionConflict: two approvers load the same order; the
// second save must fail and leave the first decision alone.
func TestUpdateOrderVersionConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		o := placeOrder(t, s, customer(t, s, "42"), t0)
		a, _ := s.Order(ctx, o.ID)
		b, _ := s.Order(ctx, o.ID)
		must(t, a.Approve("ann (slack)", t0.Add(time.Minute)))
		must(t, s.UpdateOrder(ctx, a))
		must(t, b.Reject("bob (slack)", "no stock", t0.Add(time.Minute)))
		wantErr(t, s.UpdateOrder(ctx, b), bot.ErrConflict)
		if b.Version != 1 {
			t.Fatalf("a failed update changed Version to %d", b.Version)
		}
		got, _ := s.Order(ctx, o.ID)
		if got.Status != bot.Confirmed || len(got.History) != 2 || got.RejectReason != "" {
			t.Fatalf("after the conflict: %+v", got)
		}
	})
}

func TestOrderLists(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c1, c2 := customer(t, s, "1"), customer(t, s, "2")
		o1 := placeOrder(t, s, c1, t0)
		o2 := placeOrder(t, s, c2, t0)
		o3 := placeOrder(t, s, c1, t0)
		o4 := placeOrder(t, s, c1, t0)
		must(t, o2.Approve("ann", t0))
		must(t, s.UpdateOrder(ctx, o2))
		must(t, o3.Approve("ann", t0))
		must(t, s.UpdateOrder(ctx, o3))
		if _, err := o3.CancelByCustomer("c1", t0); err != nil {
			t.Fatal(err)
		}
		must(t, s.UpdateOrder(ctx, o3))

		mine, err := s.OrdersByCustomer(ctx, c1.ID, 10)
		must(t, err)
		if got := ids(mine); !reflect.DeepEqual(got, []int64{o4.ID, o3.ID, o1.ID}) {
			t.Fatalf("OrdersByCustomer = %v, want newest first", got)
		}
		if len(mine[0].Items) != 1 || len(mine[1].History) != 3 {
			t.Fatalf("listed orders lack items or history: %+v", mine)
		}
		mine, _ = s.OrdersByCustomer(ctx, c1.ID, 2)
		if len(mine) != 2 {
			t.Fatalf("limit 2 gave %d orders", len(mine))
		}
		pending, err := s.OrdersByStatus(ctx, []bot.OrderStatus{bot.Pending}, 10)
		must(t, err)
		if got := ids(pending); !reflect.DeepEqual(got, []int64{o1.ID, o4.ID}) {
			t.Fatalf("pending = %v, want oldest first", got)
		}
		both, _ := s.OrdersByStatus(ctx, []bot.OrderStatus{bot.Pending, bot.Confirmed}, 0)
		if len(both) != 4 {
			t.Fatalf("pending or confirmed = %v", ids(both))
		}
		if none, err := s.OrdersByStatus(ctx, nil, 10); err != nil || len(none) != 0 {
			t.Fatalf("no statuses = %v, %v", none, err)
		}
		cancels, err := s.OrdersWithCancelRequest(ctx, 10)
		must(t, err)
		if got := ids(cancels); !reflect.DeepEqual(got, []int64{o3.ID}) {
			t.Fatalf("cancel requests = %v, want [%d]", got, o3.ID)
		}
	})
}

func ids(os []*bot.Order) []int64 {
	var out []int64
	for _, o := range os {
		out = append(out, o.ID)
	}
	return out
}

func TestOrderStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := customer(t, s, "1")
		day := time.Date(2025, 3, 14, 0, 0, 0, 0, time.UTC)
		placeOrder(t, s, c, day)                        // 7600, counts
		placeOrder(t, s, c, day.Add(23*time.Hour))      // 7600, counts
		placeOrder(t, s, c, day.Add(24*time.Hour))      // next day
		placeOrder(t, s, c, day.Add(-time.Millisecond)) // day before
		rejected := placeOrder(t, s, c, day.Add(time.Hour))
		must(t, rejected.Reject("ann", "sold out", day.Add(2*time.Hour)))
		must(t, s.UpdateOrder(ctx, rejected))
		cancelled := placeOrder(t, s, c, day.Add(time.Hour))
		if _, err := cancelled.CancelByCustomer("c", day.Add(2*time.Hour)); err != nil {
			t.Fatal(err)
		}
		must(t, s.UpdateOrder(ctx, cancelled))

		n, revenue, err := s.OrderStats(ctx, day, day.Add(24*time.Hour))
		must(t, err)
		if n != 4 || revenue != 15200 {
			t.Fatalf("OrderStats = %d orders, %d revenue; want 4, 15200", n, revenue)
		}
		n, revenue, err = s.OrderStats(ctx, day.AddDate(1, 0, 0), day.AddDate(1, 0, 1))
		must(t, err)
		if n != 0 || revenue != 0 {
			t.Fatalf("OrderStats of an empty day = %d, %d", n, revenue)
		}
	})
}

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

func newRequest(t testing.TB, c bot.Customer, o *bot.Order) *bot.AfterSales {
	t.Helper()
	r, err := bot.NewAfterSales(c, o, bot.Refund, "broken lid", []string{"photo:1", "photo:2"}, t0.Add(time.Hour))
	must(t, err)
	return r
}

func TestAfterSales(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := customer(t, s, "42")
		o := shippedOrder(t, s, c)
		r := newRequest(t, c, o)
		must(t, s.CreateAfterSales(ctx, r))
		if r.ID == 0 || r.Number != "S"+strconv.FormatInt(100000+r.ID, 10) || r.Version != 1 {
			t.Fatalf("created request has ID %d, Number %q, Version %d", r.ID, r.Number, r.Version)
		}
		got, err := s.AfterSales(ctx, r.ID)
		must(t, err)
		if !reflect.DeepEqual(got, r) {
			t.Fatalf("AfterSales = %+v\nwant        %+v", got, r)
		}

		must(t, r.Approve("ann (slack)", "", t0.Add(2*time.Hour)))
		must(t, s.UpdateAfterSales(ctx, r))
		must(t, r.Resolve("ann (slack)", t0.Add(3*time.Hour)))
		must(t, s.UpdateAfterSales(ctx, r))
		got, _ = s.AfterSales(ctx, r.ID)
		if !reflect.DeepEqual(got, r) || len(got.History) != 3 || got.Version != 3 {
			t.Fatalf("after approve and resolve = %+v\nwant %+v", got, r)
		}

		noMedia, err := bot.NewAfterSales(c, o, bot.Complaint, "late", nil, t0)
		must(t, err)
		must(t, s.CreateAfterSales(ctx, noMedia))
		list, err := s.AfterSalesByOrder(ctx, o.ID)
		must(t, err)
		if len(list) != 2 || list[0].ID != r.ID || list[1].ID != noMedia.ID || list[1].Media != nil {
			t.Fatalf("AfterSalesByOrder = %+v", list)
		}
		open, err := s.AfterSalesByStatus(ctx, []bot.RequestStatus{bot.Submitted, bot.Approved}, 10)
		must(t, err)
		if len(open) != 1 || open[0].ID != noMedia.ID {
			t.Fatalf("open requests = %+v", open)
		}
		_, err = s.AfterSales(ctx, 999999)
		wantErr(t, err, bot.ErrNotFound)
		wantErr(t, s.UpdateAfterSales(ctx, &bot.AfterSales{ID: 999999, Version: 1, Status: bot.Resolved}), bot.ErrNotFound)
	})
}

func TestOneOpenAfterSalesPerOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := customer(t, s, "42")
		o := shippedOrder(t, s, c)
		other := shippedOrder(t, s, c)
		first := newRequest(t, c, o)
		must(t, s.CreateAfterSales(ctx, first))
		wantErr(t, s.CreateAfterSales(ctx, newRequest(t, c, o)), bot.ErrDuplicate)
		must(t, s.CreateAfterSales(ctx, newRequest(t, c, other))) // another order is free

		// Approved is still open.
		must(t, first.Approve("ann", "", t0))
		must(t, s.UpdateAfterSales(ctx, first))
		wantErr(t, s.CreateAfterSales(ctx, newRequest(t, c, o)), bot.ErrDuplicate)

		// Resolved frees the order.
		must(t, first.Resolve("ann", t0))
		must(t, s.UpdateAfterSales(ctx, first))
		second := newRequest(t, c, o)
		must(t, s.CreateAfterSales(ctx, second))

		// Rejected frees it as well, again and again.
		must(t, second.Reject("ann", "no", t0))
		must(t, s.UpdateAfterSales(ctx, second))
		must(t, s.CreateAfterSales(ctx, newRequest(t, c, o)))
		if list, _ := s.AfterSalesByOrder(ctx, o.ID); len(list) != 3 {
			t.Fatalf("%d requests on the order, want 3", len(list))
		}
	})
}

func TestUpdateAfterSalesVersionConflict(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := customer(t, s, "42")
		r := newRequest(t, c, shippedOrder(t, s, c))
		must(t, s.CreateAfterSales(ctx, r))
		a, _ := s.AfterSales(ctx, r.ID)
		b, _ := s.AfterSales(ctx, r.ID)
		must(t, a.Approve("ann", "", t0))
		must(t, s.UpdateAfterSales(ctx, a))
		must(t, b.Reject("bob", "no", t0))
		wantErr(t, s.UpdateAfterSales(ctx, b), bot.ErrConflict)
		got, _ := s.AfterSales(ctx, r.ID)
		if got.Status != bot.Approved || len(got.History) != 2 {
			t.Fatalf("after the conflict: %+v", got)
		}
	})
}

// TestAfterSalesByOrders reads the requests of several orders at once,
// oldest first, and none of an order not asked about.
func TestAfterSalesByOrders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := customer(t, s, "42")
		a, b, other := shippedOrder(t, s, c), shippedOrder(t, s, c), shippedOrder(t, s, c)
		first, second, third := newRequest(t, c, a), newRequest(t, c, b), newRequest(t, c, other)
		must(t, s.CreateAfterSales(ctx, first))
		must(t, s.CreateAfterSales(ctx, third))
		must(t, s.CreateAfterSales(ctx, second))
		got, err := s.AfterSalesByOrders(ctx, []int64{b.ID, a.ID})
		must(t, err)
		if len(got) != 2 || got[0].ID != first.ID || got[1].ID != second.ID {
			t.Fatalf("AfterSalesByOrders = %+v, want requests %d and %d", got, first.ID, second.ID)
		}
		if none, err := s.AfterSalesByOrders(ctx, nil); err != nil || len(none) != 0 {
			t.Fatalf("no orders: %v, %v", none, err)
		}
	})
}

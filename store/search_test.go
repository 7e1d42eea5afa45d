package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestSearchOrdersMergesMatches(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := customer(t, s, "1")
		items := []bot.OrderItem{{SKU: "TEA-1", Name: "Green tea", UnitPrice: 3800, Qty: 1}}
		var os []*bot.Order
		// The first order's number is 100001; its phone, and the next
		// one's whole name, are that number too: each order once.
		for _, contact := range []bot.Contact{{Name: "A", Phone: "100001"}, {Name: "100001", Phone: "9"}, {Name: "B", Phone: "8"}} {
			o, err := bot.NewOrder(c, items, contact, t0)
			must(t, err)
			must(t, s.CreateOrder(ctx, o))
			os = append(os, o)
		}
		got, err := s.SearchOrders(ctx, bot.OrderFilter{Query: "100001", Limit: 10})
		must(t, err)
		if len(got) != 2 || got[0].ID != os[1].ID || got[1].ID != os[0].ID || len(got[1].Items) != 1 || len(got[1].History) != 1 {
			t.Fatalf("search 100001 = %+v", got)
		}
		got, err = s.SearchOrders(ctx, bot.OrderFilter{Query: "100001", Limit: 1})
		must(t, err)
		if len(got) != 1 || got[0].ID != os[1].ID {
			t.Fatalf("limit 1 = %+v", got)
		}
		got, err = s.SearchOrders(ctx, bot.OrderFilter{Query: "100001", Limit: 10, BeforeID: os[1].ID})
		must(t, err)
		if len(got) != 1 || got[0].ID != os[0].ID {
			t.Fatalf("after the first page = %+v", got)
		}
	})
}

func TestCustomersByIDAndStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		a, b := customer(t, s, "a"), customer(t, s, "b")
		a.Conversation = []byte(`{"state":"browsing"}`)
		must(t, s.UpdateCustomer(ctx, a))
		cs, err := s.CustomersByID(ctx, []int64{a.ID, 999999, b.ID})
		must(t, err)
		if len(cs) != 2 || cs[0].ID != b.ID || cs[1].ID != a.ID || cs[1].Conversation != nil {
			t.Fatalf("customers = %+v", cs)
		}
		first := placeOrder(t, s, a, t0)
		placeOrder(t, s, a, t0.Add(time.Hour))
		cancelled := placeOrder(t, s, a, t0.Add(2*time.Hour))
		_, err = cancelled.CancelByCustomer("a", t0.Add(3*time.Hour))
		must(t, err)
		must(t, s.UpdateOrder(ctx, cancelled))
		stats, err := s.CustomerStats(ctx, []int64{a.ID, b.ID})
		must(t, err)
		want := bot.CustomerStats{OrderCount: 2, TotalSpent: 2 * first.Total, FirstOrderAt: ms(t0), LastOrderAt: ms(t0.Add(time.Hour))}
		if len(stats) != 1 || stats[a.ID] != want {
			t.Fatalf("stats = %+v, want %+v for %d only", stats, want, a.ID)
		}
	})
}

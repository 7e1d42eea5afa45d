package tier_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/tier"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// BenchmarkOpenWork measures what the tier on every card costs the work
// queue: 200 pending orders of 200 customers, with and without tiers.
func BenchmarkOpenWork(b *testing.B) {
	for _, backend := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", storetest.SQLite}, {"mysql", storetest.MySQL}} {
		b.Run(backend.name, func(b *testing.B) {
			st := backend.open(b)
			ctx := context.Background()
			seed(b, st, 200)
			for _, withTiers := range []bool{false, true} {
				cfg := bot.Config{StaffChannels: []string{bot.WebChat}}
				if withTiers {
					cfg.Membership = tier.New(st, quiet(), nil, nil)
				}
				svc := bot.NewService(st, quiet(), cfg, nil)
				b.Run(fmt.Sprintf("tiers=%v", withTiers), func(b *testing.B) {
					for b.Loop() {
						cards, err := svc.OpenWork(ctx)
						if err != nil || len(cards) != 200 {
							b.Fatalf("%d cards, %v", len(cards), err)
						}
					}
				})
			}
		})
	}
}

// seed stores n pending orders of n customers.
func seed(b *testing.B, st *store.Store, n int) {
	b.Helper()
	ctx := context.Background()
	now := time.Now()
	for i := range n {
		c, err := st.LockCustomer(ctx, bot.WebChat, fmt.Sprintf("u%d", i))
		if err != nil {
			b.Fatal(err)
		}
		o, err := bot.NewOrder(c, []bot.OrderItem{{SKU: "TEA", Name: "Tea", UnitPrice: 3800, Qty: 1}}, bot.Contact{Name: "Li", Phone: "138", Address: "Road"}, now)
		if err != nil {
			b.Fatal(err)
		}
		if err := st.CreateOrder(ctx, o); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSweep measures a whole daily sweep of 1,000 customers who each
// completed an order.
func BenchmarkSweep(b *testing.B) {
	for _, backend := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", storetest.SQLite}, {"mysql", storetest.MySQL}} {
		b.Run(backend.name, func(b *testing.B) {
			st := backend.open(b)
			ctx := context.Background()
			now := time.Now()
			for i := range 1000 {
				c, err := st.LockCustomer(ctx, bot.WebChat, fmt.Sprintf("u%d", i))
				if err != nil {
					b.Fatal(err)
				}
				o, err := bot.NewOrder(c, []bot.OrderItem{{SKU: "TEA", Name: "Tea", UnitPrice: 3800, Qty: 1}}, bot.Contact{Name: "Li"}, now)
				if err != nil {
					b.Fatal(err)
				}
				if err := st.CreateOrder(ctx, o); err != nil {
					b.Fatal(err)
				}
				for _, step := range []func() error{
					func() error { return o.Approve("a", now) },
					func() error { return o.Ship("a", "SF", "1", now) },
					func() error { return o.Deliver("a", now) },
					func() error { return o.Complete("a", now) },
				} {
					if err := step(); err != nil {
						b.Fatal(err)
					}
				}
				if err := st.UpdateOrder(ctx, o); err != nil {
					b.Fatal(err)
				}
			}
			svc := tier.New(st, quiet(), nil, nil)
			for b.Loop() {
				if n, err := svc.Sweep(ctx); err != nil || n != 1000 {
					b.Fatalf("swept %d: %v", n, err)
				}
			}
		})
	}
}

package store_test

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// BenchmarkSearchCustomersByTierAndTag measures a page of
// GET /api/v1/customers?tier=&tag= in the store on 100,000 customers
// (ORDERBOT_BENCH_CUSTOMERS changes it), and logs each plan on MySQL.
func BenchmarkSearchCustomersByTierAndTag(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("ORDERBOT_BENCH_CUSTOMERS")); err == nil && v > 0 {
		n = v
	}
	for _, backend := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", storetest.SQLite}, {"mysql", storetest.MySQL}} {
		b.Run(backend.name, func(b *testing.B) {
			ctx := context.Background()
			s := backend.open(b)
			must(b, store.SeedOrders(ctx, s, 0, n, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)))
			must(b, store.SeedCustomerCRM(ctx, s, n))
			for _, f := range []bot.CustomerFilter{
				{Tier: "gold"}, {Tier: "regular"}, {Tier: "silver"}, {Tag: "vip"}, {Tag: "t700"},
				{Tag: "vip", Tier: "gold"}, {Tier: "gold", BeforeID: int64(n / 2)},
			} {
				f.Limit = 51
				b.Run(f.Tier+"/"+f.Tag, func(b *testing.B) {
					if backend.name == "mysql" {
						plan, err := store.ExplainCustomerSearch(ctx, s, f)
						must(b, err)
						for _, line := range plan {
							b.Log(line)
						}
					}
					lat := make([]time.Duration, 0, b.N)
					for b.Loop() {
						t := time.Now()
						_, err := s.SearchCustomers(ctx, f)
						must(b, err)
						lat = append(lat, time.Since(t))
					}
					reportLatency(b, lat)
				})
			}
		})
	}
}

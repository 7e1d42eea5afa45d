package store_test

import (
	"context"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// BenchmarkSearchOrders measures what GET /api/v1/orders?q= asks of the
// store (the search, a page of 50 with items and history, the page's
// customers) on 100,000 orders of 20,000 customers, and reports p50 and
// p99 per query kind. ORDERBOT_BENCH_ORDERS changes the count. On MySQL it
// logs each query's plan. The seeding runs only when benchmarks run.
func BenchmarkSearchOrders(b *testing.B) {
	n := 100_000
	if v, err := strconv.Atoi(os.Getenv("ORDERBOT_BENCH_ORDERS")); err == nil && v > 0 {
		n = v
	}
	const customers = 20_000
	for _, backend := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", storetest.SQLite}, {"mysql", storetest.MySQL}} {
		b.Run(backend.name, func(b *testing.B) {
			ctx := context.Background()
			s := backend.open(b)
			start := time.Now()
			must(b, store.SeedOrders(ctx, s, n, customers, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)))
			b.Logf("seeded %d orders in %s", n, time.Since(start).Round(time.Millisecond))
			b.Run("select-1", func(b *testing.B) {
				// The noise floor: the latency of a round trip that does nothing.
				lat := make([]time.Duration, 0, b.N)
				for b.Loop() {
					t := time.Now()
					must(b, store.SelectOne(ctx, s))
					lat = append(lat, time.Since(t))
				}
				reportLatency(b, lat)
			})
			rng := rand.New(rand.NewPCG(1, 2))
			for _, kind := range []struct {
				name  string
				query func() string
			}{
				{"number", func() string { return strconv.Itoa(100000 + 1 + rng.IntN(n)) }},
				{"phone", func() string { return store.SeedPhone(rng.IntN(customers)) }},
				{"name", func() string { return store.SeedName(rng.IntN(customers)) }},
				// No "surname" case: names are sealed, so only the whole
				// name is found (through its keyed hash), not a prefix.
			} {
				b.Run(kind.name, func(b *testing.B) {
					f := bot.OrderFilter{Query: kind.query(), Limit: 51}
					if backend.name == "mysql" {
						plan, err := store.ExplainOrderSearch(ctx, s, f)
						must(b, err)
						for _, line := range plan {
							b.Log(line)
						}
					}
					lat := make([]time.Duration, 0, b.N)
					found := 0
					for b.Loop() {
						f.Query = kind.query()
						t := time.Now()
						os, err := s.SearchOrders(ctx, f)
						must(b, err)
						ids := make([]int64, len(os))
						for i, o := range os {
							ids[i] = o.CustomerID
						}
						_, err = s.CustomersByID(ctx, ids)
						must(b, err)
						lat = append(lat, time.Since(t))
						found += len(os)
					}
					if found == 0 {
						b.Fatal("the searches found nothing")
					}
					reportLatency(b, lat)
					b.ReportMetric(float64(found)/float64(len(lat)), "orders/op")
				})
			}
		})
	}
}

func reportLatency(b *testing.B, lat []time.Duration) {
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
}

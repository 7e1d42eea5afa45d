package store_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// BenchmarkWorkQueue measures what loading the console's work queue asks
// of the store and the core (the counts of every kind, a page of 50 items
// and their cards) with 10,000 open orders among 26,667, seeded in bulk,
// and reports p50 and p99: the first page, and the page after item 9,900.
func BenchmarkWorkQueue(b *testing.B) {
	for _, backend := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", storetest.SQLite}, {"mysql", storetest.MySQL}} {
		b.Run(backend.name, func(b *testing.B) {
			ctx := context.Background()
			s := backend.open(b)
			// Three of every eight seeded orders are open (pending,
			// confirmed, shipped).
			must(b, store.SeedOrders(ctx, s, 26_667, 5_000, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)))
			svc := bot.NewService(s, slog.New(slog.DiscardHandler), bot.Config{}, nil)
			counts, err := s.WorkCounts(ctx)
			must(b, err)
			open := counts[bot.WorkNew] + counts[bot.WorkFulfil]
			if open < 10_000 {
				b.Fatalf("only %d open items", open)
			}
			b.Logf("open items: %v", counts)
			deep, err := s.WorkQueue(ctx, bot.WorkQuery{Limit: 9_900})
			must(b, err)
			for _, page := range []struct {
				name  string
				after *bot.WorkItem
			}{{"first-page", nil}, {"page-after-9900", &deep[len(deep)-1]}} {
				b.Run(page.name, func(b *testing.B) {
					lat := make([]time.Duration, 0, b.N)
					for b.Loop() {
						t := time.Now()
						_, err := s.WorkCounts(ctx)
						must(b, err)
						items, err := s.WorkQueue(ctx, bot.WorkQuery{After: page.after, Limit: 51})
						must(b, err)
						cards, err := svc.WorkCards(ctx, items[:50])
						must(b, err)
						if len(cards) != 50 {
							b.Fatalf("%d cards", len(cards))
						}
						lat = append(lat, time.Since(t))
					}
					reportLatency(b, lat)
				})
			}
		})
	}
}

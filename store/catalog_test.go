package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestProducts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if ps, err := s.Products(ctx, false); err != nil || len(ps) != 0 {
			t.Fatalf("Products on an empty catalog = %v, %v", ps, err)
		}
		cake := bot.Product{SKU: "CAKE", Name: "Cake 🍰", NameZH: "蛋糕", Category: "dessert", Description: "Soft", ImageURL: "https://x/c.png", Price: 1250, Stock: 3, Active: true}
		old := bot.Product{SKU: "OLD", Name: "Old", Price: 1, Stock: 0, Active: false}
		products(t, s, tea(10), cake, old)

		all, err := s.Products(ctx, false)
		must(t, err)
		if len(all) != 3 || all[0].SKU != "TEA-1" || all[1].SKU != "CAKE" || all[2].SKU != "OLD" {
			t.Fatalf("Products(false) = %+v, want TEA-1, CAKE, OLD in import order", all)
		}
		active, err := s.Products(ctx, true)
		must(t, err)
		if len(active) != 2 {
			t.Fatalf("Products(true) = %+v, want the 2 active", active)
		}
		got, err := s.Product(ctx, "CAKE")
		must(t, err)
		cake.ID = got.ID
		if got != cake || got.ID == 0 {
			t.Fatalf("Product(CAKE) = %+v, want %+v", got, cake)
		}
		_, err = s.Product(ctx, "NOPE")
		wantErr(t, err, bot.ErrNotFound)
	})
}

func TestUpsertProductsUpdatesBySKU(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		products(t, s, tea(10))
		before, _ := s.Product(ctx, "TEA-1")
		changed := bot.Product{SKU: "TEA-1", Name: "Black tea", NameZH: "红茶", Category: "tea2", Description: "d", ImageURL: "u", Price: 4200, Stock: 7, Active: false}
		products(t, s, changed, bot.Product{SKU: "NEW", Name: "New", Price: 5, Stock: 1, Active: true})
		got, err := s.Product(ctx, "TEA-1")
		must(t, err)
		changed.ID = before.ID
		if got != changed {
			t.Fatalf("after upsert = %+v, want %+v (same id)", got, changed)
		}
		if all, _ := s.Products(ctx, false); len(all) != 2 {
			t.Fatalf("%d products, want 2", len(all))
		}
	})
}

func TestUpsertProductsIsAllOrNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var ps []bot.Product
		for i := range 450 { // several batches
			ps = append(ps, bot.Product{SKU: "P" + string(rune('A'+i%26)) + string(rune('A'+i/26)), Name: "p", Price: 1, Stock: 1, Active: true})
		}
		ps[440].Stock = -1 // breaks the CHECK in the last batch
		if err := s.UpsertProducts(ctx, ps); err == nil {
			t.Fatal("upsert with negative stock succeeded")
		}
		if all, _ := s.Products(ctx, false); len(all) != 0 {
			t.Fatalf("%d products stored after a failed upsert, want 0", len(all))
		}
		ps[440].Stock = 1
		must(t, s.UpsertProducts(ctx, ps))
		if all, _ := s.Products(ctx, false); len(all) != 450 {
			t.Fatalf("%d products, want 450", len(all))
		}
	})
}

func TestReserveAndReleaseStock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		products(t, s, tea(3), bot.Product{SKU: "OFF", Name: "Off", Price: 1, Stock: 5, Active: false})
		must(t, s.ReserveStock(ctx, "TEA-1", 2))
		wantErr(t, s.ReserveStock(ctx, "TEA-1", 2), bot.ErrOutOfStock)
		must(t, s.ReserveStock(ctx, "TEA-1", 1))
		wantErr(t, s.ReserveStock(ctx, "TEA-1", 1), bot.ErrOutOfStock)
		wantErr(t, s.ReserveStock(ctx, "NOPE", 1), bot.ErrNotFound)
		wantErr(t, s.ReserveStock(ctx, "OFF", 1), bot.ErrNotFound)
		wantErr(t, s.ReserveStock(ctx, "TEA-1", 0), bot.ErrInvalid)

		must(t, s.ReleaseStock(ctx, "TEA-1", 2))
		must(t, s.ReleaseStock(ctx, "OFF", 1)) // a product taken off sale still gets its stock back
		wantErr(t, s.ReleaseStock(ctx, "NOPE", 1), bot.ErrNotFound)
		if p, _ := s.Product(ctx, "TEA-1"); p.Stock != 2 {
			t.Fatalf("stock = %d, want 2", p.Stock)
		}
		if p, _ := s.Product(ctx, "OFF"); p.Stock != 6 {
			t.Fatalf("stock of OFF = %d, want 6", p.Stock)
		}
	})
}

// TestReserveStockConcurrently is the oversell test: 50 buyers, 10 in stock.
func TestReserveStockConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		products(t, s, tea(10))
		var (
			wg              sync.WaitGroup
			mu              sync.Mutex
			ok, out, others int
		)
		for range 50 {
			wg.Go(func() {
				err := s.InTx(ctx, func(tx bot.Repo) error {
					return tx.ReserveStock(ctx, "TEA-1", 1)
				})
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, bot.ErrOutOfStock):
					out++
				default:
					others++
					t.Errorf("unexpected error: %v", err)
				}
			})
		}
		wg.Wait()
		if ok != 10 || out != 40 || others != 0 {
			t.Fatalf("%d reserved, %d out of stock, %d failed; want 10, 40, 0", ok, out, others)
		}
		if p, _ := s.Product(ctx, "TEA-1"); p.Stock != 0 {
			t.Fatalf("stock = %d, want 0", p.Stock)
		}
	})
}

// TestCatalogVersion: every change of the catalog raises the version a
// customer's lock reads, and nothing else does (an order's stock is read
// afresh instead, with StockOf).
func TestCatalogVersion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		version := func() int64 {
			t.Helper()
			var v int64
			must(t, s.InTx(ctx, func(tx bot.Repo) error {
				lk, err := tx.LockForInbound(ctx, bot.WebChat, "u1", "k", "")
				v = lk.CatalogVersion
				return err
			}))
			return v
		}
		v0 := version()
		if v0 == 0 {
			t.Fatal("no catalog version on a new database")
		}
		products(t, s, tea(10))
		v1 := version()
		if v1 <= v0 {
			t.Fatalf("version %d after an import, %d before", v1, v0)
		}
		must(t, s.ReserveStock(ctx, "TEA-1", 3))
		must(t, s.ReleaseStock(ctx, "TEA-1", 1))
		if v := version(); v != v1 {
			t.Errorf("version %d after stock moved, %d before", v, v1)
		}
		// A failed import changes nothing, the version neither.
		if err := s.UpsertProducts(ctx, []bot.Product{{SKU: "BAD", Name: "Bad", Price: -1, Active: true}}); err == nil {
			t.Fatal("an invalid product was imported")
		}
		if v := version(); v != v1 {
			t.Errorf("version %d after a refused import, %d before", v, v1)
		}

		stock, err := s.StockOf(ctx, []string{"TEA-1", "NOPE"})
		must(t, err)
		if len(stock) != 1 || stock["TEA-1"] != 8 {
			t.Errorf("StockOf = %v, want TEA-1: 8 only", stock)
		}
		if stock, err := s.StockOf(ctx, nil); err != nil || len(stock) != 0 {
			t.Errorf("StockOf(nothing) = %v, %v", stock, err)
		}
	})
}

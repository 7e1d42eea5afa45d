package bot_test

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// BenchmarkBrowseCatalogSize measures a customer browsing (menu,
// categories, a category's first page, a product) with 100 and with 10,000
// products in 20 categories: with the catalog kept by the replica and only
// the shown products' stock read, the cost per op should not grow with
// the catalog. One op is the four messages.
func BenchmarkBrowseCatalogSize(b *testing.B) {
	benchCatalogSizes(b, []bot.Inbound{{Text: "menu"}, {Button: "browse"}, {Button: "cat:C07"}, {Button: "sku:P00007"}})
}

// BenchmarkCheckoutCatalogSize is BenchmarkBrowseCatalogSize for a
// customer who goes on to the order summary, whose steps price the cart:
// one op is the ten messages from the menu to the summary.
func BenchmarkCheckoutCatalogSize(b *testing.B) {
	benchCatalogSizes(b, []bot.Inbound{{Text: "menu"}, {Button: "browse"}, {Button: "cat:C07"}, {Button: "sku:P00007"},
		{Button: "add"}, {Text: "1"}, {Button: "checkout"}, {Text: "Li Lei"}, {Text: "13800138000"}, {Text: "88 Wensan Road, Hangzhou"}})
}

// BenchmarkSearchCatalogSize is BenchmarkBrowseCatalogSize for a customer
// who types what they look for: one op is a search that finds one product
// and one that finds none.
func BenchmarkSearchCatalogSize(b *testing.B) {
	benchCatalogSizes(b, []bot.Inbound{{Text: "Tea 7777"}, {Text: "oolong"}})
}

// benchCatalogSizes runs steps for customers of a shop of 100 and of
// 10,000 products, on SQLite and, when set up, MySQL.
func benchCatalogSizes(b *testing.B, steps []bot.Inbound) {
	backends := []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", storetest.SQLite}}
	if os.Getenv(storetest.MySQLEnv) != "" {
		backends = append(backends, struct {
			name string
			open func(testing.TB) *store.Store
		}{"mysql", storetest.MySQL})
	}
	for _, backend := range backends {
		for _, size := range []int{100, 10000} {
			b.Run(fmt.Sprintf("%s/%d", backend.name, size), func(b *testing.B) {
				ctx := context.Background()
				st := backend.open(b)
				svc := bot.NewService(st, quietLog(), bot.Config{StaffChannels: []string{bot.WebChat}}, nil)
				products := make([]bot.Product, size)
				for i := range products {
					products[i] = bot.Product{
						SKU: fmt.Sprintf("P%05d", i), Name: fmt.Sprintf("Tea %d", i), Category: fmt.Sprintf("C%02d", i%20),
						Description: "A tea from the hills, picked in spring.", Price: 100 + int64(i), Stock: 1000, Active: true,
					}
				}
				if err := svc.ImportCatalog(ctx, "bench", products); err != nil {
					b.Fatal(err)
				}
				n := 0
				send := func(user string, in bot.Inbound) {
					n++
					in.Channel, in.UserID, in.DedupKey = bot.WebChat, user, fmt.Sprintf("b:%d", n)
					out, err := svc.HandleInbound(ctx, in)
					if err != nil || len(out) == 0 {
						b.Fatalf("%+v: %d replies, %v", in, len(out), err)
					}
				}
				for _, in := range steps { // the replica keeps the catalog from here on
					send("warm", in)
				}
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					user := fmt.Sprintf("u%d", i%64)
					for _, in := range steps {
						send(user, in)
					}
				}
			})
		}
	}
}

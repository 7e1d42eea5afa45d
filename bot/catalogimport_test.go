package bot_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// A shop exports the catalog, keeps only the required columns, changes a
// price and imports the file: every other field of every product must be
// as it was. Before, the absent columns were written as blanks.
func TestCatalogImportKeepsAbsentColumns(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := bot.NewService(st, quietLog(), bot.Config{Clock: newClock().Now}, nil)
		full := []bot.Product{
			{SKU: "TEA", Name: "Green tea", NameZH: "绿茶", Category: "Tea", CategoryZH: "茶", Description: "Spring picking",
				DescriptionZH: "明前采摘", ImageURL: "https://shop.example/tea.jpg", Price: 3800, Stock: 100, Active: true},
			{SKU: "OLD", Name: "Old pot", NameZH: "旧壶", Category: "Ware", CategoryZH: "茶具", Description: "Retired",
				DescriptionZH: "停售", ImageURL: "https://shop.example/pot.jpg", Price: 9900, Stock: 0, Active: false},
		}
		must(t, svc.ImportCatalog(ctx, "test", full))

		var exported bytes.Buffer
		products, err := svc.Catalog(ctx)
		must(t, err)
		must(t, bot.WriteCatalogCSV(&exported, products))
		edited := keepColumns(t, exported.String(), 4)
		edited = strings.Replace(edited, "TEA,Green tea,38.00,100", "TEA,Green tea,42.50,100", 1)
		edited += "NEW,New tea,10.00,5\n"

		file, err := bot.ParseCatalogCSV(strings.NewReader(edited))
		must(t, err)
		must(t, svc.ImportCatalogFile(ctx, "test", file))

		got, err := svc.Catalog(ctx)
		must(t, err)
		want := []bot.Product{full[0], full[1], {SKU: "NEW", Name: "New tea", Price: 1000, Stock: 5, Active: true}}
		want[0].Price = 4250
		if len(got) != len(want) {
			t.Fatalf("got %d products, want %d: %+v", len(got), len(want), got)
		}
		for i := range want {
			got[i].ID = 0
			if got[i] != want[i] {
				t.Errorf("product %d:\n got %+v\nwant %+v", i, got[i], want[i])
			}
		}
	})
}

// An empty cell in a column the file has clears the field.
func TestCatalogImportEmptyCellClears(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc := bot.NewService(st, quietLog(), bot.Config{Clock: newClock().Now}, nil)
		must(t, svc.ImportCatalog(ctx, "test", []bot.Product{{SKU: "TEA", Name: "Green tea", CategoryZH: "茶",
			DescriptionZH: "明前", ImageURL: "https://shop.example/tea.jpg", Price: 3800, Stock: 1, Active: true}}))
		file, err := bot.ParseCatalogCSV(strings.NewReader("sku,name,price,stock,image_url,category_zh\nTEA,Green tea,38,1,,\n"))
		must(t, err)
		must(t, svc.ImportCatalogFile(ctx, "test", file))
		got, err := st.Product(ctx, "TEA")
		must(t, err)
		if got.ImageURL != "" || got.CategoryZH != "" || got.DescriptionZH != "明前" {
			t.Fatalf("got %+v; want image_url and category_zh cleared, description_zh kept", got)
		}
	})
}

// keepColumns cuts a CSV down to its first n columns.
func keepColumns(t *testing.T, in string, n int) string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(in)).ReadAll()
	must(t, err)
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	for _, r := range rows {
		must(t, w.Write(r[:n]))
	}
	w.Flush()
	return b.String()
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// replicas opens two stores on one new database of backend, as two
// replicas of orderbot would.
func replicas(t *testing.T, backend string) (*store.Store, *store.Store) {
	t.Helper()
	dsn := storetest.DSN(t, backend)
	open := func() *store.Store {
		st, err := store.Open(context.Background(), dsn, quietLog())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		storetest.UseDataKey(t, st)
		return st
	}
	return open(), open()
}

// shown is what the replies say and offer.
func shown(ms []*bot.Message) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.Text + "\n")
		for _, o := range m.Options {
			b.WriteString(o.Label + "\n")
		}
	}
	return b.String()
}

// TestCatalogCacheAcrossReplicas: each replica keeps the catalog between
// messages, yet a change made through one is in the other's very next
// reply, and the stock either shows is the stock after every order placed
// through both.
func TestCatalogCacheAcrossReplicas(t *testing.T) {
	for _, backend := range []string{"sqlite", "mysql"} {
		t.Run(backend, func(t *testing.T) {
			stA, stB := replicas(t, backend)
			a, b := newShop(t, stA), newShop(t, stB)
			b.seq.Add(1 << 20) // the replicas' events have keys of their own
			ctx := context.Background()
			look := func(s *shop, user string, keys ...string) string {
				s.say(user, "menu")
				var out []*bot.Message
				for _, k := range keys {
					out = s.press(user, k)
				}
				return shown(out)
			}
			// Both replicas have the catalog now.
			if got := look(a, "u1", "browse", "cat:Tea"); !strings.Contains(got, "Green tea · CN¥38.00") {
				t.Fatalf("replica A shows:\n%s", got)
			}
			if got := look(b, "u2", "browse", "cat:Tea"); !strings.Contains(got, "Green tea · CN¥38.00") {
				t.Fatalf("replica B shows:\n%s", got)
			}

			err := a.svc.ImportCatalog(ctx, "test", []bot.Product{
				{SKU: "TEA", Name: "Spring tea", Category: "Tea", Price: 4200, Stock: 50, Active: true},
				{SKU: "CUP", Name: "Tea cup", Category: "Tea", Price: 900, Stock: 5, Active: true},
				{SKU: "BOWL", Name: "Tea bowl", Category: "Bowls", Price: 2900, Stock: 5, Active: true},
			})
			if err != nil {
				t.Fatal(err)
			}
			got := look(b, "u2", "browse")
			if !strings.Contains(got, "Bowls") {
				t.Errorf("replica B's categories after an import through A:\n%s", got)
			}
			got = look(b, "u2", "browse", "cat:Tea")
			if !strings.Contains(got, "Spring tea · CN¥42.00") || strings.Contains(got, "Green tea") {
				t.Errorf("replica B's teas after an import through A:\n%s", got)
			}

			// Orders through both replicas; each shows the stock they left.
			a.order("u3", "TEA", 3)
			b.order("u4", "TEA", 2)
			a.order("u5", "CUP", 5)
			for name, s := range map[string]*shop{"A": a, "B": b} {
				if got := look(s, "u6", "browse", "cat:Tea", "sku:TEA"); !strings.Contains(got, "In stock: 45") {
					t.Errorf("replica %s shows the tea after 5 ordered of 50:\n%s", name, got)
				}
				if got := look(s, "u6", "browse", "cat:Tea"); !strings.Contains(got, "Tea cup · CN¥9.00 (sold out)") {
					t.Errorf("replica %s shows the cups after all were ordered:\n%s", name, got)
				}
			}
			// And they are right: the stock is the database's.
			p, err := stB.Product(ctx, "TEA")
			if err != nil || p.Stock != 45 {
				t.Errorf("tea in stock: %d, %v; want 45", p.Stock, err)
			}
			// A sold-out product is refused at checkout on the replica
			// that did not sell it, whatever its kept catalog said.
			b.say("u7", "menu")
			for _, k := range []string{"browse", "cat:Tea", "sku:CUP"} {
				got = shown(b.press("u7", k))
			}
			if strings.Contains(got, "In stock") {
				t.Errorf("replica B offers a sold-out cup:\n%s", got)
			}
		})
	}
}

// slowProducts counts the catalog's loads and makes the first one slow,
// so that messages arriving meanwhile would load it too if they did not
// wait for it.
type slowProducts struct {
	*store.Store
	loads atomic.Int64
}

func (s *slowProducts) InTx(ctx context.Context, fn func(bot.Repo) error) error {
	return s.Store.InTx(ctx, func(tx bot.Repo) error { return fn(slowProductsTx{Repo: tx, loads: &s.loads}) })
}

type slowProductsTx struct {
	bot.Repo
	loads *atomic.Int64
}

func (t slowProductsTx) Products(ctx context.Context, active bool) ([]bot.Product, error) {
	if t.loads.Add(1) == 1 {
		time.Sleep(200 * time.Millisecond)
	}
	return t.Repo.Products(ctx, active)
}

func (t slowProductsTx) StockOf(ctx context.Context, skus []string) (map[string]int, error) {
	return t.Repo.(bot.StockRepo).StockOf(ctx, skus)
}

// TestCatalogLoadedOnceForMessagesAtOnce: customers who all browse at once
// while the replica has no catalog yet wait for one load of it, instead of
// each reading and indexing the whole catalog side by side (16 copies of a
// 10,000-product catalog took a replica to 245 MB).
func TestCatalogLoadedOnceForMessagesAtOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		slow := &slowProducts{Store: st}
		newShop(t, st) // imports the catalog
		svc := bot.NewService(slow, quietLog(), bot.Config{StaffChannels: []string{bot.WebChat}}, nil)
		send := func(i int, in bot.Inbound) ([]*bot.Message, error) {
			in.Channel, in.UserID, in.DedupKey = bot.WebChat, fmt.Sprintf("c%d", i), fmt.Sprintf("once:%d:%s%s", i, in.Text, in.Button)
			return svc.HandleInbound(context.Background(), in)
		}
		for i := range 8 { // welcomed first: the menu shows no products
			if _, err := send(i, bot.Inbound{Text: "menu"}); err != nil {
				t.Fatal(err)
			}
		}
		if n := slow.loads.Load(); n != 0 {
			t.Fatalf("the menu loaded the catalog %d times", n)
		}
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Go(func() {
				out, err := send(i, bot.Inbound{Button: "browse"})
				if err != nil || !strings.Contains(shown(out), "Tea") {
					t.Errorf("customer %d: %q, %v", i, shown(out), err)
				}
			})
		}
		wg.Wait()
		if n := slow.loads.Load(); n != 1 {
			t.Errorf("the catalog was loaded %d times; want once", n)
		}
	})
}

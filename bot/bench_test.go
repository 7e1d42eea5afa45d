package bot_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// BenchmarkHandleInbound measures one customer message end to end through
// the core on a real database: customer lock (with the dedup and held
// checks), catalog load (the message browses), conversation step, save,
// outbox insert, dedup record with the reply, all in one transaction. Customers are spread so that row locks do not serialize them.
// "clear" runs the same without a data key: what sealing personal data
// costs per message is the difference.
func BenchmarkHandleInbound(b *testing.B) {
	for _, backend := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{
		{"sqlite", storetest.SQLite}, {"mysql", storetest.MySQL},
		{"sqlite-clear", func(tb testing.TB) *store.Store { return clearStore(tb, "sqlite") }},
		{"mysql-clear", func(tb testing.TB) *store.Store { return clearStore(tb, "mysql") }},
	} {
		b.Run(backend.name, func(b *testing.B) {
			st := backend.open(b)
			svc := bot.NewService(st, quietLog(), bot.Config{StaffChannels: []string{bot.WebChat}}, nil)
			var products []bot.Product
			for i := range 12 {
				products = append(products, bot.Product{SKU: fmt.Sprintf("P%d", i), Name: "Tea", Category: "Tea", Price: 100, Stock: 1000, Active: true})
			}
			if err := svc.ImportCatalog(context.Background(), "bench", products); err != nil {
				b.Fatal(err)
			}
			var seq atomic.Int64
			b.SetParallelism(parallelism())
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					n := seq.Add(1)
					in := bot.Inbound{Channel: bot.WebChat, UserID: fmt.Sprintf("u%d", n%64), DedupKey: fmt.Sprintf("b:%d", n), Text: "browse"}
					if _, err := svc.HandleInbound(context.Background(), in); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// clearStore is a migrated store without a data key.
func clearStore(tb testing.TB, backend string) *store.Store {
	st, err := store.Open(context.Background(), storetest.DSN(tb, backend), quietLog())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

func parallelism() int {
	if v, err := strconv.Atoi(os.Getenv("BENCH_PARALLELISM")); err == nil && v > 0 {
		return v
	}
	return 8
}

// BenchmarkDispatcher measures outbox delivery with a sender that returns
// at once: the cost the dispatcher itself adds per message (claim, lease,
// mark delivered) on a real database.
func BenchmarkDispatcher(b *testing.B) {
	for _, backend := range []struct {
		name string
		open func(testing.TB) *store.Store
	}{{"sqlite", storetest.SQLite}, {"mysql", storetest.MySQL}} {
		b.Run(backend.name, func(b *testing.B) {
			st := backend.open(b)
			ctx := context.Background()
			msgs := make([]*bot.Message, b.N)
			for i := range msgs {
				msgs[i] = &bot.Message{Channel: bot.WebChat, Recipient: fmt.Sprintf("u%d", i%50), Kind: bot.KindReply, Text: "hi"}
			}
			for i := 0; i < len(msgs); i += 500 {
				if err := st.Enqueue(ctx, msgs[i:min(i+500, len(msgs))]); err != nil {
					b.Fatal(err)
				}
			}
			d := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: nopSender{}}, quietLog(), bot.DispatcherConfig{})
			b.ResetTimer()
			n, err := d.DeliverDue(ctx)
			if err != nil || n != b.N {
				b.Fatalf("delivered %d of %d: %v", n, b.N, err)
			}
		})
	}
}

type nopSender struct{}

func (nopSender) Send(context.Context, *bot.Message) (string, error) { return "", nil }

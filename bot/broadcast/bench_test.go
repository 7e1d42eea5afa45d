package broadcast_test

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/broadcast"
	"github.com/orderbot/orderbot/bot/care"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// BenchmarkBroadcastQueue queues one broadcast to 5,000 consenting
// customers per iteration, in batches of 500, and reports the messages
// queued per second.
func BenchmarkBroadcastQueue(b *testing.B) {
	backends := map[string]func(testing.TB) *store.Store{"sqlite": storetest.SQLite}
	if os.Getenv("ORDERBOT_TEST_MYSQL_DSN") != "" {
		backends["mysql"] = storetest.MySQL
	}
	for name, open := range backends {
		b.Run(name, func(b *testing.B) {
			const customers = 5000
			st := open(b)
			ctx := context.Background()
			now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
			for i := range customers {
				c, err := st.LockCustomer(ctx, bot.WebChat, fmt.Sprint("u", i))
				if err != nil {
					b.Fatal(err)
				}
				if err := st.SaveConsent(ctx, care.Consent{CustomerID: c.ID, Granted: true, At: now, Channel: bot.WebChat}); err != nil {
					b.Fatal(err)
				}
			}
			svc := bot.NewService(st, quiet(), bot.Config{}, nil)
			for _, s := range []bot.Staff{approver, agent} {
				if err := svc.SaveStaff(ctx, "bench", s); err != nil {
					b.Fatal(err)
				}
			}
			bs := broadcast.New(st, quiet(), broadcast.Config{Clock: func() time.Time { return now }}, nil)
			queued := 0
			b.ResetTimer()
			for b.Loop() {
				bc, err := bs.Create(ctx, agent, both)
				if err == nil {
					_, err = bs.Act(ctx, agent, bc.ID, broadcast.ActSubmit)
				}
				if err == nil {
					_, err = bs.Act(ctx, approver, bc.ID, broadcast.ActApprove)
				}
				if err != nil {
					b.Fatal(err)
				}
				n, err := bs.SendDue(ctx)
				if err != nil || n != customers {
					b.Fatalf("queued %d, %v", n, err)
				}
				queued += n
			}
			b.ReportMetric(float64(queued)/b.Elapsed().Seconds(), "msgs/s")
		})
	}
}

package bot_test

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// BenchmarkReplyLatencyWithBulkBacklog measures how long a customer's reply
// waits in the outbox (committed → handed to the platform) while a
// broadcast of 100,000 messages drains through the same dispatcher, and
// the same without a broadcast. The dispatcher runs as in production
// (defaults: 32 workers, batches of 50, 16 bulk messages at most in
// flight) with a platform that answers at once; 4 customers write in
// turn, each waiting for the answer. The backlog is topped up to its size
// before each run. MySQL only (ORDERBOT_TEST_MYSQL_DSN):
//
//	go test ./bot/ -run '^$' -bench ReplyLatencyWithBulkBacklog -benchtime 400x
func BenchmarkReplyLatencyWithBulkBacklog(b *testing.B) {
	for _, backlog := range []int{0, 100_000} {
		dsn := storetest.DSN(b, "mysql") // the parent's: it outlives the sub-benchmark's runs
		b.Run(fmt.Sprintf("backlog=%d", backlog), func(b *testing.B) {
			ctx := context.Background()
			st, err := store.Open(ctx, dsn, quietLog())
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			storetest.UseDataKey(b, st)
			db, err := sql.Open("mysql", strings.TrimPrefix(dsn, "mysql:"))
			if err != nil {
				b.Fatal(err)
			}
			defer db.Close()
			topUpBulk(b, st, db, backlog)

			s := &latencySender{waiting: map[string]chan struct{}{}}
			d := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: s}, quietLog(), bot.DispatcherConfig{Owner: "bench"})
			runCtx, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() { _ = d.Run(runCtx); close(done) }()

			const customers = 4
			var mu sync.Mutex
			var lat []time.Duration
			var next atomic.Int64
			start := time.Now()
			b.ResetTimer()
			var wg sync.WaitGroup
			for c := range customers {
				wg.Go(func() {
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						to := fmt.Sprintf("cust-%d-%d", c, i)
						sent := s.expect(to)
						m := &bot.Message{Channel: bot.WebChat, Recipient: to, Kind: bot.KindReply, Text: "您的订单已确认"}
						if err := st.Enqueue(ctx, []*bot.Message{m}); err != nil {
							b.Error(err)
							return
						}
						at := time.Now()
						d.Kick()
						select {
						case <-sent:
						case <-time.After(time.Minute):
							b.Errorf("reply %d not sent within a minute", m.ID)
							return
						}
						mu.Lock()
						lat = append(lat, time.Since(at))
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			elapsed := time.Since(start)
			stop()
			<-done
			if len(lat) == 0 {
				return
			}
			slices.Sort(lat)
			pct := func(p float64) float64 {
				return float64(lat[min(int(float64(len(lat))*p), len(lat)-1)].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "p50-ms")
			b.ReportMetric(pct(0.99), "p99-ms")
			b.ReportMetric(float64(s.bulk.Load())/elapsed.Seconds(), "bulk/s")
			b.ReportMetric(0, "ns/op")
			var left int
			if err := db.QueryRow("SELECT COUNT(*) FROM messages WHERE bulk = 1 AND delivered_at IS NULL").Scan(&left); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(left), "bulk-left")
		})
	}
}

// latencySender answers at once and tells who waits for a reply that it
// went out.
type latencySender struct {
	mu      sync.Mutex
	waiting map[string]chan struct{}
	bulk    atomic.Int64
}

func (s *latencySender) expect(recipient string) <-chan struct{} {
	ch := make(chan struct{})
	s.mu.Lock()
	defer s.mu.Unlock()
	s.waiting[recipient] = ch
	return ch
}

func (s *latencySender) Send(_ context.Context, m *bot.Message) (string, error) {
	if m.Bulk {
		s.bulk.Add(1)
		return "", nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if ch, ok := s.waiting[m.Recipient]; ok {
		close(ch)
		delete(s.waiting, m.Recipient)
	}
	return "", nil
}

// topUpBulk brings the waiting bulk messages to want, in multi-row INSERTs
// of 1,000 carrying the sealed text of one enqueued through the store.
func topUpBulk(b *testing.B, st *store.Store, db *sql.DB, want int) {
	b.Helper()
	if want == 0 {
		return
	}
	ctx := context.Background()
	var have int
	if err := db.QueryRow("SELECT COUNT(*) FROM messages WHERE bulk = 1 AND delivered_at IS NULL").Scan(&have); err != nil {
		b.Fatal(err)
	}
	if have >= want {
		return
	}
	first := &bot.Message{Channel: bot.WebChat, Recipient: "bulk-seed", Kind: bot.KindReply, Text: "双十一全场八折，回复 退订 不再接收", Bulk: true}
	if err := st.Enqueue(ctx, []*bot.Message{first}); err != nil {
		b.Fatal(err)
	}
	var sealed string
	if err := db.QueryRow("SELECT text FROM messages WHERE id = ?", first.ID).Scan(&sealed); err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	for n := have + 1; n < want; {
		rows := min(1000, want-n)
		var q strings.Builder
		q.WriteString("INSERT INTO messages (channel, recipient, kind, text, lang, attempts, last_error, external_id, path, created_at, bulk) VALUES ")
		args := make([]any, 0, rows*4)
		for i := range rows {
			if i > 0 {
				q.WriteString(",")
			}
			q.WriteString("(?, ?, 'reply', ?, 'zh-CN', 0, '', '', '', ?, 1)")
			args = append(args, bot.WebChat, fmt.Sprintf("bulk-%d-%d", first.ID, n+i), sealed, now)
		}
		if _, err := db.Exec(q.String(), args...); err != nil {
			b.Fatal(err)
		}
		n += rows
	}
}

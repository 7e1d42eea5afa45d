package refundretry_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/refundretry"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// provider refuses the first `refuse` asks, then accepts; it counts asks.
type provider struct {
	mu     sync.Mutex
	refuse int
	asks   int
}

func (p *provider) Refund(_ context.Context, r bot.RefundRequest) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.asks++
	if p.refuse > 0 {
		p.refuse--
		return errors.New("SYSTEM_ERROR: 系统繁忙")
	}
	return nil
}

func (p *provider) count() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.asks
}

// clock is the queue's time, moved by the test.
type clock struct{ at atomic.Int64 }

func newClock(start time.Time) *clock {
	c := &clock{}
	c.at.Store(start.UnixNano())
	return c
}

func (c *clock) now() time.Time      { return time.Unix(0, c.at.Load()) }
func (c *clock) add(d time.Duration) { c.at.Add(int64(d)) }

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// staffThreads counts the staff thread messages that mention text.
func staffThreads(t *testing.T, st *store.Store, text string) int {
	t.Helper()
	ms, err := st.Feed(context.Background(), bot.WebChat, bot.StaffRecipient, 0, 200)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, m := range ms {
		if m.Kind == bot.KindThread && strings.Contains(m.Text, text) {
			n++
		}
	}
	return n
}

// paidOrder is an order of ¥76 paid by WeChat Pay.
func paidOrder(t *testing.T, st *store.Store, core *bot.Service) *bot.Order {
	t.Helper()
	ctx := context.Background()
	c, err := st.LockCustomer(ctx, bot.WebChat, "u1")
	if err != nil {
		t.Fatal(err)
	}
	o, err := bot.NewOrder(c, []bot.OrderItem{{SKU: "TEA", Name: "Green tea", UnitPrice: 3800, Qty: 2}}, bot.Contact{Name: "Li"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	o.PayMethod = bot.PayWeChat
	if err := st.CreateOrder(ctx, o); err != nil {
		t.Fatal(err)
	}
	if err := st.InTx(ctx, func(tx bot.Repo) error {
		_, err := core.ApplyPayment(ctx, tx, o.Number, "wechatpay", o.Total, "4200001")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return o
}

// TestRefusedRefundRetriedUntilAccepted: a refund the provider refuses is
// kept, the approver told it will be retried; it is asked for again only
// once due, by one of two replicas sweeping at once, with growing waits,
// and never again once accepted.
func TestRefusedRefundRetriedUntilAccepted(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		core := bot.NewService(st, quietLog(), bot.Config{StaffChannels: []string{bot.WebChat}}, nil)
		o := paidOrder(t, st, core)
		clk := newClock(time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC))
		p := &provider{refuse: 2}
		replicas := make([]*refundretry.Queue, 2)
		for i := range replicas {
			q, err := refundretry.New(st, p, core, quietLog(), clk.now)
			if err != nil {
				t.Fatal(err)
			}
			replicas[i] = q.WithBackoff(time.Minute, 10*time.Minute)
		}
		rq := bot.RefundRequest{Method: bot.PayWeChat, OrderNumber: o.Number, RequestNumber: "S100001", Amount: 7600, Total: 7600}
		if err := replicas[0].Refund(ctx, rq); !errors.Is(err, bot.ErrRefundRetrying) || !strings.Contains(err.Error(), "SYSTEM_ERROR") {
			t.Fatalf("refused refund: %v", err)
		}
		sweep := func() int {
			t.Helper()
			var wg sync.WaitGroup
			var settled atomic.Int64
			for _, q := range replicas {
				wg.Add(1)
				go func() {
					defer wg.Done()
					n, err := q.Sweep(ctx)
					if err != nil {
						t.Error(err)
					}
					settled.Add(int64(n))
				}()
			}
			wg.Wait()
			return int(settled.Load())
		}
		if n := sweep(); n != 0 || p.count() != 1 {
			t.Fatalf("swept before due: %d settled, %d asks", n, p.count())
		}
		clk.add(time.Minute)
		if n := sweep(); n != 0 || p.count() != 2 {
			t.Fatalf("first retry: %d settled, %d asks (want one replica to ask)", n, p.count())
		}
		clk.add(time.Minute)
		if sweep(); p.count() != 2 {
			t.Fatalf("asked again before the longer wait: %d asks", p.count())
		}
		clk.add(10 * time.Minute)
		if n := sweep(); n != 1 || p.count() != 3 {
			t.Fatalf("second retry: %d settled, %d asks", n, p.count())
		}
		clk.add(time.Hour)
		if n := sweep(); n != 0 || p.count() != 3 {
			t.Fatalf("accepted refund asked again: %d settled, %d asks", n, p.count())
		}
		if n := staffThreads(t, st, "S100001"); n != 0 {
			t.Fatalf("staff told of a refund that went through: %d", n)
		}
	})
}

// TestRefundGivenUpTellsStaff: a refund the provider keeps refusing is
// given up after the last wait, and every staff channel is told to refund
// it by hand, once.
func TestRefundGivenUpTellsStaff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		core := bot.NewService(st, quietLog(), bot.Config{StaffChannels: []string{bot.WebChat}}, nil)
		o := paidOrder(t, st, core)
		clk := newClock(time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC))
		p := &provider{refuse: 100}
		q, err := refundretry.New(st, p, core, quietLog(), clk.now)
		if err != nil {
			t.Fatal(err)
		}
		q.WithBackoff(time.Minute, time.Minute)
		rq := bot.RefundRequest{Method: bot.PayWeChat, OrderNumber: o.Number, RequestNumber: "S100002", Amount: 7600, Total: 7600}
		if err := q.Refund(ctx, rq); !errors.Is(err, bot.ErrRefundRetrying) {
			t.Fatal(err)
		}
		for i, want := range []int{0, 1, 0} {
			clk.add(time.Minute)
			if n, err := q.Sweep(ctx); err != nil || n != want {
				t.Fatalf("sweep %d: %d settled, %v", i, n, err)
			}
		}
		if p.count() != 3 {
			t.Fatalf("%d asks, want 3 (the first and two retries)", p.count())
		}
		if n := staffThreads(t, st, "S100002"); n != 1 {
			t.Fatalf("staff told %d times", n)
		}
	})
}

// TestPendingRefundSettledByStaff: when staff refunded the order by hand
// and recorded it while the refund waited for a retry, the provider is
// not asked again and staff are not told to refund it.
func TestPendingRefundSettledByStaff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		core := bot.NewService(st, quietLog(), bot.Config{StaffChannels: []string{bot.WebChat}}, nil)
		o := paidOrder(t, st, core)
		clk := newClock(time.Date(2026, 11, 30, 10, 0, 0, 0, time.UTC))
		p := &provider{refuse: 100}
		q, err := refundretry.New(st, p, core, quietLog(), clk.now)
		if err != nil {
			t.Fatal(err)
		}
		q.WithBackoff(time.Minute)
		rq := bot.RefundRequest{Method: bot.PayWeChat, OrderNumber: o.Number, RequestNumber: "S100003", Amount: 7600, Total: 7600}
		if err := q.Refund(ctx, rq); !errors.Is(err, bot.ErrRefundRetrying) {
			t.Fatal(err)
		}
		if err := st.InTx(ctx, func(tx bot.Repo) error {
			_, err := core.ApplyRefund(ctx, tx, o.Number, "alice", 7600, "by hand")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		clk.add(time.Minute)
		if n, err := q.Sweep(ctx); err != nil || n != 1 || p.count() != 1 {
			t.Fatalf("sweep: %d settled, %v, %d asks", n, err, p.count())
		}
		clk.add(time.Hour)
		if n, err := q.Sweep(ctx); err != nil || n != 0 || p.count() != 1 || staffThreads(t, st, "S100003") != 0 {
			t.Fatalf("after: %d settled, %v, %d asks", n, err, p.count())
		}
	})
}

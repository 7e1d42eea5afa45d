package bot_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func promotion(recipient, s string) *bot.Message {
	m := text(recipient, s)
	m.Bulk = true
	return m
}

// hookSender records the order of sends and runs a hook before each
// returns, counting the bulk sends under way at once.
type hookSender struct {
	mu       sync.Mutex
	sent     []*bot.Message
	bulkNow  int
	bulkMost int
	hook     func(m *bot.Message, sent int)
	pause    time.Duration
}

func (s *hookSender) Send(_ context.Context, m *bot.Message) (string, error) {
	s.mu.Lock()
	if m.Bulk {
		s.bulkNow++
		s.bulkMost = max(s.bulkMost, s.bulkNow)
	}
	s.mu.Unlock()
	time.Sleep(s.pause) // lets other workers' sends overlap this one
	s.mu.Lock()
	defer s.mu.Unlock()
	if m.Bulk {
		s.bulkNow--
	}
	s.sent = append(s.sent, m)
	if s.hook != nil {
		s.hook(m, len(s.sent))
	}
	return fmt.Sprintf("ext-%d", m.ID), nil
}

func (s *hookSender) messages() []*bot.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*bot.Message(nil), s.sent...)
}

// enqueueBulk queues n promotions, to n recipients, in batches.
func enqueueBulk(t *testing.T, st *store.Store, clock *fakeClock, n int) {
	t.Helper()
	for start := 0; start < n; start += 250 {
		var batch []*bot.Message
		for i := start; i < min(start+250, n); i++ {
			batch = append(batch, promotion(fmt.Sprintf("c%d", i), "促销"))
		}
		enqueue(t, st, clock, batch...)
	}
}

// TestReplyOvertakesABulkBacklog: a reply enqueued behind a broadcast of
// 1,000 messages before delivery starts goes first, and one enqueued while
// the broadcast drains is the next message sent, before the remaining
// promotions.
func TestReplyOvertakesABulkBacklog(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		clock := newClock()
		enqueueBulk(t, st, clock, 1000)
		first := text("c5", "您好，在的")
		enqueue(t, st, clock, first)
		var answer *bot.Message
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		s := &hookSender{}
		s.hook = func(m *bot.Message, sent int) {
			if sent == 120 {
				cancel() // the rest of the broadcast would only take time
			}
			if sent == 100 { // mid-broadcast, the customer writes
				answer = text("c500", "订单已发货")
				answer.NextAt, answer.CreatedAt = clock.Now(), clock.Now()
				if err := st.Enqueue(context.Background(), []*bot.Message{answer}); err != nil {
					t.Error(err)
				}
			}
		}
		// One worker: which message it takes next is the dispatcher's
		// choice alone, not the scheduler's.
		d := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: s}, quietLog(),
			bot.DispatcherConfig{Owner: "a", Workers: 1, Clock: clock.Now})
		_, _ = d.DeliverDue(ctx) // cancelled after 120 sends
		sent := s.messages()
		if len(sent) < 120 {
			t.Fatalf("%d sent", len(sent))
		}
		if sent[0].ID != first.ID {
			t.Fatalf("first send was %d (%s), want the reply %d", sent[0].ID, sent[0].Text, first.ID)
		}
		if sent[100].ID != answer.ID {
			for i, m := range sent {
				if m.ID == answer.ID {
					t.Fatalf("the reply enqueued after the 100th send went out %dth", i+1)
				}
			}
			t.Fatal("the reply never went out")
		}
	})
}

// TestBulkLeavesWorkersForReplies: however long the broadcast, no more
// than BulkInFlight promotions are sent at once, so the other workers are
// free for replies; every promotion still goes out once.
func TestBulkLeavesWorkersForReplies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		clock := newClock()
		enqueueBulk(t, st, clock, 200)
		s := &hookSender{pause: time.Millisecond}
		d := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: s}, quietLog(),
			bot.DispatcherConfig{Owner: "a", Workers: 6, Batch: 10, Clock: clock.Now})
		if n, err := d.DeliverDue(context.Background()); err != nil || n != 200 {
			t.Fatalf("delivered %d of 200: %v", n, err)
		}
		if s.bulkMost > 3 {
			t.Fatalf("%d promotions were sent at once, want at most 3 of 6 workers", s.bulkMost)
		}
		seen := map[int64]bool{}
		for _, m := range s.messages() {
			if seen[m.ID] {
				t.Fatalf("message %d sent twice", m.ID)
			}
			seen[m.ID] = true
		}
	})
}

// TestRecipientWithAPromotionWaitingGetsTheirReplyFirst: a customer whose
// promotion waits (queued before, or failed and waiting for its retry)
// gets their reply first.
func TestRecipientWithAPromotionWaitingGetsTheirReplyFirst(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		clock := newClock()
		p, r := promotion("u1", "双十一优惠"), text("u1", "您的订单已确认")
		enqueue(t, st, clock, p)
		enqueue(t, st, clock, r)
		s := &recordingSender{}
		d := dispatcher(st, clock, "a", s)
		if n, err := d.DeliverDue(context.Background()); err != nil || n != 2 {
			t.Fatalf("delivered %d: %v", n, err)
		}
		if got := s.messages(); got[0].ID != r.ID || got[1].ID != p.ID {
			t.Fatalf("sent %s then %s, want the reply first", got[0].Text, got[1].Text)
		}

		// A promotion that fails waits for its retry; a reply that came
		// while it was being sent does not.
		p2, r2 := promotion("u1", "新品上架"), text("u1", "好的，马上为您处理")
		enqueue(t, st, clock, p2)
		var once sync.Once
		failing := sendFunc(func(_ context.Context, m *bot.Message) (string, error) {
			failed := false
			once.Do(func() { failed = true })
			if failed {
				enqueue(t, st, clock, r2)
				return "", fmt.Errorf("platform timeout")
			}
			return s.Send(context.Background(), m)
		})
		d = dispatcher(st, clock, "b", failing)
		if n, _ := d.DeliverDue(context.Background()); n != 1 {
			t.Fatalf("delivered %d, want the reply alone", n)
		}
		if got := s.messages(); got[len(got)-1].ID != r2.ID {
			t.Fatalf("sent %s, want the reply", got[len(got)-1].Text)
		}
		clock.Add(time.Hour)
		if n, err := d.DeliverDue(context.Background()); err != nil || n != 1 {
			t.Fatalf("the promotion's retry: delivered %d: %v", n, err)
		}
		if got := s.messages(); got[len(got)-1].ID != p2.ID {
			t.Fatalf("sent %s, want the promotion", got[len(got)-1].Text)
		}
	})
}

type sendFunc func(ctx context.Context, m *bot.Message) (string, error)

func (f sendFunc) Send(ctx context.Context, m *bot.Message) (string, error) { return f(ctx, m) }

// TestTwoDispatchersSendBulkAndRepliesOnce: two replicas draining a mix of
// promotions and replies to the same customers send each message once,
// each customer's replies in order before their promotions in order.
func TestTwoDispatchersSendBulkAndRepliesOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		clock := newClock()
		var all []*bot.Message
		for i := range 300 {
			u := fmt.Sprintf("u%d", i%20)
			if i%3 == 0 {
				all = append(all, text(u, fmt.Sprint(i)))
			} else {
				all = append(all, promotion(u, fmt.Sprint(i)))
			}
		}
		enqueue(t, st, clock, all...)
		s := &hookSender{}
		var wg sync.WaitGroup
		for _, owner := range []string{"a", "b"} {
			d := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: s}, quietLog(),
				bot.DispatcherConfig{Owner: owner, Workers: 4, Batch: 8, Clock: clock.Now})
			wg.Go(func() {
				if _, err := d.DeliverDue(context.Background()); err != nil {
					t.Errorf("%s: %v", owner, err)
				}
			})
		}
		wg.Wait()
		// What one gave back while the other had stopped looking.
		last := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: s}, quietLog(),
			bot.DispatcherConfig{Owner: "c", Clock: clock.Now})
		if _, err := last.DeliverDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		sent := s.messages()
		if len(sent) != len(all) {
			t.Fatalf("%d sends for %d messages", len(sent), len(all))
		}
		seen := map[int64]bool{}
		lastOf := map[string]*bot.Message{}
		for _, m := range sent {
			if seen[m.ID] {
				t.Fatalf("message %d sent twice", m.ID)
			}
			seen[m.ID] = true
			if prev := lastOf[m.Recipient]; prev != nil && (prev.Bulk && !m.Bulk || prev.Bulk == m.Bulk && prev.ID > m.ID) {
				t.Fatalf("%s got %d (bulk %v) after %d (bulk %v)", m.Recipient, m.ID, m.Bulk, prev.ID, prev.Bulk)
			}
			lastOf[m.Recipient] = m
		}
	})
}

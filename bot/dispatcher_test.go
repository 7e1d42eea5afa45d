package bot_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// fakeClock is a settable clock shared by a service and its dispatchers.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *fakeClock { return &fakeClock{now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// recordingSender remembers what it was asked to send and can be told to
// fail first.
type recordingSender struct {
	mu    sync.Mutex
	sent  []*bot.Message
	fails []error
}

func (s *recordingSender) Send(_ context.Context, m *bot.Message) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.fails) > 0 {
		err := s.fails[0]
		s.fails = s.fails[1:]
		return "", err
	}
	s.sent = append(s.sent, m)
	return fmt.Sprintf("ext-%d", len(s.sent)), nil
}

func (s *recordingSender) messages() []*bot.Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*bot.Message(nil), s.sent...)
}

func enqueue(t *testing.T, st *store.Store, clock *fakeClock, ms ...*bot.Message) {
	t.Helper()
	for _, m := range ms {
		m.NextAt, m.CreatedAt = clock.Now(), clock.Now()
	}
	if err := st.Enqueue(context.Background(), ms); err != nil {
		t.Fatal(err)
	}
}

func dispatcher(st *store.Store, clock *fakeClock, owner string, s bot.Sender) *bot.Dispatcher {
	return bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: s}, quietLog(),
		bot.DispatcherConfig{Owner: owner, Lease: time.Minute, MaxAttempts: 3, Clock: clock.Now})
}

func TestDispatcherRetriesWithBackoffThenGivesUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx, clock := context.Background(), newClock()
		s := &recordingSender{fails: []error{errors.New("502 from platform"), errors.New("timeout")}}
		d := dispatcher(st, clock, "a", s)
		enqueue(t, st, clock, &bot.Message{Channel: bot.WebChat, Recipient: "u1", Kind: bot.KindNotice, Text: "hello"})

		for round := 1; round <= 2; round++ {
			if n, err := d.DeliverDue(ctx); err != nil || n != 0 {
				t.Fatalf("round %d: delivered %d, %v", round, n, err)
			}
			// Not due again before its backoff has passed.
			if n, _ := d.DeliverDue(ctx); n != 0 || len(s.messages()) != 0 {
				t.Fatalf("round %d: retried before the backoff", round)
			}
			clock.Add(10 * time.Minute)
		}
		if n, err := d.DeliverDue(ctx); err != nil || n != 1 || len(s.messages()) != 1 {
			t.Fatalf("third attempt: delivered %d, %v", n, err)
		}
		clock.Add(time.Hour)
		if n, _ := d.DeliverDue(ctx); n != 0 || len(s.messages()) != 1 {
			t.Fatal("a delivered message was sent again")
		}

		s.fails = []error{errors.New("down"), errors.New("down"), errors.New("down"), errors.New("down")}
		enqueue(t, st, clock, &bot.Message{Channel: bot.WebChat, Recipient: "u1", Kind: bot.KindNotice, Text: "doomed"})
		for range 4 {
			_, _ = d.DeliverDue(ctx)
			clock.Add(time.Hour)
		}
		if len(s.fails) != 1 {
			t.Fatalf("attempts after giving up: %d failures left, want 1 (MaxAttempts 3)", len(s.fails))
		}
	})
}

func TestDispatcherHonoursRetryAfter(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx, clock := context.Background(), newClock()
		s := &recordingSender{fails: []error{&bot.RateLimitError{RetryAfter: 30 * time.Second}}}
		d := dispatcher(st, clock, "a", s)
		enqueue(t, st, clock, &bot.Message{Channel: bot.WebChat, Recipient: "u1", Kind: bot.KindReply, Text: "hi"})
		_, _ = d.DeliverDue(ctx)
		clock.Add(29 * time.Second)
		if n, _ := d.DeliverDue(ctx); n != 0 {
			t.Fatal("sent before Retry-After passed")
		}
		clock.Add(2 * time.Second)
		if n, _ := d.DeliverDue(ctx); n != 1 {
			t.Fatal("not sent after Retry-After passed")
		}
	})
}

func TestDispatcherUnreachableRecipient(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx, clock := context.Background(), newClock()
		if err := st.InTx(ctx, func(tx bot.Repo) error { _, err := tx.LockCustomer(ctx, bot.WebChat, "gone"); return err }); err != nil {
			t.Fatal(err)
		}
		s := &recordingSender{fails: []error{fmt.Errorf("403 blocked: %w", bot.ErrUnreachable)}}
		d := dispatcher(st, clock, "a", s)
		enqueue(t, st, clock, &bot.Message{Channel: bot.WebChat, Recipient: "gone", Kind: bot.KindNotice, Text: "hi"})
		_, _ = d.DeliverDue(ctx)
		clock.Add(24 * time.Hour)
		if n, _ := d.DeliverDue(ctx); n != 0 || len(s.messages()) != 0 {
			t.Fatal("kept retrying an unreachable recipient")
		}
		c, err := st.CustomerByUser(ctx, bot.WebChat, "gone")
		if err != nil || !c.Unreachable {
			t.Fatalf("customer not marked unreachable: %+v, %v", c, err)
		}
	})
}

func TestDispatcherLeaseSurvivesACrashedReplica(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx, clock := context.Background(), newClock()
		enqueue(t, st, clock, &bot.Message{Channel: bot.WebChat, Recipient: "u1", Kind: bot.KindNotice, Text: "once"})
		// Replica A claims the message and dies before sending it.
		claimed, err := st.ClaimDue(ctx, "a", clock.Now(), clock.Now().Add(time.Minute), 10)
		if err != nil || len(claimed) != 1 {
			t.Fatalf("claim: %d, %v", len(claimed), err)
		}
		s := &recordingSender{}
		b := dispatcher(st, clock, "b", s)
		if n, _ := b.DeliverDue(ctx); n != 0 {
			t.Fatal("replica B sent a message A still holds")
		}
		clock.Add(2 * time.Minute)
		if n, _ := b.DeliverDue(ctx); n != 1 {
			t.Fatal("replica B did not take over after the lease expired")
		}
		if n, _ := b.DeliverDue(ctx); n != 0 || len(s.messages()) != 1 {
			t.Fatal("delivered twice")
		}
	})
}

func TestDispatcherEditsPostedCardsInPlace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx, clock := context.Background(), newClock()
		s := &recordingSender{}
		d := dispatcher(st, clock, "a", s)
		card := func(status string) *bot.Message {
			return &bot.Message{Channel: bot.WebChat, Recipient: bot.StaffRecipient, Kind: bot.KindCard, Card: &bot.Card{Ref: "order:1", Status: status}}
		}
		enqueue(t, st, clock, card("new"))
		_, _ = d.DeliverDue(ctx)
		enqueue(t, st, clock, card("approved"))
		_, _ = d.DeliverDue(ctx)
		sent := s.messages()
		if len(sent) != 2 || sent[0].ExternalID != "" || sent[1].ExternalID != "ext-1" {
			t.Fatalf("second card should edit the first: %+v", sent)
		}
	})
}

func TestDispatcherChannelWithoutSender(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx, clock := context.Background(), newClock()
		d := dispatcher(st, clock, "a", &recordingSender{})
		enqueue(t, st, clock, &bot.Message{Channel: "carrier-pigeon", Recipient: "x", Kind: bot.KindNotice, Text: "hi"})
		if _, err := d.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		claimed, err := st.ClaimDue(ctx, "z", clock.Now().Add(time.Hour), clock.Now().Add(2*time.Hour), 10)
		if err != nil || len(claimed) != 0 {
			t.Fatalf("a message for an unknown channel stays claimable: %d, %v", len(claimed), err)
		}
	})
}

func TestDispatcherKeepsEachRecipientsOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx, clock := context.Background(), newClock()
		s := &limitOnce{recipient: "u1"}
		d := dispatcher(st, clock, "a", s)
		for _, text := range []string{"first", "second", "third"} {
			enqueue(t, st, clock, &bot.Message{Channel: bot.WebChat, Recipient: "u1", Kind: bot.KindReply, Text: text})
		}
		enqueue(t, st, clock, &bot.Message{Channel: bot.WebChat, Recipient: "u2", Kind: bot.KindReply, Text: "other"})
		if n, err := d.DeliverDue(ctx); err != nil || n != 1 {
			t.Fatalf("first round delivered %d, %v: only u2's message should go", n, err)
		}
		clock.Add(11 * time.Second)
		if n, err := d.DeliverDue(ctx); err != nil || n != 3 {
			t.Fatalf("second round delivered %d, %v", n, err)
		}
		var got []string
		for _, m := range s.messages() {
			if m.Recipient == "u1" {
				got = append(got, m.Text)
			}
		}
		if strings.Join(got, ",") != "first,second,third" {
			t.Fatalf("u1 got %v", got)
		}
	})
}

// limitOnce rate-limits the first message to one recipient.
type limitOnce struct {
	recordingSender
	recipient string
	limited   atomic.Bool
}

func (l *limitOnce) Send(ctx context.Context, m *bot.Message) (string, error) {
	if m.Recipient == l.recipient && l.limited.CompareAndSwap(false, true) {
		return "", &bot.RateLimitError{RetryAfter: 10 * time.Second}
	}
	return l.recordingSender.Send(ctx, m)
}

// TestHeldPromotionIsGivenUp: outside a platform's window a notice is kept
// for the customer's next message, but a promotion is given up, so that it
// never arrives days late in front of the answer to that message.
func TestHeldPromotionIsGivenUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx, clock := context.Background(), newClock()
		window := fmt.Errorf("window closed: %w", bot.ErrHold)
		s := &recordingSender{fails: []error{window, window}}
		d := dispatcher(st, clock, "a", s)
		enqueue(t, st, clock,
			&bot.Message{Channel: bot.WebChat, Recipient: "u1", Kind: bot.KindNotice, Text: "shipped"},
			&bot.Message{Channel: bot.WebChat, Recipient: "u1", Kind: bot.KindNotice, Text: "sale", Bulk: true})
		for range 2 {
			if _, err := d.DeliverDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		feed, err := st.Feed(ctx, bot.WebChat, "u1", 0, 10)
		if err != nil || len(feed) != 2 {
			t.Fatalf("feed %+v, %v", feed, err)
		}
		notice, promo := feed[0], feed[1]
		if !notice.FailedAt.IsZero() || !promo.DeliveredAt.IsZero() || promo.FailedAt.IsZero() || !strings.Contains(promo.LastError, "window closed") {
			t.Fatalf("notice failed at %v; promotion delivered %v, failed %v (%q)", notice.FailedAt, promo.DeliveredAt, promo.FailedAt, promo.LastError)
		}
		// The customer writes: the kept notice goes, the promotion does not.
		if err := st.InTx(ctx, func(tx bot.Repo) error { _, err := tx.ReleaseHeld(ctx, bot.WebChat, "u1", clock.Now()); return err }); err != nil {
			t.Fatal(err)
		}
		clock.Add(time.Minute)
		if _, err := d.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		if sent := s.messages(); len(sent) != 1 || sent[0].Text != "shipped" {
			t.Fatalf("sent after the customer wrote: %+v", sent)
		}
	})
}

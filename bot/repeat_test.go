package bot_test

import (
	"context"
	"sync"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// staleDedup is a store whose lock of an inbound event's customer never
// sees the event's dedup record, as when the event's first delivery
// commits between that read and the end of the repeat's transaction.
type staleDedup struct{ *store.Store }

func (s staleDedup) InTx(ctx context.Context, fn func(bot.Repo) error) error {
	return s.Store.InTx(ctx, func(tx bot.Repo) error { return fn(staleRepo{tx}) })
}

type staleRepo struct{ bot.Repo }

func (r staleRepo) LockForInbound(ctx context.Context, channel, userID, key, courier string) (bot.InboundLock, error) {
	lk, err := r.Repo.LockForInbound(ctx, channel, userID, key, courier)
	lk.Seen, lk.Reply = false, nil
	return lk, err
}

// TestRepeatCaughtAtTheEndHasNoEffect: a repeat that got past the check at
// the customer's lock meets the dedup record when it records its own, and
// everything it did is rolled back; it gets the first delivery's reply.
func TestRepeatCaughtAtTheEndHasNoEffect(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		s.toSummary("u1", "TEA", 2)
		first := s.send("u1", bot.Inbound{Button: "confirm", DedupKey: "webchat:u1:abc"})
		feed := len(s.feed("u1"))
		stale := bot.NewService(staleDedup{st}, quietLog(), bot.Config{StaffChannels: []string{bot.WebChat}, Clock: s.clock.Now}, nil)
		again, err := stale.HandleInbound(context.Background(), bot.Inbound{Channel: bot.WebChat, UserID: "u1", Button: "confirm", DedupKey: "webchat:u1:abc"})
		if err != nil {
			t.Fatal(err)
		}
		if texts(first) != texts(again) || first[0].ID != again[0].ID {
			t.Fatalf("repeat got a different reply:\n%s\n---\n%s", texts(first), texts(again))
		}
		if n := len(s.feed("u1")); n != feed {
			t.Fatalf("the repeat left %d messages in the outbox", n-feed)
		}
		orders, _ := st.OrdersByStatus(context.Background(), []bot.OrderStatus{bot.Pending}, 10)
		if len(orders) != 1 || stock(t, st, "TEA") != 98 {
			t.Fatalf("%d orders, stock %d", len(orders), stock(t, st, "TEA"))
		}
	})
}

// TestRepeatsAtOnceHaveOneEffect sends one event several times at once:
// one order, and every delivery gets the same reply.
func TestRepeatsAtOnceHaveOneEffect(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		s.toSummary("u1", "TEA", 2)
		const n = 4
		var wg sync.WaitGroup
		replies := make([][]*bot.Message, n)
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				replies[i], errs[i] = s.svc.HandleInbound(context.Background(), bot.Inbound{Channel: bot.WebChat, UserID: "u1", Button: "confirm", DedupKey: "webchat:u1:same"})
			}()
		}
		wg.Wait()
		for i := range n {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if len(replies[i]) == 0 || texts(replies[i]) != texts(replies[0]) || replies[i][0].ID != replies[0][0].ID {
				t.Fatalf("delivery %d got another reply:\n%s\n---\n%s", i, texts(replies[i]), texts(replies[0]))
			}
		}
		orders, _ := st.OrdersByStatus(context.Background(), []bot.OrderStatus{bot.Pending}, 10)
		if len(orders) != 1 || stock(t, st, "TEA") != 98 {
			t.Fatalf("%d orders, stock %d", len(orders), stock(t, st, "TEA"))
		}
	})
}

package broadcast_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/broadcast"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

var errCrash = errors.New("replica died")

// crashing is a store whose replica dies in the middle of its n-th
// transaction: everything it did in that one rolls back, and it does
// nothing after.
type crashing struct {
	*store.Store
	mu sync.Mutex
	n  int
}

func (c *crashing) InTx(ctx context.Context, fn func(tx bot.Repo) error) error {
	c.mu.Lock()
	c.n--
	dead := c.n < 0
	crashNow := c.n == 0
	c.mu.Unlock()
	if dead {
		return errCrash
	}
	return c.Store.InTx(ctx, func(tx bot.Repo) error {
		if err := fn(tx); err != nil {
			return err
		}
		if crashNow {
			return errCrash
		}
		return nil
	})
}

func TestBroadcastResumesAfterACrashWithoutRepeats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st, true)
		users := []string{"a", "b", "c", "d", "e", "f", "g"}
		for _, u := range users {
			s.customer(bot.WebChat, u, "en", true)
		}
		b := s.create(both)
		s.act(agent, b.ID, broadcast.ActSubmit)
		s.act(approver, b.ID, broadcast.ActApprove)

		// The first replica lists, claims, queues one batch of 3 and dies
		// inside its second batch.
		dying := broadcast.New(&crashing{Store: st, n: 4}, quiet(), broadcast.Config{Clock: s.clock.Now, Batch: 3}, nil)
		if n, err := dying.SendDue(context.Background()); !errors.Is(err, errCrash) || n != 3 {
			t.Fatalf("dying replica: %d, %v", n, err)
		}
		// Another replica waits out the lease, then goes on after the
		// first batch.
		other := broadcast.New(st, quiet(), broadcast.Config{Clock: s.clock.Now, Batch: 3}, nil)
		if n, _ := other.SendDue(context.Background()); n != 0 {
			t.Fatalf("the lease was taken over early: %d queued", n)
		}
		s.clock.Add(3 * time.Minute)
		if n, err := other.SendDue(context.Background()); err != nil || n != 4 {
			t.Fatalf("resumed: %d, %v; want the 4 left", n, err)
		}
		for _, u := range users {
			if ms := s.promotions(bot.WebChat, u); len(ms) != 1 {
				t.Errorf("%s got %d promotions, want 1", u, len(ms))
			}
		}
		if rep := s.report(b.ID); rep.Targeted != 7 || rep.Queued != 7 {
			t.Errorf("report %+v", rep)
		}
	})
}

func TestBroadcastReplicasSendOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st, true)
		users := []string{"a", "b", "c", "d", "e"}
		for _, u := range users {
			s.customer(bot.WebChat, u, "en", true)
		}
		b := s.create(both)
		s.act(agent, b.ID, broadcast.ActSubmit)
		s.act(approver, b.ID, broadcast.ActApprove)
		var wg sync.WaitGroup
		for range 3 {
			r := broadcast.New(st, quiet(), broadcast.Config{Clock: s.clock.Now, Batch: 2}, nil)
			wg.Go(func() {
				if _, err := r.SendDue(context.Background()); err != nil && !errors.Is(err, bot.ErrConflict) {
					t.Error(err)
				}
			})
		}
		wg.Wait()
		for _, u := range users {
			if ms := s.promotions(bot.WebChat, u); len(ms) != 1 {
				t.Errorf("%s got %d promotions, want 1", u, len(ms))
			}
		}
	})
}

package store_test

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestRateEvents(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var ids []int64
		for i := range 3 {
			id, err := s.AddRateEvent(ctx, bot.RateEvent{Key: "login-user:alice", Amount: int64(i + 1), At: t0.Add(time.Duration(i) * time.Minute)})
			must(t, err)
			ids = append(ids, id)
		}
		_, err := s.AddRateEvent(ctx, bot.RateEvent{Key: "login-user:bob", Amount: 1, At: t0})
		must(t, err)
		es, err := s.RateEvents(ctx, "login-user:alice", t0, 10)
		must(t, err)
		if len(es) != 2 || es[0].ID != ids[2] || es[1].ID != ids[1] || es[0].Amount != 3 || !es[0].At.Equal(ms(t0.Add(2*time.Minute))) {
			t.Fatalf("events after t0, newest first: %+v", es)
		}
		must(t, s.DeleteRateEvent(ctx, ids[2]))
		if es, _ := s.RateEvents(ctx, "login-user:alice", t0.Add(-time.Hour), 1); len(es) != 1 || es[0].ID != ids[1] {
			t.Fatalf("after delete, newest one: %+v", es)
		}
		n, err := s.PruneGuard(ctx, t0, t0.Add(90*time.Second))
		must(t, err)
		if n != 3 { // alice's first two and bob's
			t.Fatalf("pruned %d rate events, want 3", n)
		}
	})
}

func TestPollSlots(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		until := t0.Add(time.Minute)
		var mu sync.Mutex
		taken := map[int]string{}
		refused := 0
		var wg sync.WaitGroup
		for _, h := range []string{"a", "b", "c", "d", "e"} {
			wg.Go(func() {
				slot, ok, err := s.TakePollSlot(ctx, "poll:x", 3, h, t0, until)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					t.Error(err)
				} else if ok {
					taken[slot] = h
				} else {
					refused++
				}
			})
		}
		wg.Wait()
		if len(taken) != 3 || refused != 2 {
			t.Fatalf("5 at once for 3 places: taken %v, refused %d", taken, refused)
		}
		// A place given back is free again; one of a gone holder is free once expired.
		must(t, s.ReleasePollSlot(ctx, "poll:x", 1, taken[1]))
		if slot, ok, err := s.TakePollSlot(ctx, "poll:x", 3, "f", t0, until); err != nil || !ok || slot != 1 {
			t.Fatalf("after a release: %d %v %v", slot, ok, err)
		}
		if _, ok, _ := s.TakePollSlot(ctx, "poll:x", 3, "g", t0, until); ok {
			t.Fatal("took a fourth place")
		}
		later := until.Add(time.Second)
		if slot, ok, err := s.TakePollSlot(ctx, "poll:x", 3, "g", later, later.Add(time.Minute)); err != nil || !ok || taken[slot] == "" {
			t.Fatalf("expired place not taken over: %d %v %v", slot, ok, err)
		}
		// Releasing with the old holder does not free the new holder's place.
		_, _, err := s.TakePollSlot(ctx, "poll:y", 1, "old", t0, until)
		must(t, err)
		if _, ok, err := s.TakePollSlot(ctx, "poll:y", 1, "new", later, later.Add(time.Minute)); err != nil || !ok {
			t.Fatalf("expired place not taken over: %v %v", ok, err)
		}
		must(t, s.ReleasePollSlot(ctx, "poll:y", 0, "old"))
		if _, ok, _ := s.TakePollSlot(ctx, "poll:y", 1, "other", later, later.Add(time.Minute)); ok {
			t.Fatal("an old holder's release freed a place taken over")
		}
	})
}

func TestStaffSessions(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		sess := bot.StaffSession{ID: "h1", Channel: bot.WebChat, UserID: "alice", Grant: "g1", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
		must(t, s.CreateStaffSession(ctx, sess))
		wantErr(t, s.CreateStaffSession(ctx, sess), bot.ErrDuplicate)
		got, err := s.StaffSession(ctx, "h1", t0.Add(time.Minute))
		must(t, err)
		if got.UserID != "alice" || got.Grant != "g1" || !got.ExpiresAt.Equal(ms(t0.Add(time.Hour))) {
			t.Fatalf("session %+v", got)
		}
		_, err = s.StaffSession(ctx, "h1", t0.Add(time.Hour))
		wantErr(t, err, bot.ErrNotFound)
		must(t, s.DeleteStaffSession(ctx, "h1"))
		_, err = s.StaffSession(ctx, "h1", t0)
		wantErr(t, err, bot.ErrNotFound)
	})
}

func TestPruneUnattachedMedia(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := customer(t, s, "42")
		o := shippedOrder(t, s, c)
		save := func(owner string, at time.Time) string {
			m := &bot.Media{Channel: bot.Telegram, Owner: owner, ContentType: "image/png", Data: []byte("png"), CreatedAt: at}
			must(t, s.SaveMedia(ctx, m))
			return "media:" + itoa(m.ID)
		}
		attached := save("42", t0)
		loose := save("42", t0)
		young := save("42", t0.Add(47*time.Hour))
		otherOwner := save("43", t0)
		r, err := bot.NewAfterSales(c, o, bot.Refund, "broken", []string{attached, otherOwner}, t0)
		must(t, err)
		must(t, s.CreateAfterSales(ctx, r))

		n, err := s.PruneUnattachedMedia(ctx, t0.Add(24*time.Hour))
		must(t, err)
		if n != 2 {
			t.Fatalf("pruned %d, want 2 (the loose one and the one of another customer)", n)
		}
		for ref, kept := range map[string]bool{attached: true, loose: false, young: true, otherOwner: false} {
			id := ref[len("media:"):]
			_, err := s.Media(ctx, atoi(t, id))
			if kept && err != nil || !kept && !errors.Is(err, bot.ErrNotFound) {
				t.Errorf("%s (kept %v): %v", ref, kept, err)
			}
		}
	})
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func atoi(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	must(t, err)
	return n
}

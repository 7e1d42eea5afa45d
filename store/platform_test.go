package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestHeldMessagesWaitForTheRecipient(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ms := enqueue(t, s, 2, t0)
		claim(t, s, "a", t0, 1)
		wantHeld(t, s, "42", false)
		must(t, s.MarkHeld(ctx, "a", ms[0].ID, t0, "outside the window"))
		wantHeld(t, s, "42", true)
		wantHeld(t, s, "someone-else", false)
		claimed, err := s.ClaimDue(ctx, "a", t0.Add(time.Hour), t0.Add(2*time.Hour), 10)
		must(t, err)
		if len(claimed) != 1 || claimed[0].ID != ms[1].ID {
			t.Fatalf("claimed %v, want only the message not held", msgIDs(claimed))
		}
		other, err := s.ReleaseHeld(ctx, bot.Telegram, "someone-else", t0)
		must(t, err)
		if len(other) != 0 {
			t.Fatalf("released another recipient's messages: %v", msgIDs(other))
		}
		released, err := s.ReleaseHeld(ctx, bot.Telegram, "42", t0.Add(5*time.Second))
		must(t, err)
		if len(released) != 1 || released[0].ID != ms[0].ID || released[0].Text != "hi" {
			t.Fatalf("released %+v", released)
		}
		if again, _ := s.ReleaseHeld(ctx, bot.Telegram, "42", t0); len(again) != 0 {
			t.Fatal("released twice")
		}
		wantHeld(t, s, "42", false)
		if c, _ := s.ClaimDue(ctx, "b", t0.Add(4*time.Second), t0.Add(time.Hour), 10); len(c) != 0 {
			t.Fatal("a released message was due before its new time")
		}
		if c, _ := s.ClaimDue(ctx, "b", t0.Add(6*time.Second), t0.Add(time.Hour), 10); len(c) != 1 {
			t.Fatal("a released message did not become due")
		}
	})
}

func TestMarkRepliedTakesOnlyFreeMessages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ms := enqueue(t, s, 3, t0.Add(5*time.Second))
		// A dispatcher holds the last two (it gave the first one back).
		if got := claim(t, s, "d", t0.Add(6*time.Second), 10); len(got) != 3 {
			t.Fatalf("claimed %v", msgIDs(got))
		}
		must(t, s.MarkRetry(ctx, "d", ms[0].ID, 1, t0.Add(5*time.Second), "timeout"))
		n, err := s.MarkReplied(ctx, msgIDs(ms), t0.Add(time.Second), "passive")
		must(t, err)
		if n != 0 {
			t.Fatalf("marked %d with one held by a dispatcher, want none", n)
		}
		if c, _ := s.ClaimDue(ctx, "e", t0.Add(2*time.Hour), t0.Add(3*time.Hour), 10); len(c) != 3 {
			t.Fatalf("a partly replied answer: %d claimable, want all 3", len(c))
		}
		ms = enqueue(t, s, 2, t0.Add(5*time.Second))
		n, err = s.MarkReplied(ctx, msgIDs(ms), t0.Add(time.Second), "passive")
		if err != nil || n != 2 {
			t.Fatalf("marked %d, %v; want both", n, err)
		}
		sent, err := s.CountDelivered(ctx, bot.Telegram, "42", "passive", t0)
		must(t, err)
		if sent != 2 {
			t.Fatalf("count delivered %d, want 2", sent)
		}
		if sent, _ := s.CountDelivered(ctx, bot.Telegram, "42", "passive", t0.Add(time.Minute)); sent != 0 {
			t.Fatalf("count since later: %d", sent)
		}
	})
}

func TestCardRefByExternal(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		must(t, s.SaveCardRef(ctx, bot.Slack, "handoff:3", "C1:1700000000.000100"))
		ref, err := s.CardRefByExternal(ctx, bot.Slack, "C1:1700000000.000100")
		if err != nil || ref != "handoff:3" {
			t.Fatalf("ref %q, %v", ref, err)
		}
		_, err = s.CardRefByExternal(ctx, bot.Telegram, "C1:1700000000.000100")
		wantErr(t, err, bot.ErrNotFound)
	})
}

func TestCacheExpires(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		_, err := s.CacheGet(ctx, "token", t0)
		wantErr(t, err, bot.ErrNotFound)
		must(t, s.CachePut(ctx, "token", "v1", t0.Add(time.Hour)))
		must(t, s.CachePut(ctx, "token", "v2", t0.Add(2*time.Hour)))
		if v, err := s.CacheGet(ctx, "token", t0.Add(90*time.Minute)); err != nil || v != "v2" {
			t.Fatalf("got %q, %v", v, err)
		}
		_, err = s.CacheGet(ctx, "token", t0.Add(3*time.Hour))
		wantErr(t, err, bot.ErrNotFound)
		must(t, s.CacheDelete(ctx, "token"))
		must(t, s.CacheDelete(ctx, "token"))
		_, err = s.CacheGet(ctx, "token", t0)
		wantErr(t, err, bot.ErrNotFound)
	})
}

func TestPruneKeepsWhatIsStillNeeded(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		must(t, s.RecordInbound(ctx, "old", t0))
		must(t, s.RecordInbound(ctx, "new", t0.Add(48*time.Hour)))
		ms := enqueue(t, s, 3, t0)
		claim(t, s, "a", t0, 2)
		must(t, s.MarkDelivered(ctx, "a", ms[0].ID, t0, "", ""))
		must(t, s.MarkFailed(ctx, "a", ms[1].ID, t0, "blocked"))
		n, err := s.Prune(ctx, t0.Add(24*time.Hour))
		if err != nil || n != 3 {
			t.Fatalf("pruned %d, %v; want the old key and the two finished messages", n, err)
		}
		wantErr(t, s.RecordInbound(ctx, "new", t0), bot.ErrDuplicate)
		must(t, s.RecordInbound(ctx, "old", t0))
		c, err := s.OutboxCounts(ctx)
		if err != nil || c.Pending != 1 {
			t.Fatalf("the waiting message was pruned: %+v, %v", c, err)
		}
	})
}

func TestPruneCache(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		must(t, s.CachePut(ctx, "old", "v", t0))
		must(t, s.CachePut(ctx, "live", "v", t0.Add(time.Hour)))
		n, err := s.PruneCache(ctx, t0.Add(time.Minute))
		if err != nil || n != 1 {
			t.Fatalf("pruned %d, %v", n, err)
		}
		if v, err := s.CacheGet(ctx, "live", t0); err != nil || v != "v" {
			t.Fatalf("live value gone: %q, %v", v, err)
		}
	})
}

func TestMediaRoundTrip(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		data := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 70000)...)
		m := &bot.Media{Channel: bot.WebChat, Owner: "u1", ContentType: "image/png", Data: data, CreatedAt: t0}
		must(t, s.SaveMedia(ctx, m))
		got, err := s.Media(ctx, m.ID)
		if err != nil || got.Owner != "u1" || got.ContentType != "image/png" || len(got.Data) != len(data) || !got.CreatedAt.Equal(ms(t0)) {
			t.Fatalf("got %+v, %v", got.Owner, err)
		}
		_, err = s.Media(ctx, m.ID+1)
		wantErr(t, err, bot.ErrNotFound)
	})
}

// wantHeld checks what locking a Telegram customer says of their held
// messages, read in the same statement as their row.
func wantHeld(t *testing.T, s *store.Store, user string, want bool) {
	t.Helper()
	err := s.InTx(context.Background(), func(tx bot.Repo) error {
		lk, err := tx.LockForInbound(context.Background(), bot.Telegram, user, "", "")
		if err == nil && (lk.Held != want || lk.Seen || lk.Customer.UserID != user || lk.Customer.ID == 0) {
			t.Errorf("LockForInbound(%s) = %+v; want held %v", user, lk, want)
		}
		return err
	})
	must(t, err)
}

// TestInboundSeenAtTheLock: an event recorded with its reply in one insert
// is known as seen, with that reply, when its customer is locked again.
func TestInboundSeenAtTheLock(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		must(t, s.RecordInboundReply(ctx, "tg:1", t0, []byte(`[{"text":"hi"}]`)))
		must(t, s.RecordInboundReply(ctx, "tg:2", t0, nil))
		wantErr(t, s.RecordInboundReply(ctx, "tg:1", t0, []byte(`[]`)), bot.ErrDuplicate)
		for _, tc := range []struct {
			key   string
			seen  bool
			reply string
		}{{"tg:1", true, `[{"text":"hi"}]`}, {"tg:2", true, ""}, {"tg:3", false, ""}, {"", false, ""}} {
			err := s.InTx(ctx, func(tx bot.Repo) error {
				lk, err := tx.LockForInbound(ctx, bot.Telegram, "42", tc.key, "")
				if err == nil && (lk.Seen != tc.seen || string(lk.Reply) != tc.reply || lk.Customer.ID == 0) {
					t.Errorf("LockForInbound(%q) = seen %v, reply %q; want %v, %q", tc.key, lk.Seen, lk.Reply, tc.seen, tc.reply)
				}
				return err
			})
			must(t, err)
		}
		raw, err := s.InboundReply(ctx, "tg:1")
		must(t, err)
		if string(raw) != `[{"text":"hi"}]` {
			t.Fatalf("InboundReply = %q", raw)
		}
	})
}

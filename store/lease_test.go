package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestPostponeHoldsBackTheWholeRecipient: after a 429, the recipient's
// other messages wait too, claimed or not, on every dispatcher; other
// recipients and longer waits are left alone.
func TestPostponeHoldsBackTheWholeRecipient(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		msgs := enqueue(t, s, 3, t0)
		claim(t, s, "a", t0, 2)
		far := &bot.Message{Channel: bot.Telegram, Recipient: "42", Kind: bot.KindNotice, Text: "later", NextAt: t0.Add(time.Hour)}
		other := &bot.Message{Channel: bot.Telegram, Recipient: "43", Kind: bot.KindReply, Text: "hi", NextAt: t0}
		must(t, s.Enqueue(ctx, []*bot.Message{far, other}))

		retry := t0.Add(30 * time.Second)
		must(t, s.MarkRetry(ctx, "a", msgs[0].ID, 0, retry, "429"))
		must(t, s.Postpone(ctx, "a", bot.Telegram, "42", t0, retry))
		if got := claim(t, s, "b", retry.Add(-time.Millisecond), 10); !reflect.DeepEqual(msgIDs(got), []int64{other.ID}) {
			t.Fatalf("before the retry: claimed %v, want only the other recipient's", msgIDs(got))
		}
		if got := claim(t, s, "b", retry, 10); !reflect.DeepEqual(msgIDs(got), msgIDs(msgs)) {
			t.Fatalf("at the retry: claimed %v, want %v", msgIDs(got), msgIDs(msgs))
		}
		feed, _ := s.Feed(ctx, bot.Telegram, "42", msgs[2].ID, 1)
		if len(feed) != 1 || !feed[0].NextAt.Equal(ms(t0.Add(time.Hour))) {
			t.Fatalf("a longer wait was shortened: %+v", feed)
		}
	})
}

// TestLeasesRenewAndRelease: renewing keeps a lease from running out;
// a lease that ran out is not renewed; releasing frees every lease of an
// owner at once.
func TestLeasesRenewAndRelease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ms := enqueue(t, s, 2, t0)
		other := &bot.Message{Channel: bot.Telegram, Recipient: "43", Kind: bot.KindReply, Text: "hi", NextAt: t0}
		must(t, s.Enqueue(ctx, []*bot.Message{other}))
		claim(t, s, "a", t0, 2) // ms, lease until t0+1m
		claim(t, s, "b", t0, 1) // other

		at := t0.Add(50 * time.Second)
		if n, err := s.RenewLeases(ctx, "a", msgIDs(ms), at, at.Add(time.Minute)); err != nil || n != 2 {
			t.Fatalf("renewed %d, %v", n, err)
		}
		if n, _ := s.RenewLeases(ctx, "a", []int64{other.ID}, at, at.Add(time.Minute)); n != 0 {
			t.Fatal("renewed another owner's lease")
		}
		if got := claim(t, s, "c", t0.Add(90*time.Second), 10); !reflect.DeepEqual(msgIDs(got), []int64{other.ID}) {
			t.Fatalf("after b's lease ran out: claimed %v, want only b's message", msgIDs(got))
		}
		late := at.Add(2 * time.Minute) // a's renewed lease ran out too
		if n, _ := s.RenewLeases(ctx, "a", msgIDs(ms), late, late.Add(time.Minute)); n != 0 {
			t.Fatal("renewed a lease that had run out")
		}

		if n, err := s.ReleaseLeases(ctx, "c"); err != nil || n != 1 {
			t.Fatalf("released %d, %v", n, err)
		}
		claim(t, s, "d", late, 10)
		if n, err := s.ReleaseLeases(ctx, "d"); err != nil || n != 3 {
			t.Fatalf("released %d, %v", n, err)
		}
		if got := claim(t, s, "e", t0, 10); len(got) != 3 {
			t.Fatalf("released messages not free at once: claimed %v", msgIDs(got))
		}
	})
}

func TestNextDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		if at, err := s.NextDue(ctx, t0); err != nil || !at.IsZero() {
			t.Fatalf("empty outbox: %v, %v", at, err)
		}
		enqueue(t, s, 1, t0)
		enqueue(t, s, 1, t0.Add(time.Hour))
		soon := enqueue(t, s, 1, t0.Add(1500*time.Millisecond))[0]
		if at, err := s.NextDue(ctx, t0); err != nil || !at.Equal(ms(t0.Add(1500*time.Millisecond))) {
			t.Fatalf("next due %v, %v; want message %d's time", at, err, soon.ID)
		}
	})
}

// TestClaimNextTakesOneRecipientInOrder: ClaimNext takes only the given
// recipient's messages, on the same terms as ClaimDue.
func TestClaimNextTakesOneRecipientInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		other := &bot.Message{Channel: bot.Telegram, Recipient: "43", Kind: bot.KindReply, Text: "hi", NextAt: t0}
		must(t, s.Enqueue(ctx, []*bot.Message{other}))
		msgs := enqueue(t, s, 3, t0)
		got, err := s.ClaimNext(ctx, "a", bot.Telegram, "42", t0, t0.Add(time.Minute), 2)
		must(t, err)
		if !reflect.DeepEqual(msgIDs(got), msgIDs(msgs[:2])) {
			t.Fatalf("claimed %v, want %v", msgIDs(got), msgIDs(msgs[:2]))
		}
		if got, _ := s.ClaimNext(ctx, "b", bot.Telegram, "42", t0, t0.Add(time.Minute), 10); len(got) != 0 {
			t.Fatalf("b claimed %v behind a's leases", msgIDs(got))
		}
		must(t, s.MarkDelivered(ctx, "a", msgs[0].ID, t0, "", ""))
		must(t, s.MarkDelivered(ctx, "a", msgs[1].ID, t0, "", ""))
		got, _ = s.ClaimNext(ctx, "b", bot.Telegram, "42", t0, t0.Add(time.Minute), 10)
		if !reflect.DeepEqual(msgIDs(got), []int64{msgs[2].ID}) {
			t.Fatalf("claimed %v, want the last one", msgIDs(got))
		}
	})
}

// TestSplitClaimGivesBackTheLaterPart: when two claims split one
// recipient's messages (a race between dispatchers), the one holding the
// later messages gives them back, and keeps another recipient's.
func TestSplitClaimGivesBackTheLaterPart(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		msgs := enqueue(t, s, 4, t0)
		other := &bot.Message{Channel: bot.Telegram, Recipient: "43", Kind: bot.KindReply, Text: "hi", NextAt: t0}
		must(t, s.Enqueue(ctx, []*bot.Message{other}))
		until := t0.Add(time.Minute)
		must(t, store.ForceLease(ctx, s, "b", until, msgs[1].ID))
		must(t, store.ForceLease(ctx, s, "a", until, msgs[0].ID, msgs[2].ID, msgs[3].ID, other.ID))
		kept, err := store.GiveBackOutOfTurn(ctx, s, "a", until, msgs[0].ID, msgs[2].ID, msgs[3].ID, other.ID)
		must(t, err)
		if want := []int64{msgs[0].ID, other.ID}; !reflect.DeepEqual(kept, want) {
			t.Fatalf("kept %v, want %v", kept, want)
		}
		// What was given back is free at once, behind b's message.
		if got := claim(t, s, "c", t0, 10); len(got) != 0 {
			t.Fatalf("claimed %v while b holds the earlier message", msgIDs(got))
		}
		must(t, s.MarkDelivered(ctx, "b", msgs[1].ID, t0, "", ""))
		must(t, s.MarkDelivered(ctx, "a", msgs[0].ID, t0, "", ""))
		if got := claim(t, s, "c", t0, 10); !reflect.DeepEqual(msgIDs(got), msgIDs(msgs[2:])) {
			t.Fatalf("claimed %v, want %v", msgIDs(got), msgIDs(msgs[2:]))
		}
	})
}

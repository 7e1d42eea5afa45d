package store_test

import (
	"context"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func enqueue(t testing.TB, s *store.Store, n int, next time.Time) []*bot.Message {
	t.Helper()
	var out []*bot.Message
	for range n {
		out = append(out, &bot.Message{Channel: bot.Telegram, Recipient: "42", Kind: bot.KindReply, Text: "hi", NextAt: next, CreatedAt: t0})
	}
	must(t, s.Enqueue(context.Background(), out))
	return out
}

func msgIDs(ms []*bot.Message) []int64 {
	var out []int64
	for _, m := range ms {
		out = append(out, m.ID)
	}
	return out
}

func TestEnqueueAndFeed(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		full := &bot.Message{
			Channel: bot.WebChat, Recipient: "sess-1", Kind: bot.KindNotice, Text: "您的订单已发货",
			Options: []conversation.Option{{Key: "orders", Label: "My orders"}},
			Card: &bot.Card{Ref: "order:1", Title: "Order 100001", Fields: []bot.CardField{{Label: "Total", Value: "¥76.00"}},
				Actions: []bot.CardAction{{ID: "approve", Label: "Approve", Style: "primary"}}, Version: 2},
			Notice:    &conversation.Notice{Kind: conversation.OrderShipped, OrderNumber: "100001", Carrier: "SF", Tracking: "1"},
			Lang:      "zh-CN",
			NextAt:    t0,
			CreatedAt: t0,
			Bulk:      true,
		}
		plain := &bot.Message{Channel: bot.WebChat, Recipient: "sess-1", Kind: bot.KindReply, Text: "hello"}
		elsewhere := &bot.Message{Channel: bot.WebChat, Recipient: "sess-2", Kind: bot.KindReply, Text: "other"}
		must(t, s.Enqueue(ctx, []*bot.Message{full, plain, elsewhere}))
		if full.ID == 0 || plain.ID <= full.ID || elsewhere.ID <= plain.ID {
			t.Fatalf("ids %d, %d, %d", full.ID, plain.ID, elsewhere.ID)
		}
		if plain.CreatedAt.IsZero() {
			t.Fatal("Enqueue left CreatedAt zero")
		}
		claim(t, s, "a", t0, 3) // the bulk one is claimed after the replies
		must(t, s.MarkDelivered(ctx, "a", full.ID, t0.Add(time.Second), "ext-1", "passive"))

		feed, err := s.Feed(ctx, bot.WebChat, "sess-1", 0, 10)
		must(t, err)
		want := *full
		want.NextAt, want.CreatedAt = ms(t0), ms(t0)
		want.DeliveredAt, want.ExternalID, want.Path = ms(t0.Add(time.Second)), "ext-1", "passive"
		if len(feed) != 2 || !reflect.DeepEqual(feed[0], &want) || !reflect.DeepEqual(feed[1], plain) {
			t.Fatalf("Feed = %+v\nwant %+v and %+v", feed, &want, plain)
		}
		after, _ := s.Feed(ctx, bot.WebChat, "sess-1", full.ID, 10)
		if !reflect.DeepEqual(msgIDs(after), []int64{plain.ID}) {
			t.Fatalf("Feed after %d = %v", full.ID, msgIDs(after))
		}
		limited, _ := s.Feed(ctx, bot.WebChat, "sess-1", 0, 1)
		if !reflect.DeepEqual(msgIDs(limited), []int64{full.ID}) {
			t.Fatalf("Feed limit 1 = %v", msgIDs(limited))
		}
	})
}

func TestClaimDue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := t0.Add(time.Hour)
		due := enqueue(t, s, 3, time.Time{})            // no NextAt: due at once
		later := enqueue(t, s, 1, now.Add(time.Minute)) // not yet
		got, err := s.ClaimDue(ctx, "a", now, now.Add(time.Minute), 10)
		must(t, err)
		if !reflect.DeepEqual(msgIDs(got), msgIDs(due)) || got[0].Text != "hi" {
			t.Fatalf("claimed %v, want %v", msgIDs(got), msgIDs(due))
		}
		// Leased: nobody else gets them until the lease ends.
		if again, _ := s.ClaimDue(ctx, "b", now, now.Add(time.Minute), 10); len(again) != 0 {
			t.Fatalf("leased messages claimed again: %v", msgIDs(again))
		}
		// The lease expired: another dispatcher takes over, with the later one now due.
		after := now.Add(2 * time.Minute)
		got, _ = s.ClaimDue(ctx, "b", after, after.Add(time.Minute), 10)
		if want := append(msgIDs(due), later[0].ID); !reflect.DeepEqual(msgIDs(got), want) {
			t.Fatalf("after the lease: claimed %v, want %v", msgIDs(got), want)
		}
		// Delivered and failed messages are never claimed again.
		must(t, s.MarkDelivered(ctx, "b", due[0].ID, after, "x", ""))
		must(t, s.MarkFailed(ctx, "b", due[1].ID, after, "blocked"))
		far := after.Add(time.Hour)
		got, _ = s.ClaimDue(ctx, "c", far, far.Add(time.Minute), 10)
		if want := []int64{due[2].ID, later[0].ID}; !reflect.DeepEqual(msgIDs(got), want) {
			t.Fatalf("claimed %v, want %v", msgIDs(got), want)
		}
		// A retry frees the lease and waits for its time.
		must(t, s.MarkRetry(ctx, "c", due[2].ID, 1, far.Add(30*time.Second), "429"))
		if got, _ = s.ClaimDue(ctx, "d", far, far.Add(time.Minute), 10); len(got) != 0 {
			t.Fatalf("retry claimed before its time: %v", msgIDs(got))
		}
		got, _ = s.ClaimDue(ctx, "d", far.Add(30*time.Second), far.Add(2*time.Minute), 10)
		if len(got) != 1 || got[0].ID != due[2].ID || got[0].Attempts != 1 || got[0].LastError != "429" {
			t.Fatalf("retry claimed = %+v", got)
		}
		failed, _ := s.Feed(ctx, bot.Telegram, "42", due[1].ID-1, 1)
		if failed[0].FailedAt != ms(after) || failed[0].LastError != "blocked" {
			t.Fatalf("failed message = %+v", failed[0])
		}
	})
}

// TestResultsOnlyFromTheLeaseHolder: a dispatcher whose lease ran out and
// was taken over records nothing, whatever the result.
func TestResultsOnlyFromTheLeaseHolder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		m := enqueue(t, s, 1, t0)[0]
		claim(t, s, "a", t0, 1)
		later := t0.Add(2 * time.Minute) // a's lease ran out
		claim(t, s, "b", later, 1)
		wantErr(t, s.MarkDelivered(ctx, "a", m.ID, later, "ext-a", ""), bot.ErrLeaseLost)
		wantErr(t, s.MarkRetry(ctx, "a", m.ID, 1, later.Add(time.Hour), "timeout"), bot.ErrLeaseLost)
		wantErr(t, s.MarkFailed(ctx, "a", m.ID, later, "blocked"), bot.ErrLeaseLost)
		wantErr(t, s.MarkHeld(ctx, "a", m.ID, later, "window"), bot.ErrLeaseLost)
		must(t, s.MarkDelivered(ctx, "b", m.ID, later, "ext-b", ""))
		wantErr(t, s.MarkDelivered(ctx, "b", m.ID, later, "again", ""), bot.ErrLeaseLost)
		wantErr(t, s.MarkDelivered(ctx, "b", 999999, later, "", ""), bot.ErrLeaseLost)
		feed, _ := s.Feed(ctx, bot.Telegram, "42", 0, 10)
		if len(feed) != 1 || feed[0].ExternalID != "ext-b" || feed[0].Attempts != 0 || !feed[0].FailedAt.IsZero() {
			t.Fatalf("row after the lost lease's marks = %+v", feed[0])
		}
	})
}

// TestClaimDueKeepsEachRecipientInOrder: a recipient's message is not
// claimed while an earlier one of theirs is leased (here or elsewhere) or
// waits for a retry; other recipients are not held up by it.
func TestClaimDueKeepsEachRecipientInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		msgs := enqueue(t, s, 5, time.Time{})
		got := claim(t, s, "a", t0, 2)
		if !reflect.DeepEqual(msgIDs(got), msgIDs(msgs[:2])) {
			t.Fatalf("limit 2 claimed %v", msgIDs(got))
		}
		other := &bot.Message{Channel: bot.Telegram, Recipient: "43", Kind: bot.KindReply, Text: "hi"}
		must(t, s.Enqueue(ctx, []*bot.Message{other}))
		if got := claim(t, s, "b", t0, 10); !reflect.DeepEqual(msgIDs(got), []int64{other.ID}) {
			t.Fatalf("b claimed %v behind a's leases, want only %d", msgIDs(got), other.ID)
		}
		if got := claim(t, s, "a", t0, 10); len(got) != 0 {
			t.Fatalf("a claimed %v of a recipient it is serving", msgIDs(got))
		}
		must(t, s.MarkDelivered(ctx, "a", msgs[0].ID, t0, "", ""))
		must(t, s.MarkRetry(ctx, "a", msgs[1].ID, 1, t0.Add(time.Minute), "timeout"))
		if got := claim(t, s, "b", t0.Add(30*time.Second), 10); len(got) != 0 {
			t.Fatalf("claimed %v while an earlier message waits for its retry", msgIDs(got))
		}
		got = claim(t, s, "b", t0.Add(time.Minute), 10)
		if !reflect.DeepEqual(msgIDs(got), msgIDs(msgs[1:])) {
			t.Fatalf("after the retry's time claimed %v, want %v", msgIDs(got), msgIDs(msgs[1:]))
		}
	})
}

func claim(t testing.TB, s *store.Store, owner string, now time.Time, n int) []*bot.Message {
	t.Helper()
	got, err := s.ClaimDue(context.Background(), owner, now, now.Add(time.Minute), n)
	must(t, err)
	return got
}

// TestClaimDueConcurrently: dispatchers racing for the same messages each
// get a share, and no message goes to two of them.
func TestClaimDueConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		for i := range 40 {
			must(t, s.Enqueue(ctx, []*bot.Message{{Channel: bot.Telegram, Recipient: fmt.Sprint(i), Kind: bot.KindReply, Text: "hi"}}))
		}
		claimed := race(t, s, []string{"a", "b", "c", "d"}, 5, 10)
		seen := map[int64]string{}
		for owner, ms := range claimed {
			for _, m := range ms {
				if prev, ok := seen[m.ID]; ok {
					t.Fatalf("message %d claimed by %s and %s", m.ID, prev, owner)
				}
				seen[m.ID] = owner
			}
		}
		if len(seen) != 40 {
			t.Fatalf("%d of 40 messages claimed", len(seen))
		}
	})
}

// TestClaimDueConcurrentlyForOneRecipient: dispatchers racing for one
// recipient's messages never split them: one of them gets the oldest ones.
func TestClaimDueConcurrentlyForOneRecipient(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for trial := range 10 {
			recipient := fmt.Sprintf("r%d", trial)
			var msgs []*bot.Message
			for range 12 {
				msgs = append(msgs, &bot.Message{Channel: bot.Telegram, Recipient: recipient, Kind: bot.KindReply, Text: "hi"})
			}
			must(t, s.Enqueue(context.Background(), msgs))
			claimed := race(t, s, []string{"a", "b", "c", "d"}, 5, 3)
			holders := 0
			for owner, ms := range claimed {
				if len(ms) == 0 {
					continue
				}
				holders++
				if want := msgIDs(msgs[:len(ms)]); !reflect.DeepEqual(msgIDs(ms), want) {
					t.Fatalf("trial %d: %s claimed %v, want the oldest %v", trial, owner, msgIDs(ms), want)
				}
			}
			if holders != 1 {
				t.Fatalf("trial %d: %d dispatchers hold messages of one recipient", trial, holders)
			}
			drain(t, s)
		}
	})
}

// drain delivers every waiting message, leased or not.
func drain(t *testing.T, s *store.Store) {
	t.Helper()
	later := t0.Add(time.Hour) // every lease has run out
	for {
		ms := claim(t, s, "drain", later, 100)
		if len(ms) == 0 {
			return
		}
		for _, m := range ms {
			must(t, s.MarkDelivered(context.Background(), "drain", m.ID, later, "", ""))
		}
	}
}

// race has each owner claim n messages at a time, rounds times, all at once.
func race(t *testing.T, s *store.Store, owners []string, n, rounds int) map[string][]*bot.Message {
	t.Helper()
	var mu sync.Mutex
	claimed := map[string][]*bot.Message{}
	var wg sync.WaitGroup
	for _, owner := range owners {
		wg.Go(func() {
			for range rounds {
				ms, err := s.ClaimDue(context.Background(), owner, t0, t0.Add(time.Minute), n)
				if err != nil {
					t.Errorf("ClaimDue: %v", err)
					return
				}
				mu.Lock()
				claimed[owner] = append(claimed[owner], ms...)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return claimed
}

func TestCardRefs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		_, err := s.CardRef(ctx, bot.Slack, "order:1")
		wantErr(t, err, bot.ErrNotFound)
		must(t, s.SaveCardRef(ctx, bot.Slack, "order:1", "C1/1700.1"))
		must(t, s.SaveCardRef(ctx, bot.Telegram, "order:1", "-100/7"))
		must(t, s.SaveCardRef(ctx, bot.Slack, "order:1", "C1/1700.2"))
		for ch, want := range map[string]string{bot.Slack: "C1/1700.2", bot.Telegram: "-100/7"} {
			got, err := s.CardRef(ctx, ch, "order:1")
			must(t, err)
			if got != want {
				t.Errorf("CardRef(%s) = %q, want %q", ch, got, want)
			}
		}
	})
}

// TestClaimDueComparesTimesExactly: a retry due on a whole second is due
// half a second later. (Times kept as RFC 3339 text with trimmed fractions
// would compare "…:00Z" after "…:00.5Z" and never send it.)
func TestClaimDueComparesTimesExactly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		next := time.Date(2025, 3, 14, 10, 0, 0, 0, time.UTC)
		m := enqueue(t, s, 1, next)[0]
		if got, _ := s.ClaimDue(ctx, "a", next.Add(-time.Millisecond), next.Add(time.Minute), 10); len(got) != 0 {
			t.Fatal("claimed a millisecond early")
		}
		got, err := s.ClaimDue(ctx, "a", next.Add(500*time.Millisecond), next.Add(time.Minute), 10)
		must(t, err)
		if len(got) != 1 || got[0].ID != m.ID || got[0].NextAt != next {
			t.Fatalf("claimed %+v, want message %d due at %v", got, m.ID, next)
		}
		// The lease ends on a whole second too.
		lease := next.Add(time.Minute)
		if got, _ := s.ClaimDue(ctx, "b", lease.Add(-time.Millisecond), lease.Add(time.Minute), 10); len(got) != 0 {
			t.Fatal("lease broken a millisecond early")
		}
		if got, _ := s.ClaimDue(ctx, "b", lease.Add(time.Millisecond), lease.Add(time.Minute), 10); len(got) != 1 {
			t.Fatal("expired lease not reclaimed")
		}
	})
}

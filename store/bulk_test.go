package store_test

import (
	"context"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func promo(recipient string) *bot.Message {
	return &bot.Message{Channel: bot.Telegram, Recipient: recipient, Kind: bot.KindReply, Text: "促销", Bulk: true}
}

func reply(recipient string) *bot.Message {
	return &bot.Message{Channel: bot.Telegram, Recipient: recipient, Kind: bot.KindReply, Text: "您好"}
}

// TestClaimTakesRepliesBeforeBulk: every due non-bulk message is claimed
// before any bulk one, older promotions notwithstanding, and a claim takes
// no more bulk messages than it is allowed.
func TestClaimTakesRepliesBeforeBulk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var promos []*bot.Message
		for _, r := range []string{"1", "2", "3", "4"} {
			promos = append(promos, promo(r))
		}
		must(t, s.Enqueue(ctx, promos))
		replies := []*bot.Message{reply("5"), reply("6")}
		must(t, s.Enqueue(ctx, replies))
		if got := claim(t, s, "a", t0, 1); !reflect.DeepEqual(msgIDs(got), msgIDs(replies[:1])) {
			t.Fatalf("limit 1 claimed %v, want the first reply %d", msgIDs(got), replies[0].ID)
		}
		got, err := s.ClaimDueUpTo(ctx, "b", t0, t0.Add(time.Minute), 10, 2)
		must(t, err)
		if want := []int64{replies[1].ID, promos[0].ID, promos[1].ID}; !reflect.DeepEqual(msgIDs(got), want) {
			t.Fatalf("claimed %v, want the other reply then two promotions %v", msgIDs(got), want)
		}
		if got, _ := s.ClaimDueUpTo(ctx, "c", t0, t0.Add(time.Minute), 10, 0); len(got) != 0 {
			t.Fatalf("a claim without room for bulk took %v", msgIDs(got))
		}
		if !got[1].Bulk || got[0].Bulk {
			t.Fatalf("bulk marks lost: %+v", got)
		}
	})
}

// TestRecipientsReplyGoesBeforeTheirPromotion: within one recipient the
// replies go first, and a promotion waiting for a retry holds back only
// the promotions after it, never a reply.
func TestRecipientsReplyGoesBeforeTheirPromotion(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		first := promo("42")
		must(t, s.Enqueue(ctx, []*bot.Message{first}))
		answer := reply("42")
		must(t, s.Enqueue(ctx, []*bot.Message{answer}))
		if got := claim(t, s, "a", t0, 1); !reflect.DeepEqual(msgIDs(got), []int64{answer.ID}) {
			t.Fatalf("claimed %v, want the reply %d before the promotion %d", msgIDs(got), answer.ID, first.ID)
		}
		// While the reply is leased the promotion after it waits.
		if got := claim(t, s, "b", t0, 10); len(got) != 0 {
			t.Fatalf("claimed %v behind a leased reply", msgIDs(got))
		}
		must(t, s.MarkDelivered(ctx, "a", answer.ID, t0, "", ""))
		if got := claim(t, s, "b", t0, 10); !reflect.DeepEqual(msgIDs(got), []int64{first.ID}) {
			t.Fatalf("claimed %v, want the promotion", msgIDs(got))
		}
		must(t, s.MarkRetry(ctx, "b", first.ID, 1, t0.Add(10*time.Minute), "timeout"))
		second, later := promo("42"), reply("42")
		must(t, s.Enqueue(ctx, []*bot.Message{second}))
		must(t, s.Enqueue(ctx, []*bot.Message{later}))
		if got := claim(t, s, "c", t0.Add(time.Minute), 10); !reflect.DeepEqual(msgIDs(got), []int64{later.ID}) {
			t.Fatalf("claimed %v, want only the reply %d past the promotion waiting for its retry", msgIDs(got), later.ID)
		}
		must(t, s.MarkDelivered(ctx, "c", later.ID, t0.Add(time.Minute), "", ""))
		got := claim(t, s, "c", t0.Add(10*time.Minute), 10)
		if want := []int64{first.ID, second.ID}; !reflect.DeepEqual(msgIDs(got), want) {
			t.Fatalf("after the retry's time claimed %v, want %v", msgIDs(got), want)
		}
		// ClaimNext keeps the same line.
		if _, err := s.ReleaseLeases(ctx, "c"); err != nil {
			t.Fatal(err)
		}
		third := reply("42")
		must(t, s.Enqueue(ctx, []*bot.Message{third}))
		next, err := s.ClaimNextUpTo(ctx, "d", bot.Telegram, "42", t0.Add(10*time.Minute), t0.Add(11*time.Minute), 10, 1)
		must(t, err)
		if want := []int64{third.ID, first.ID}; !reflect.DeepEqual(msgIDs(next), want) {
			t.Fatalf("ClaimNextUpTo claimed %v, want %v", msgIDs(next), want)
		}
	})
}

// TestClaimDueConcurrentlyForOneRecipientWithBulk: dispatchers racing for
// one recipient's replies and promotions, enqueued in turn, never split
// them: one of them gets the first ones of the recipient's line, the
// replies by id, then the promotions.
func TestClaimDueConcurrentlyForOneRecipientWithBulk(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		for trial := range 10 {
			recipient := fmt.Sprintf("r%d", trial)
			var msgs, replies, promos []*bot.Message
			for i := range 12 {
				m := reply(recipient)
				if i%2 == 0 {
					m = promo(recipient)
				}
				msgs = append(msgs, m)
			}
			must(t, s.Enqueue(context.Background(), msgs))
			for _, m := range msgs {
				if m.Bulk {
					promos = append(promos, m)
				} else {
					replies = append(replies, m)
				}
			}
			line := append(replies, promos...)
			claimed := race(t, s, []string{"a", "b", "c", "d"}, 8, 3)
			holders := 0
			for owner, ms := range claimed {
				if len(ms) == 0 {
					continue
				}
				holders++
				if want := msgIDs(line[:len(ms)]); !reflect.DeepEqual(msgIDs(ms), want) {
					t.Fatalf("trial %d: %s claimed %v, want the first of the line %v", trial, owner, msgIDs(ms), want)
				}
			}
			if holders != 1 {
				t.Fatalf("trial %d: %d dispatchers hold messages of one recipient", trial, holders)
			}
			drain(t, s)
		}
	})
}

package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/broadcast"
	"github.com/orderbot/orderbot/bot/care"
	"github.com/orderbot/orderbot/bot/tier"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestBroadcastAudience checks each part of a segment against customers
// who differ in it, and that only those who consented count.
func TestBroadcastAudience(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		products(t, s, tea(100))
		if ts, err := s.TierList(ctx); err != nil || len(ts) == 0 {
			must(t, s.ReplaceTierList(ctx, tier.DefaultTiers()))
		}
		mk := func(channel, user, lang string, consent bool) bot.Customer {
			c, err := s.LockCustomer(ctx, channel, user)
			must(t, err)
			c.Lang = lang
			must(t, s.UpdateCustomer(ctx, c))
			must(t, s.SaveConsent(ctx, care.Consent{CustomerID: c.ID, Granted: consent, At: t0, Channel: channel}))
			return c
		}
		// early: Chinese, silver, one order (7,600) on day 0.
		early := mk(bot.Telegram, "early", "zh-CN", true)
		placeOrder(t, s, early, t0)
		must(t, s.SaveCustomerTier(ctx, tier.Member{CustomerID: early.ID, Tier: "silver", UpdatedAt: t0}))
		// late: English, no tier row (regular), two orders (15,200), the last on day 10,
		// and a rejected one on day 20 that counts for nothing.
		late := mk(bot.WebChat, "late", "en", true)
		placeOrder(t, s, late, t0.Add(24*time.Hour))
		placeOrder(t, s, late, t0.Add(240*time.Hour))
		gone := placeOrder(t, s, late, t0.Add(480*time.Hour))
		must(t, gone.Reject("ann (slack)", "out of stock", t0.Add(481*time.Hour)))
		must(t, s.UpdateOrder(ctx, gone))
		// never: no language, gold, never ordered.
		never := mk(bot.WeChat, "never", "", true)
		must(t, s.SaveCustomerTier(ctx, tier.Member{CustomerID: never.ID, Tier: "gold", UpdatedAt: t0}))
		// no: said no; unasked: never asked. Neither counts anywhere.
		no := mk(bot.WebChat, "no", "en", false)
		placeOrder(t, s, no, t0)
		customer(t, s, "unasked")

		day := func(n int) time.Time { return t0.Add(time.Duration(n) * 24 * time.Hour) }
		spent := func(n int64) *int64 { return &n }
		for _, tc := range []struct {
			name string
			seg  broadcast.Segment
			want []int64
		}{
			{"everyone who consented", broadcast.Segment{}, []int64{early.ID, late.ID, never.ID}},
			{"channel", broadcast.Segment{Channels: []string{bot.WebChat, bot.WeChat}}, []int64{late.ID, never.ID}},
			{"Chinese", broadcast.Segment{Langs: []string{"zh"}}, []int64{early.ID}},
			{"English", broadcast.Segment{Langs: []string{"en"}}, []int64{late.ID, never.ID}},
			{"silver", broadcast.Segment{Tiers: []string{"silver"}}, []int64{early.ID}},
			{"regular: the first tier, held without a row", broadcast.Segment{Tiers: []string{"regular"}}, []int64{late.ID}},
			{"regular or gold", broadcast.Segment{Tiers: []string{"regular", "gold"}}, []int64{late.ID, never.ID}},
			{"last order before day 5", broadcast.Segment{LastOrderBefore: day(5)}, []int64{early.ID}},
			{"last order after day 5 (the rejected one does not count)", broadcast.Segment{LastOrderAfter: day(5)}, []int64{late.ID}},
			{"last order after day 15", broadcast.Segment{LastOrderAfter: day(15)}, nil},
			{"spent at least 10,000", broadcast.Segment{MinSpent: spent(10000)}, []int64{late.ID}},
			{"spent at most 10,000", broadcast.Segment{MaxSpent: spent(10000)}, []int64{early.ID, never.ID}},
			{"all at once", broadcast.Segment{Channels: []string{bot.WebChat}, Langs: []string{"en"}, Tiers: []string{"regular"}, MinSpent: spent(1)}, []int64{late.ID}},
		} {
			n, err := s.AudienceSize(ctx, tc.seg)
			must(t, err)
			var got []int64
			after := int64(0)
			for {
				// Pages of one: the keyset goes on after the last id.
				page, err := s.Audience(ctx, tc.seg, after, 1)
				must(t, err)
				if len(page) == 0 {
					break
				}
				got, after = append(got, page[0].CustomerID), page[0].CustomerID
			}
			slices.Sort(tc.want)
			if n != len(tc.want) || !slices.Equal(got, tc.want) {
				t.Errorf("%s: size %d, audience %v; want %v", tc.name, n, got, tc.want)
			}
		}
	})
}

// TestBroadcastRecipientsGoWithTheCustomer: a customer deleted for
// silence leaves no recipient rows behind, and a broadcast's recipients
// are unique per customer.
func TestBroadcastRecipientsGoWithTheCustomer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := customer(t, s, "quiet")
		b := broadcast.Broadcast{Status: broadcast.Draft, TextEN: "hi", CreatedAt: t0}
		must(t, s.CreateBroadcast(ctx, &b))
		rc := []broadcast.Recipient{{BroadcastID: b.ID, CustomerID: c.ID, Reason: broadcast.SkipOutsideWindow, At: t0}}
		must(t, s.AddRecipients(ctx, rc))
		wantErr(t, s.AddRecipients(ctx, rc), bot.ErrDuplicate)
		rep, err := s.BroadcastReport(ctx, b.ID)
		must(t, err)
		if rep.Targeted != 1 || rep.Skipped[broadcast.SkipOutsideWindow] != 1 {
			t.Fatalf("report %+v", rep)
		}
		must(t, s.DeleteCustomer(ctx, c.ID))
		if rep, err = s.BroadcastReport(ctx, b.ID); err != nil || rep.Targeted != 0 {
			t.Fatalf("after deleting the customer: %+v %v", rep, err)
		}
	})
}

// TestBroadcastLease: one owner at a time holds a broadcast being sent,
// until its lease ends; only approved broadcasts whose time came are due.
func TestBroadcastLease(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := t0.UTC()
		later := broadcast.Broadcast{Status: broadcast.Approved, TextEN: "later", SendAt: now.Add(time.Hour), CreatedAt: now}
		draft := broadcast.Broadcast{Status: broadcast.Draft, TextEN: "draft", CreatedAt: now}
		b := broadcast.Broadcast{Status: broadcast.Approved, TextEN: "now", CreatedAt: now}
		for _, x := range []*broadcast.Broadcast{&later, &draft, &b} {
			must(t, s.CreateBroadcast(ctx, x))
		}
		due, err := s.DueBroadcasts(ctx, now, 10)
		must(t, err)
		if !slices.Equal(due, []int64{b.ID}) {
			t.Fatalf("due %v, want only %d", due, b.ID)
		}
		ok, err := s.ClaimBroadcast(ctx, b.ID, "a", now, now.Add(2*time.Minute))
		must(t, err)
		if !ok {
			t.Fatal("a did not get a free broadcast")
		}
		if ok, _ := s.ClaimBroadcast(ctx, b.ID, "b", now.Add(time.Minute), now.Add(3*time.Minute)); ok {
			t.Fatal("b took a's running lease")
		}
		if due, _ := s.DueBroadcasts(ctx, now.Add(time.Minute), 10); len(due) != 0 {
			t.Fatalf("a leased broadcast is listed as due: %v", due)
		}
		if ok, _ := s.ClaimBroadcast(ctx, b.ID, "a", now, now.Add(2*time.Minute)); !ok {
			t.Fatal("a lost its own lease renewing it to the same time")
		}
		if ok, _ := s.ClaimBroadcast(ctx, b.ID, "b", now.Add(3*time.Minute), now.Add(5*time.Minute)); !ok {
			t.Fatal("b could not take over a lease that ended")
		}
		if ok, _ := s.ClaimBroadcast(ctx, draft.ID, "a", now, now.Add(time.Minute)); ok {
			t.Fatal("a draft was claimed for sending")
		}
	})
}

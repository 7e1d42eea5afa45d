package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/tier"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// completedOrder stores an order of c completed at the time given.
func completedOrder(t *testing.T, s *store.Store, c bot.Customer, at time.Time) *bot.Order {
	t.Helper()
	o := shippedOrder(t, s, c)
	must(t, o.Deliver("ann (slack)", at))
	must(t, o.Complete("ann (slack)", at))
	must(t, s.UpdateOrder(context.Background(), o))
	return o
}

func TestTierActivityCountsCompletedUnrefundedOrdersInTheWindow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := customer(t, s, "u1")
		completedOrder(t, s, c, t0.Add(time.Hour))                // counts
		completedOrder(t, s, c, t0.Add(48*time.Hour))             // counts
		refunded := completedOrder(t, s, c, t0.Add(72*time.Hour)) // refunded: does not count
		placeOrder(t, s, c, t0.Add(time.Hour))                    // pending: does not count
		completedOrder(t, s, customer(t, s, "u2"), t0.Add(time.Hour))
		r, err := bot.NewAfterSales(c, refunded, bot.Refund, "broken", nil, t0.Add(80*time.Hour))
		must(t, err)
		must(t, s.CreateAfterSales(ctx, r))
		must(t, r.Approve("bob (slack)", "", t0.Add(81*time.Hour)))
		must(t, r.Resolve("ann (slack)", t0.Add(82*time.Hour)))
		must(t, s.UpdateAfterSales(ctx, r))

		for _, tc := range []struct {
			since time.Time
			want  tier.Activity
		}{
			{t0, tier.Activity{Orders: 2, Spend: 2 * 7600}},
			{t0.Add(2 * time.Hour), tier.Activity{Orders: 1, Spend: 7600}},
			{t0.Add(100 * time.Hour), tier.Activity{}},
		} {
			got, err := s.TierActivity(ctx, c.ID, tc.since)
			must(t, err)
			if got != tc.want {
				t.Errorf("since %v: %+v, want %+v", tc.since, got, tc.want)
			}
		}
	})
}

func TestTierSweepPagesThroughMembersAndBuyers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var ids []int64
		for _, u := range []string{"a", "b", "c", "d", "e"} {
			ids = append(ids, customer(t, s, u).ID)
		}
		c0, _ := s.Customer(ctx, ids[0])
		c2, _ := s.Customer(ctx, ids[2])
		completedOrder(t, s, c0, t0)
		completedOrder(t, s, c0, t0)
		completedOrder(t, s, c2, t0)
		placeOrder(t, s, customer(t, s, "d"), t0) // pending only: not swept
		for _, id := range []int64{ids[1], ids[4]} {
			must(t, s.SaveCustomerTier(ctx, tier.Member{CustomerID: id, Tier: "gold", Pinned: true, UpdatedAt: t0}))
		}
		var got [][]int64
		for after := int64(0); ; {
			page, err := s.TierSweepPage(ctx, after, 2)
			must(t, err)
			if len(page) == 0 {
				break
			}
			got = append(got, page)
			after = page[len(page)-1]
		}
		want := [][]int64{{ids[0], ids[1]}, {ids[2], ids[4]}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("pages %v, want %v", got, want)
		}
		m, err := s.CustomerTier(ctx, ids[1])
		if err != nil || m.Tier != "gold" || !m.Pinned {
			t.Fatalf("member %+v, %v", m, err)
		}
		_, err = s.CustomerTier(ctx, ids[0])
		wantErr(t, err, bot.ErrNotFound)
	})
}

func TestTierStandingFallsBackToTheFirstTier(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		plain, pinned, gone := customer(t, s, "a"), customer(t, s, "b"), customer(t, s, "c")
		must(t, s.SaveCustomerTier(ctx, tier.Member{CustomerID: pinned.ID, Tier: "gold", Pinned: true, UpdatedAt: t0}))
		must(t, s.SaveCustomerTier(ctx, tier.Member{CustomerID: gone.ID, Tier: "platinum", UpdatedAt: t0}))
		for _, tc := range []struct {
			id         int64
			tier       string
			wantPinned bool
		}{{plain.ID, "regular", false}, {pinned.ID, "gold", true}, {gone.ID, "regular", false}} {
			got, p, err := s.TierStanding(ctx, tc.id)
			must(t, err)
			if got.Name != tc.tier || p != tc.wantPinned {
				t.Errorf("customer %d: %s pinned %v, want %s %v", tc.id, got.Name, p, tc.tier, tc.wantPinned)
			}
		}
		members, err := s.CustomerTiers(ctx, []int64{plain.ID, pinned.ID, gone.ID})
		must(t, err)
		if len(members) != 2 || members[pinned.ID].Tier != "gold" || !members[pinned.ID].Pinned {
			t.Fatalf("members %+v", members)
		}
		must(t, s.ReplaceTierList(ctx, nil))
		_, _, err = s.TierStanding(ctx, plain.ID)
		wantErr(t, err, bot.ErrNotFound)
	})
}

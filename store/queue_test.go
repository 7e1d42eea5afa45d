package store_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestWorkQueue pages through open work of every kind, several items of
// it sharing one time, and finds each item exactly once, oldest first,
// with the counts of each kind; closed work stays out.
func TestWorkQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		products(t, s, tea(100))
		var want []bot.WorkItem
		add := func(k bot.WorkKind, id int64, at time.Time) {
			want = append(want, bot.WorkItem{Kind: k, ID: id, At: ms(at)})
		}
		for i := range 3 {
			c := customer(t, s, fmt.Sprint("u", i))
			// Two pending orders at the same time, and one approved.
			for range 2 {
				o := placeOrder(t, s, c, t0.Add(time.Duration(i)*time.Minute))
				add(bot.WorkNew, o.ID, o.CreatedAt)
			}
			o := placeOrder(t, s, c, t0)
			must(t, o.Approve("ann (slack)", t0.Add(time.Hour)))
			must(t, s.UpdateOrder(ctx, o))
			add(bot.WorkFulfil, o.ID, o.CreatedAt)
			// A cancel request waits on its decision, not on shipping.
			asked := placeOrder(t, s, c, t0)
			must(t, asked.Approve("ann (slack)", t0))
			cancelled, err := asked.CancelByCustomer("customer", t0.Add(time.Duration(i)*time.Second))
			if err != nil || cancelled {
				t.Fatalf("cancel request: %v %v", cancelled, err)
			}
			must(t, s.UpdateOrder(ctx, asked))
			add(bot.WorkCancel, asked.ID, asked.UpdatedAt)
			// A cancelled order is no work.
			gone := placeOrder(t, s, c, t0)
			_, err = gone.CancelByCustomer("customer", t0)
			must(t, err)
			must(t, s.UpdateOrder(ctx, gone))
			h := &bot.Handoff{CustomerID: c.ID, Open: true, CreatedAt: t0.Add(time.Duration(i) * time.Minute)}
			must(t, s.CreateHandoff(ctx, h))
			add(bot.WorkHandoff, h.ID, h.CreatedAt)
		}
		slices.SortFunc(want, func(a, b bot.WorkItem) int {
			if a.Before(b) {
				return -1
			}
			return 1
		})
		counts, err := s.WorkCounts(ctx)
		must(t, err)
		if counts[bot.WorkNew] != 6 || counts[bot.WorkFulfil] != 3 || counts[bot.WorkHandoff] != 3 || counts[bot.WorkCancel] != 3 {
			t.Fatalf("counts %v", counts)
		}
		for _, size := range []int{1, 2, 5, 50} {
			var got []bot.WorkItem
			q := bot.WorkQuery{Limit: size}
			for range 20 {
				page, err := s.WorkQueue(ctx, q)
				must(t, err)
				got = append(got, page...)
				if len(page) < size {
					break
				}
				q.After = &page[len(page)-1]
			}
			if !slices.EqualFunc(got, want, func(a, b bot.WorkItem) bool { return a.Kind == b.Kind && a.ID == b.ID && a.At.Equal(b.At) }) {
				t.Fatalf("pages of %d:\n got %v\nwant %v", size, got, want)
			}
		}
		handoffs, err := s.WorkQueue(ctx, bot.WorkQuery{Kind: bot.WorkHandoff, Limit: 10})
		must(t, err)
		if len(handoffs) != 3 || handoffs[0].Kind != bot.WorkHandoff {
			t.Fatalf("handoffs %v", handoffs)
		}
		_, err = s.WorkQueue(ctx, bot.WorkQuery{Kind: "bogus", Limit: 10})
		wantErr(t, err, bot.ErrInvalid)
	})
}

package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/crm"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestMergeWhileTheMergedIdentityOrders merges a customer while its
// identity keeps placing orders and saving its conversation: every order
// ends on the kept customer, none is lost, and no conversation mark is.
func TestMergeWhileTheMergedIdentityOrders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		must(t, s.UpsertProducts(ctx, []bot.Product{{SKU: "TEA", Name: "Tea", Price: 100, Stock: 1000, Active: true}}))
		keep, err := s.LockCustomer(ctx, bot.Telegram, "K1")
		must(t, err)
		other, err := s.LockCustomer(ctx, bot.WeChat, "O1")
		must(t, err)
		const n = 20
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				err := s.InTx(ctx, func(tx bot.Repo) error {
					c, err := tx.LockCustomer(ctx, bot.WeChat, "O1")
					if err != nil {
						return err
					}
					o, err := bot.NewOrder(c, []bot.OrderItem{{SKU: "TEA", Name: "Tea", UnitPrice: 100, Qty: 1}},
						bot.Contact{Name: "Li", Phone: "138", Address: "Road"}, time.Now().UTC())
					if err != nil {
						return err
					}
					if err := tx.CreateOrder(ctx, o); err != nil {
						return err
					}
					c.Conversation = append(c.Conversation, 'x')
					return tx.UpdateCustomer(ctx, c)
				})
				if err != nil {
					t.Errorf("order of the merged identity: %v", err)
				}
			})
		}
		wg.Go(func() {
			time.Sleep(5 * time.Millisecond)
			staff := bot.Staff{Channel: bot.WebChat, UserID: "alice", Name: "alice", Role: bot.Approver}
			if err := crm.New(s, nil).Merge(ctx, staff, keep.ID, other.ID); err != nil {
				t.Errorf("merge: %v", err)
			}
		})
		wg.Wait()
		kept, err := s.OrdersByCustomer(ctx, keep.ID, 100)
		must(t, err)
		left, err := s.OrdersByCustomer(ctx, other.ID, 100)
		must(t, err)
		if len(kept) != n || len(left) != 0 {
			t.Fatalf("orders: %d on the kept customer, %d on the merged one; want %d and 0", len(kept), len(left), n)
		}
		c, err := s.CustomerByUser(ctx, bot.WeChat, "O1")
		must(t, err)
		if c.ID != keep.ID || len(c.Conversation) != n {
			t.Fatalf("identity O1 is customer %d with %d conversation marks", c.ID, len(c.Conversation))
		}
	})
}

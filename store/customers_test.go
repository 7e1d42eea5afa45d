package store_test

import (
	"context"
	"reflect"
	"sync"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestCustomers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		_, err := s.CustomerByUser(ctx, bot.WeChat, "oAbC")
		wantErr(t, err, bot.ErrNotFound)

		c, err := s.LockCustomer(ctx, bot.WeChat, "oAbC")
		must(t, err)
		if c.ID == 0 || c.Channel != bot.WeChat || c.UserID != "oAbC" || c.CreatedAt.IsZero() {
			t.Fatalf("new customer = %+v", c)
		}
		// Platform ids are case-sensitive: this is another user.
		other, err := s.LockCustomer(ctx, bot.WeChat, "oabc")
		must(t, err)
		if other.ID == c.ID {
			t.Fatal("oabc and oAbC got the same customer")
		}
		again, err := s.LockCustomer(ctx, bot.WeChat, "oAbC")
		must(t, err)
		if again.ID != c.ID {
			t.Fatalf("second LockCustomer created customer %d, want %d", again.ID, c.ID)
		}

		c.DisplayName, c.Name, c.Phone, c.Address, c.Lang = "小明", "Wang Ming", "+86 138", "北京市 1号", "zh-CN"
		c.Unreachable, c.LastInboundAt, c.Conversation = true, t0, []byte{0, 1, 2, 255}
		must(t, s.UpdateCustomer(ctx, c))
		want := c
		want.LastInboundAt = ms(t0)
		for _, get := range []func() (bot.Customer, error){
			func() (bot.Customer, error) { return s.Customer(ctx, c.ID) },
			func() (bot.Customer, error) { return s.CustomerByUser(ctx, bot.WeChat, "oAbC") },
			func() (bot.Customer, error) { return s.LockCustomer(ctx, bot.WeChat, "oAbC") },
		} {
			got, err := get()
			must(t, err)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("customer = %+v\nwant       %+v", got, want)
			}
		}

		c.Conversation, c.LastInboundAt = nil, t0.AddDate(0, 0, -1).UTC()
		must(t, s.UpdateCustomer(ctx, c))
		got, _ := s.Customer(ctx, c.ID)
		if got.Conversation != nil || !got.LastInboundAt.Equal(ms(c.LastInboundAt)) {
			t.Fatalf("after clearing the conversation: %+v", got)
		}
		_, err = s.Customer(ctx, 999999)
		wantErr(t, err, bot.ErrNotFound)
		wantErr(t, s.UpdateCustomer(ctx, bot.Customer{ID: 999999}), bot.ErrNotFound)
	})
}

func TestLockCustomerConcurrentlyCreatesOneRow(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ids := make([]int64, 20)
		var wg sync.WaitGroup
		for i := range ids {
			wg.Go(func() {
				err := s.InTx(ctx, func(tx bot.Repo) error {
					c, err := tx.LockCustomer(ctx, bot.Slack, "U123")
					ids[i] = c.ID
					return err
				})
				if err != nil {
					t.Errorf("LockCustomer: %v", err)
				}
			})
		}
		wg.Wait()
		for _, id := range ids {
			if id != ids[0] || id == 0 {
				t.Fatalf("ids = %v, want one customer", ids)
			}
		}
	})
}

// TestLockCustomerSerializes shows that the lock holds: increments made
// under it by concurrent transactions are never lost.
func TestLockCustomerSerializes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		customer(t, s, "U1")
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				err := s.InTx(ctx, func(tx bot.Repo) error {
					c, err := tx.LockCustomer(ctx, bot.Telegram, "U1")
					if err != nil {
						return err
					}
					c.Conversation = append(c.Conversation, 'x')
					return tx.UpdateCustomer(ctx, c)
				})
				if err != nil {
					t.Errorf("update under lock: %v", err)
				}
			})
		}
		wg.Wait()
		c, err := s.CustomerByUser(ctx, bot.Telegram, "U1")
		must(t, err)
		if len(c.Conversation) != 20 {
			t.Fatalf("conversation has %d marks, want 20: updates were lost", len(c.Conversation))
		}
	})
}

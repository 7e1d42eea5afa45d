package store_test

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestOnStatementCountsRawStatements: the statements of a message that run
// past gorm (the customer's lock, the outbox insert, the dedup record, the
// settlement of a send) are counted like gorm's, one each, inside a
// transaction and out of one: the statement budgets of bot's tests rely
// on it.
func TestOnStatementCountsRawStatements(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := customer(t, s, "counted")
		var tables []string
		s.OnStatement(func(table string) { tables = append(tables, table) })
		for _, tc := range []struct {
			name string
			run  func() error
			want []string
		}{
			{"lock for inbound in a transaction", func() error {
				return s.InTx(ctx, func(tx bot.Repo) error {
					_, err := tx.LockForInbound(ctx, bot.Telegram, "counted", "tg:counted", "")
					return err
				})
			}, []string{"customers"}},
			{"lock", func() error { _, err := s.LockCustomer(ctx, bot.Telegram, "counted"); return err }, []string{"customers"}},
			{"enqueue", func() error {
				return s.Enqueue(ctx, []*bot.Message{{Channel: bot.Telegram, Recipient: c.UserID, Kind: bot.KindReply, Text: "hi"}})
			}, []string{"messages"}},
			{"enqueue two", func() error {
				return s.Enqueue(ctx, []*bot.Message{
					{Channel: bot.Telegram, Recipient: c.UserID, Kind: bot.KindReply, Text: "a"},
					{Channel: bot.Telegram, Recipient: c.UserID, Kind: bot.KindReply, Text: "b"},
				})
			}, []string{"messages", "messages"}},
			{"record inbound reply in a transaction", func() error {
				return s.InTx(ctx, func(tx bot.Repo) error { return tx.RecordInboundReply(ctx, "tg:counted", t0, []byte("hi")) })
			}, []string{"inbound"}},
			{"duplicate inbound reply", func() error {
				if err := s.RecordInboundReply(ctx, "tg:counted", t0, nil); !errors.Is(err, bot.ErrDuplicate) {
					return err
				}
				return nil
			}, []string{"inbound"}},
		} {
			tables = nil
			must(t, tc.run())
			if !slices.Equal(tables, tc.want) {
				t.Errorf("%s: statements on %q, want %q", tc.name, tables, tc.want)
			}
		}
		claimed := claim(t, s, "a", time.Now(), 3)
		if len(claimed) != 3 {
			t.Fatalf("claimed %d messages, want 3", len(claimed))
		}
		for i, settle := range []func(id int64) error{
			func(id int64) error { return s.MarkDelivered(ctx, "a", id, t0, "ext", "passive") },
			func(id int64) error { return s.MarkRetry(ctx, "a", id, 1, t0, "busy") },
			func(id int64) error { return s.MarkFailed(ctx, "a", id, t0, "gone") },
		} {
			tables = nil
			must(t, settle(claimed[i].ID))
			if !slices.Equal(tables, []string{"messages"}) {
				t.Errorf("settlement %d: statements on %q, want one on messages", i, tables)
			}
		}
	})
}

// TestLockReadsTheCustomerAsStored: the hand-written locking read gives
// the customer exactly as gorm's read of the same row does, times and
// NULLs included, and the settlements store what they are given.
func TestLockReadsTheCustomerAsStored(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		fresh := customer(t, s, "stored")
		byID, err := s.Customer(ctx, fresh.ID)
		must(t, err)
		if !reflect.DeepEqual(fresh, byID) || fresh.CreatedAt.IsZero() || fresh.Conversation != nil {
			t.Fatalf("new customer locked %+v, read %+v", fresh, byID)
		}
		c := fresh
		c.DisplayName, c.Name, c.Phone, c.Address, c.Lang = "小李", "Li Lei", "13800000000", "1 Road", "zh-CN"
		c.Unreachable, c.LastInboundAt, c.Conversation = true, t0, []byte(`{"state":"browsing"}`)
		must(t, s.UpdateCustomer(ctx, c))
		var lk bot.InboundLock
		must(t, s.InTx(ctx, func(tx bot.Repo) error {
			lk, err = tx.LockForInbound(ctx, bot.Telegram, "stored", "tg:stored", "")
			return err
		}))
		byID, err = s.Customer(ctx, c.ID)
		must(t, err)
		want := c
		want.LastInboundAt = ms(t0)
		if !reflect.DeepEqual(lk.Customer, want) || !reflect.DeepEqual(byID, want) {
			t.Fatalf("locked %+v\nread   %+v\nwant   %+v", lk.Customer, byID, want)
		}
		if lk.Held || lk.Waiting || lk.Seen || lk.Reply != nil {
			t.Fatalf("lock of a customer with nothing waiting = %+v", lk)
		}

		m := &bot.Message{Channel: bot.Telegram, Recipient: "stored", Kind: bot.KindReply, Text: "hi"}
		must(t, s.Enqueue(ctx, []*bot.Message{m}))
		claim(t, s, "a", time.Now(), 1)
		must(t, s.MarkRetry(ctx, "a", m.ID, 2, t0.Add(time.Hour), "busy"))
		feed, err := s.Feed(ctx, bot.Telegram, "stored", 0, 10)
		must(t, err)
		got := feed[0]
		if got.ID != m.ID || !got.CreatedAt.Equal(m.CreatedAt) || got.Attempts != 2 ||
			!got.NextAt.Equal(ms(t0.Add(time.Hour))) || got.LastError != "busy" || got.LeasedTo != "" {
			t.Fatalf("after MarkRetry: %+v", got)
		}
		wantErr(t, s.MarkDelivered(ctx, "a", m.ID, t0, "ext", "passive"), bot.ErrLeaseLost)
	})
}

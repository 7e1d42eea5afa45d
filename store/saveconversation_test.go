package store_test

import (
	"context"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/crm"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestSaveConversation: a message's save writes the conversation and what
// goes with it, the display name only when asked, and never the contact
// details, on the identity's own row when the identity was merged.
func TestSaveConversation(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c, err := s.LockCustomer(ctx, bot.Telegram, "42")
		must(t, err)
		c.DisplayName, c.Name, c.Phone, c.Address = "Ming", "Wang Ming", "+86 13800138000", "1 Road"
		must(t, s.UpdateCustomer(ctx, c))

		step := c
		step.Name, step.Phone, step.Address, step.DisplayName = "stale", "stale", "stale", "New name"
		step.Conversation, step.Lang, step.Unreachable, step.LastInboundAt = []byte(`{"s":1}`), "en", false, t0
		must(t, s.SaveConversation(ctx, step, false))
		got, err := s.Customer(ctx, c.ID)
		must(t, err)
		if string(got.Conversation) != `{"s":1}` || got.Lang != "en" || !got.LastInboundAt.Equal(ms(t0)) {
			t.Fatalf("after the save: %+v", got)
		}
		if got.Name != c.Name || got.Phone != c.Phone || got.Address != c.Address || got.DisplayName != "Ming" {
			t.Fatalf("the save wrote what it was not asked to: %+v", got)
		}

		must(t, s.SaveConversation(ctx, step, true))
		if got, _ = s.Customer(ctx, c.ID); got.DisplayName != "New name" || got.Name != c.Name {
			t.Fatalf("after a save with a new name: %+v", got)
		}
		wantErr(t, s.SaveConversation(ctx, bot.Customer{ID: 999999}, false), bot.ErrNotFound)

		// Reached through an identity merged into it, the customer's own
		// conversation stays and the identity's is saved.
		other, err := s.LockCustomer(ctx, bot.WeChat, "o1")
		must(t, err)
		staff := bot.Staff{Channel: bot.WebChat, UserID: "alice", Name: "alice", Role: bot.Approver}
		must(t, crm.New(s, nil).Merge(ctx, staff, c.ID, other.ID))
		via, err := s.LockCustomer(ctx, bot.WeChat, "o1")
		must(t, err)
		if via.ID != c.ID || via.IdentityID != other.ID {
			t.Fatalf("merged identity = %+v", via)
		}
		via.Conversation = []byte(`{"s":2}`)
		must(t, s.SaveConversation(ctx, via, false))
		if got, _ := s.CustomerByUser(ctx, bot.WeChat, "o1"); string(got.Conversation) != `{"s":2}` {
			t.Fatalf("identity's conversation = %q", got.Conversation)
		}
		if got, _ := s.Customer(ctx, c.ID); string(got.Conversation) != `{"s":1}` {
			t.Fatalf("kept customer's conversation = %q", got.Conversation)
		}
	})
}

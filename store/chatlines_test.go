package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestChatLines(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		t0 := time.Date(2026, 11, 1, 8, 0, 0, 0, time.UTC)
		for i, l := range []bot.ChatLine{
			{UserID: "u1", ClientID: "a", Kind: "text", Text: "你好 🍵", At: t0, BeforeID: 7},
			{UserID: "u1", ClientID: "b", Kind: "button", Text: "Browse", At: t0.Add(time.Minute)},
			{UserID: "u1", ClientID: "b", Kind: "text", Text: "a retry", At: t0.Add(2 * time.Minute)},
			{UserID: "u2", ClientID: "a", Kind: "photo", At: t0.Add(3 * time.Minute)},
			{UserID: "u1", ClientID: "c", Kind: "text", Text: "latest", At: t0.AddDate(0, 0, 40)},
		} {
			if err := s.SaveChatLine(ctx, l); err != nil {
				t.Fatalf("line %d: %v", i, err)
			}
		}
		got, err := s.ChatLines(ctx, "u1", 2)
		must(t, err)
		if len(got) != 2 || got[0].Text != "Browse" || got[0].Kind != "button" || got[1].Text != "latest" {
			t.Fatalf("last 2 of u1: %+v", got)
		}
		all, err := s.ChatLines(ctx, "u1", 10)
		must(t, err)
		if len(all) != 3 || all[0].Text != "你好 🍵" || all[0].BeforeID != 7 || !all[0].At.Equal(t0) {
			t.Fatalf("u1, with a retry kept once: %+v", all)
		}

		// Pictures by message id, and gone with their messages.
		msg := &bot.Message{Channel: bot.WebChat, Recipient: "u1", Kind: bot.KindReply, Text: "Green tea"}
		must(t, s.Enqueue(ctx, []*bot.Message{msg}))
		must(t, s.SaveChatImages(ctx, map[int64]string{msg.ID: "https://x/tea.jpg", 999999: "https://x/gone.jpg"}))
		must(t, s.SaveChatImages(ctx, map[int64]string{msg.ID: "https://x/other.jpg"})) // kept as it was
		images, err := s.ChatImages(ctx, []int64{msg.ID, 999999, 5})
		must(t, err)
		if len(images) != 2 || images[msg.ID] != "https://x/tea.jpg" {
			t.Fatalf("images %v", images)
		}

		n, err := s.PruneChatHistory(ctx, t0.AddDate(0, 0, 30))
		must(t, err)
		if n != 3+1 {
			t.Errorf("pruned %d rows, want 3 lines and the orphan picture", n)
		}
		if left, _ := s.ChatLines(ctx, "u1", 10); len(left) != 1 || left[0].Text != "latest" {
			t.Errorf("after pruning: %+v", left)
		}
		if images, _ := s.ChatImages(ctx, []int64{msg.ID, 999999}); len(images) != 1 || images[msg.ID] == "" {
			t.Errorf("pictures after pruning: %v", images)
		}
	})
}

// A step that queries through its DDL handle (ddl.Model(...).Count, as a
// seeding step does) must not leave its table to the next step: on MySQL
// migration 12 then looked at schema_migrations instead of products and
// chat_lines, found them "there" and added nothing.
func TestMigrationAfterADataStep(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		s, err := store.Open(ctx, storetest.EmptyDSN(t, backend), storetest.Logger(t))
		must(t, err)
		defer s.Close()
		must(t, store.MigrateWithDataStepBefore(ctx, s, 12))
		must(t, s.UpsertProducts(ctx, []bot.Product{{SKU: "T", Name: "Tea", CategoryZH: "茶", DescriptionZH: "绿茶", Price: 1, Active: true}}))
		p, err := s.Product(ctx, "T")
		must(t, err)
		if p.CategoryZH != "茶" || p.DescriptionZH != "绿茶" {
			t.Fatalf("product %+v", p)
		}
		must(t, s.SaveChatLine(ctx, bot.ChatLine{UserID: "u", ClientID: "c", Kind: "text", Text: "你好", At: time.Now()}))
	})
}

package store_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// A prompt is found by the message it was posted as, used by one answer
// (and that answer's retries) only, and not after it expired.
func TestStaffPrompts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		p := bot.StaffPrompt{Channel: bot.Telegram, Message: "-100:7", UserID: "777", Ref: "order:3",
			Action: "reject", Input: "reason", Version: 2, CreatedAt: t0, ExpiresAt: t0.Add(15 * time.Minute)}
		must(t, s.SavePrompt(ctx, p))
		wantErr(t, s.SavePrompt(ctx, p), bot.ErrDuplicate)
		_, err := s.Prompt(ctx, bot.Telegram, "-100:8")
		wantErr(t, err, bot.ErrNotFound)
		_, err = s.Prompt(ctx, bot.Slack, "-100:7")
		wantErr(t, err, bot.ErrNotFound)
		got, err := s.Prompt(ctx, bot.Telegram, "-100:7")
		must(t, err)
		want := p
		want.CreatedAt, want.ExpiresAt = ms(t0), ms(p.ExpiresAt)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("Prompt = %+v, want %+v", got, want)
		}

		now := t0.Add(time.Minute)
		wantErr(t, s.UsePrompt(ctx, bot.Telegram, "-100:8", "telegram:1", now), bot.ErrNotFound)
		must(t, s.UsePrompt(ctx, bot.Telegram, "-100:7", "telegram:1", now))
		must(t, s.UsePrompt(ctx, bot.Telegram, "-100:7", "telegram:1", now)) // the same answer, retried
		wantErr(t, s.UsePrompt(ctx, bot.Telegram, "-100:7", "telegram:2", now), bot.ErrConflict)
		if got, _ := s.Prompt(ctx, bot.Telegram, "-100:7"); got.UsedBy != "telegram:1" {
			t.Fatalf("used by %q", got.UsedBy)
		}

		p.Message = "-100:9"
		must(t, s.SavePrompt(ctx, p))
		wantErr(t, s.UsePrompt(ctx, bot.Telegram, "-100:9", "telegram:3", p.ExpiresAt), bot.ErrInvalid)

		// Saving a prompt a day later clears the ones long expired.
		p.Message, p.CreatedAt, p.ExpiresAt = "-100:10", t0.Add(48*time.Hour), t0.Add(49*time.Hour)
		must(t, s.SavePrompt(ctx, p))
		_, err = s.Prompt(ctx, bot.Telegram, "-100:9")
		wantErr(t, err, bot.ErrNotFound)
	})
}

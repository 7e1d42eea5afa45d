package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestReportClaims(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		now := time.Date(2026, 3, 11, 1, 0, 0, 0, time.UTC)
		lease := now.Add(10 * time.Minute)
		claim := func(day, ch, owner string, at time.Time) bool {
			t.Helper()
			ok, err := s.ClaimReport(ctx, day, ch, owner, at, at.Add(10*time.Minute))
			must(t, err)
			return ok
		}
		if last, err := s.LastReportDay(ctx, "slack"); err != nil || last != "" {
			t.Fatalf("last day of nothing = %q, %v", last, err)
		}
		if !claim("2026-03-10", "slack", "a", now) || claim("2026-03-10", "slack", "b", now) {
			t.Fatal("want the first claim to win and the second to lose")
		}
		if !claim("2026-03-10", "telegram", "b", now) {
			t.Error("each channel is claimed on its own")
		}
		// a's lease runs out before it posts: b takes over, and a's late
		// mark does not count.
		if !claim("2026-03-10", "slack", "b", lease.Add(time.Second)) {
			t.Fatal("an expired lease is not taken over")
		}
		must(t, s.ReportPosted(ctx, "2026-03-10", "slack", "a", lease))
		open, err := s.UnpostedReportDays(ctx, "slack", "2026-03-01")
		must(t, err)
		if fmt.Sprint(open) != "[2026-03-10]" {
			t.Errorf("unposted = %v, want a's late mark ignored", open)
		}
		must(t, s.ReportPosted(ctx, "2026-03-10", "slack", "b", lease))
		if claim("2026-03-10", "slack", "c", lease.Add(time.Hour)) {
			t.Error("a posted report was claimed again")
		}
		// A failure keeps the day open until retryAt.
		must(t, s.ReportFailed(ctx, "2026-03-10", "telegram", "b", "platform down", now.Add(5*time.Minute)))
		if claim("2026-03-10", "telegram", "c", now.Add(4*time.Minute)) || !claim("2026-03-10", "telegram", "c", now.Add(6*time.Minute)) {
			t.Error("a failed report is retried only after its retry time")
		}
		open, err = s.UnpostedReportDays(ctx, "telegram", "2026-03-01")
		must(t, err)
		last, err := s.LastReportDay(ctx, "slack")
		must(t, err)
		if fmt.Sprint(open) != "[2026-03-10]" || last != "2026-03-10" {
			t.Errorf("unposted telegram = %v, last slack = %q", open, last)
		}
	})
}

package privacy_test

import (
	"context"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/privacy"
)

// TestRetentionDeletesSilentCustomersWhoNeverOrdered: after the retention
// period, a customer who never ordered goes with their messages; one who
// ordered and one who wrote lately stay. One run an hour, across replicas.
func TestRetentionDeletesSilentCustomersWhoNeverOrdered(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *shop) {
		ctx := context.Background()
		s.say("browser-1", "menu")
		s.say("browser-1", handoffText)
		buyer, _ := s.journey(userID)
		s.clock.Add(privacy.DefaultRetention - time.Hour)
		s.say("recent-1", "menu")
		s.clock.Add(2 * time.Hour)

		browser, err := s.st.CustomerByUser(ctx, bot.WebChat, "browser-1")
		must(t, err)
		replicas := []*privacy.Service{s.privacy, privacy.New(s.st, s.svc, quietLog(), privacy.Options{Clock: s.clock.Now})}
		ran := 0
		for _, p := range replicas {
			did, err := p.RetireIfDue(ctx, s.svc)
			must(t, err)
			if did {
				ran++
			}
		}
		if ran != 1 {
			t.Fatalf("%d replicas ran the hour's retention, want 1", ran)
		}

		if _, err := s.st.Customer(ctx, browser.ID); !errors.Is(err, bot.ErrNotFound) {
			t.Fatalf("silent customer who never ordered: %v", err)
		}
		if feed, err := s.st.Feed(ctx, bot.WebChat, "browser-1", 0, 0); err != nil || len(feed) != 0 {
			t.Fatalf("their messages: %d, %v", len(feed), err)
		}
		for _, user := range []string{userID, "recent-1"} {
			if _, err := s.st.CustomerByUser(ctx, bot.WebChat, user); err != nil {
				t.Fatalf("%s was deleted: %v", user, err)
			}
		}
		audit, err := s.st.Audit(ctx, "customer", strconv.FormatInt(browser.ID, 10))
		must(t, err)
		if len(audit) != 1 || audit[0].Action != "retention delete" {
			t.Fatalf("audit of the deleted customer: %+v", audit)
		}
		if _, err := s.st.Customer(ctx, buyer.ID); err != nil {
			t.Fatalf("customer who ordered: %v", err)
		}
	})
}

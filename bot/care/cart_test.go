package care_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/care"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// reminders are the cart reminders queued to a customer.
func (s *shop) reminders(user string) []*bot.Message {
	var out []*bot.Message
	for _, m := range s.feed(user) {
		if m.Kind == bot.KindNotice && strings.Contains(m.Text, "cart") {
			out = append(out, m)
		}
	}
	return out
}

func TestCartReminderOncePerCartOnlyOptedIn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShopWith(t, st, care.Config{CartReminder: 24 * time.Hour})
		run := func() int {
			t.Helper()
			n, err := s.care.SendCartReminders(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		for _, u := range []string{"in", "out", "gone", "ordered"} {
			s.order(u)
			if u == "out" {
				s.press(u, "consent_no")
			} else {
				s.press(u, "consent_yes")
			}
		}
		s.clock.Add(time.Minute)
		s.fillCart("in", 2)
		s.fillCart("out", 1)
		s.fillCart("gone", 1)
		s.say("gone", "unsubscribe")
		s.say("ordered", "hello") // opted in, nothing in the cart
		s.clock.Add(23 * time.Hour)
		if n := run(); n != 0 {
			t.Fatalf("%d reminders before the cart was left a day", n)
		}
		s.clock.Add(time.Hour)
		if n := run(); n != 1 {
			t.Fatalf("%d reminders, want the one opted-in customer with a cart", n)
		}
		if n := run(); n != 0 {
			t.Fatalf("a second run sent %d", n)
		}
		rs := s.reminders("in")
		if len(rs) != 1 || !strings.Contains(rs[0].Text, "2 items") || !strings.Contains(rs[0].Text, "unsubscribe") {
			t.Fatalf("reminders %+v", rs)
		}
		for _, u := range []string{"out", "gone", "ordered"} {
			if len(s.reminders(u)) != 0 {
				t.Fatalf("%s was reminded", u)
			}
		}
		// Back, and gone again: a new reminder for the cart left again.
		s.say("in", "menu")
		s.clock.Add(25 * time.Hour)
		if n := run(); n != 1 {
			t.Fatalf("%d reminders after the cart was left again", n)
		}
	})
}

package care_test

import (
	"context"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/bot/care"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestConsentAskedOnceAndChangedByWords(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st, 0)
		ctx := context.Background()
		reply, _ := s.order("u1")
		if !strings.Contains(reply, "offers and new arrivals") {
			t.Fatalf("first order did not ask about promotions: %q", reply)
		}
		if got := s.press("u1", "consent_yes"); !strings.Contains(got, "You're subscribed") {
			t.Fatalf("yes answered %q", got)
		}
		c, err := care.ConsentOf(ctx, st, s.customerID("u1"))
		if err != nil || !c.Granted || c.Channel != "webchat" || !c.At.Equal(s.clock.Now()) {
			t.Fatalf("consent %+v, %v", c, err)
		}
		if reply, _ := s.order("u1"); strings.Contains(reply, "offers and new arrivals") {
			t.Fatalf("second order asked again: %q", reply)
		}
		s.clock.Add(3600e9)
		if got := s.say("u1", "退订"); !strings.Contains(got, "You're unsubscribed") {
			t.Fatalf("退订 answered %q", got)
		}
		if c, _ = care.ConsentOf(ctx, st, s.customerID("u1")); c.Granted || !c.At.Equal(s.clock.Now()) {
			t.Fatalf("after 退订: %+v", c)
		}
		s.say("u1", "中文")
		if got := s.say("u1", "订阅"); !strings.Contains(got, "订阅成功") {
			t.Fatalf("subscribe answered %q", got)
		}
		events, err := st.ConsentHistory(ctx, s.customerID("u1"))
		if err != nil || len(events) != 3 || !events[0].Granted || events[1].Granted || !events[2].Granted {
			t.Fatalf("history %+v, %v", events, err)
		}
		// A customer who never ordered has not consented.
		s.say("u2", "hello")
		if c, _ = care.ConsentOf(ctx, st, s.customerID("u2")); c.Granted {
			t.Fatalf("u2 %+v", c)
		}
	})
}

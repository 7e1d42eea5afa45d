package care_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/care"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func (s *shop) sendFollowUps() int {
	s.t.Helper()
	n, err := s.care.SendFollowUps(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

// complete takes an order from pending to completed.
func (s *shop) complete(o *bot.Order) {
	s.t.Helper()
	s.deliver(o)
	cur := s.load(o.Number)
	if _, err := s.act(agent, fmt.Sprintf("order:%d", o.ID), bot.ActComplete, cur.Version); err != nil {
		s.t.Fatal(err)
	}
}

// visits are the follow-up visits queued to a customer.
func (s *shop) visits(user, text string) int {
	n := 0
	for _, m := range s.feed(user) {
		if m.Kind == bot.KindNotice && strings.Contains(m.Text, text) {
			n++
		}
	}
	return n
}

func TestFollowUpRuleForItsTierOnly(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st, 0)
		ctx := context.Background()
		rule := care.FollowUpRule{Name: "gold-week", Days: 7, Tier: "gold", TextZH: "您的茶叶喝着还好吗？", TextEN: "How is your tea?"}
		tiers := []string{"regular", "silver", "gold"}
		for _, bad := range []care.FollowUpRule{
			{Name: "", Days: 7, TextZH: "x", TextEN: "y"},
			{Name: "a", Days: 0, TextZH: "x", TextEN: "y"},
			{Name: "a", Days: 7, Tier: "platinum", TextZH: "x", TextEN: "y"},
			{Name: "a", Days: 7, TextZH: "x"},
		} {
			if err := s.care.SetFollowUpRules(ctx, admin, []care.FollowUpRule{bad}, tiers); !errors.Is(err, bot.ErrInvalid) {
				t.Fatalf("rule %+v: %v", bad, err)
			}
		}
		if err := s.care.SetFollowUpRules(ctx, agent, []care.FollowUpRule{rule}, tiers); !errors.Is(err, bot.ErrForbidden) {
			t.Fatalf("agent set rules: %v", err)
		}
		if err := s.care.SetFollowUpRules(ctx, admin, []care.FollowUpRule{rule}, tiers); err != nil {
			t.Fatal(err)
		}
		_, gold := s.order("gold")
		s.press("gold", "consent_no")
		if err := s.tiers.Pin(ctx, approver, gold.CustomerID, "gold"); err != nil {
			t.Fatal(err)
		}
		_, plain := s.order("plain")
		s.press("plain", "consent_no")
		s.complete(gold)
		s.complete(plain)
		s.clock.Add(6 * 24 * time.Hour)
		if n := s.sendFollowUps(); n != 0 {
			t.Fatalf("%d visits before the rule's days", n)
		}
		s.clock.Add(24 * time.Hour)
		if n := s.sendFollowUps(); n != 1 {
			t.Fatalf("%d visits, want the gold customer's", n)
		}
		if n := s.sendFollowUps(); n != 0 {
			t.Fatalf("second run sent %d", n)
		}
		if s.visits("gold", "How is your tea?") != 1 || s.visits("plain", "How is your tea?") != 0 {
			t.Fatal("visits went to the wrong customers")
		}
		if got := s.say("gold", "Lovely, thanks"); !strings.Contains(got, "passed it on") {
			t.Fatalf("answer: %q", got)
		}
		fs, err := st.FollowUpsOfCustomer(ctx, gold.CustomerID, 10)
		if err != nil || len(fs) != 1 || fs[0].Answer != "Lovely, thanks" || fs[0].OrderNumber != gold.Number {
			t.Fatalf("follow-ups %+v, %v", fs, err)
		}
		// The conversation has the customer back.
		if got := s.say("gold", "menu"); strings.Contains(got, "passed it on") {
			t.Fatalf("menu answered %q", got)
		}
	})
}

func TestFollowUpScheduledByStaff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st, 0)
		ctx := context.Background()
		s.say("u1", "中文")
		id := s.customerID("u1")
		at := s.clock.Now().Add(time.Hour)
		if _, err := s.care.ScheduleFollowUp(ctx, agent, id, "上次的问题解决了吗？", "Is it sorted?", s.clock.Now().Add(-time.Hour)); !errors.Is(err, bot.ErrInvalid) {
			t.Fatalf("past time: %v", err)
		}
		if _, err := s.care.ScheduleFollowUp(ctx, agent, id, "", "Is it sorted?", at); !errors.Is(err, bot.ErrInvalid) {
			t.Fatalf("no Chinese text: %v", err)
		}
		if _, err := s.care.ScheduleFollowUp(ctx, agent, id, "上次的问题解决了吗？", "Is it sorted?", at); err != nil {
			t.Fatal(err)
		}
		if n := s.sendFollowUps(); n != 0 {
			t.Fatalf("%d sent before its time", n)
		}
		s.clock.Add(time.Hour)
		if n := s.sendFollowUps(); n != 1 {
			t.Fatalf("%d sent at its time", n)
		}
		if n := s.sendFollowUps(); n != 0 {
			t.Fatalf("%d sent again", n)
		}
		if s.visits("u1", "上次的问题解决了吗？") != 1 {
			t.Fatal("no visit in Chinese")
		}
		if got := s.say("u1", "解决了，谢谢"); !strings.Contains(got, "已转达") {
			t.Fatalf("answer: %q", got)
		}
	})
}

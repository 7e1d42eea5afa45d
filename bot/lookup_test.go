package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// A customer with 25 orders can look up and cancel the oldest ones by
// number, not only the 20 newest; another customer still cannot.
func TestOldOrdersCanBeFoundByNumber(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		var numbers []string
		for range 25 {
			numbers = append(numbers, s.order("u1", "TEA", 1))
		}
		// The 21st newest, and the oldest.
		for _, n := range []string{numbers[4], numbers[0]} {
			reply := texts(s.say("u1", "order "+n))
			if strings.Contains(reply, "no order") || !strings.Contains(reply, "Order "+n) {
				t.Fatalf("looking up old order %s: %q", n, reply)
			}
		}
		if reply := texts(s.say("u1", "cancel "+numbers[4])); !strings.Contains(reply, numbers[4]) || strings.Contains(reply, "no order") {
			t.Fatalf("cancel of old order %s: %q", numbers[4], reply)
		}
		if reply := texts(s.press("u1", "yes")); !strings.Contains(reply, "Order "+numbers[4]+" has been cancelled") {
			t.Fatalf("confirming the cancel of %s: %q", numbers[4], reply)
		}
		if o := s.orderByNumber(numbers[4]); o.Status != bot.Cancelled {
			t.Fatalf("old order %s is %s after the cancel", numbers[4], o.Status)
		}

		if reply := texts(s.say("u2", "order "+numbers[0])); !strings.Contains(reply, "no order "+numbers[0]) {
			t.Fatalf("another customer looked up %s: %q", numbers[0], reply)
		}
		s.say("u2", "cancel "+numbers[0])
		s.press("u2", "yes")
		if o := s.orderByNumber(numbers[0]); o.Status != bot.Pending {
			t.Fatalf("another customer changed %s: %s", numbers[0], o.Status)
		}
	})
}

// An approval's note (where to send the goods) reaches the customer, and a
// request is looked up by its S number after it is closed; another
// customer's request number finds nothing.
func TestRequestNoteAndLookupByNumber(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		ctx := context.Background()
		o := s.orderByNumber(s.order("u1", "POT", 1))
		for _, act := range []string{bot.ActApprove, bot.ActShip} {
			if _, err := s.act("bob", fmt.Sprintf("order:%d", o.ID), act, o.Version, "SF", "SF1"); err != nil {
				t.Fatal(err)
			}
			o = s.orderByNumber(o.Number)
		}
		s.say("u1", "after-sales "+o.Number)
		s.press("u1", "type:return")
		s.say("u1", "Wrong colour")
		s.press("u1", "done")
		s.press("u1", "submit")
		reqs, err := st.AfterSalesByOrder(ctx, o.ID)
		if err != nil || len(reqs) != 1 {
			t.Fatalf("requests %+v, %v", reqs, err)
		}
		r := reqs[0]
		cards, err := s.svc.OpenWork(ctx)
		must(t, err)
		var withNote bool
		for _, c := range cards {
			for _, a := range c.Actions {
				withNote = withNote || (c.Ref == fmt.Sprintf("after_sales:%d", r.ID) && a.ID == bot.ActApproveNote && a.Input == "note")
			}
		}
		if !withNote {
			t.Fatalf("the request's card offers no approval with a note: %+v", cards)
		}
		ref := fmt.Sprintf("after_sales:%d", r.ID)
		if _, err := s.act("bob", ref, bot.ActApproveNote, r.Version, "  "); !errors.Is(err, bot.ErrInvalid) {
			t.Fatalf("approval with an empty note: %v", err)
		}
		if _, err := s.act("ann", ref, bot.ActApproveNote, r.Version, "x"); !errors.Is(err, bot.ErrForbidden) {
			t.Fatalf("an agent approved with a note: %v", err)
		}
		note := "Send it to 1 Tea Street, Hangzhou"
		if _, err := s.act("bob", ref, bot.ActApproveNote, r.Version, note); err != nil {
			t.Fatal(err)
		}
		if told := texts(s.feed("u1")); !strings.Contains(told, note) {
			t.Fatalf("the approval's note did not reach the customer: %q", told)
		}
		r, _ = st.AfterSales(ctx, r.ID)
		if _, err := s.act("bob", fmt.Sprintf("after_sales:%d", r.ID), bot.ActResolve, r.Version); err != nil {
			t.Fatal(err)
		}

		reply := texts(s.say("u1", "order "+strings.ToLower(r.Number)))
		for _, want := range []string{"Order " + o.Number, r.Number + ": resolved", note} {
			if !strings.Contains(reply, want) {
				t.Fatalf("lookup of %s lacks %q: %q", r.Number, want, reply)
			}
		}
		if reply := texts(s.say("u2", "order "+r.Number)); strings.Contains(reply, "Order "+o.Number) || !strings.Contains(reply, "no after-sales request "+r.Number+" among yours") {
			t.Fatalf("another customer looked up %s: %q", r.Number, reply)
		}
	})
}

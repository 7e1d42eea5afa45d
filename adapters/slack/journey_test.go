package slack

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// An order placed in the web chat is approved, shipped and delivered
// entirely from its Slack card, and the customer hears of each step.
func TestOrderApprovedShippedDeliveredFromSlack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st)
		n := e.order("cust1", "TEA", 2)
		e.deliver()

		posts := e.slack.called("chat.postMessage")
		if len(posts) != 1 {
			t.Fatalf("want one card posted, got %d", len(posts))
		}
		card := posts[0]
		o := e.orderByNumber(n)
		if card.Channel != staffChannel || !strings.Contains(card.header(), n) {
			t.Fatalf("card in %s titled %q", card.Channel, card.header())
		}
		for _, want := range []string{"Li Lei", "88 Wensan Road", "76.00", "Green tea"} {
			if !strings.Contains(card.allText(), want) {
				t.Errorf("card lacks %q:\n%s", want, card.allText())
			}
		}
		btn := card.buttons(t)
		wantValue := fmt.Sprintf("order:%d|%d", o.ID, o.Version)
		if btn["approve"].Value != wantValue || btn["approve"].Style != "primary" || btn["reject"].Style != "danger" ||
			!strings.HasPrefix(btn["reject"].Value, wantValue+"|") {
			t.Fatalf("buttons %+v, want approve %s", btn, wantValue)
		}

		// Approve.
		if r := e.press("U1", card, "approve"); r.status != http.StatusOK || r.body != "" {
			t.Fatalf("press: %d %q", r.status, r.body)
		}
		e.deliver()
		o = e.orderByNumber(n)
		if o.Status != bot.Confirmed || o.History[len(o.History)-1].Actor != "alice (slack)" {
			t.Fatalf("after approve: %s by %s", o.Status, o.History[len(o.History)-1].Actor)
		}
		upd := e.slack.last(t, "chat.update")
		if upd.Channel != card.Channel || upd.TS != card.TS {
			t.Fatalf("update went to %s:%s, card is %s:%s", upd.Channel, upd.TS, card.Channel, card.TS)
		}
		if b := upd.buttons(t); len(b) != 1 || b["ship"].Value == "" {
			t.Fatalf("confirmed card buttons %+v", b)
		}
		if !strings.Contains(upd.allText(), "Approved by alice (Slack)") {
			t.Fatalf("confirmed card status:\n%s", upd.allText())
		}
		if got := e.notices("cust1"); len(got) != 1 || got[0].Notice.Kind != conversation.OrderConfirmed || got[0].Notice.OrderNumber != n {
			t.Fatalf("customer notices %+v", got)
		}

		// Ship: the button opens a form, the form's submission ships.
		e.press("U1", upd, "ship")
		e.a.Wait()
		open := e.slack.last(t, "views.open")
		if open.TriggerID != "trigger-U1-ship" || open.View.CallbackID != formCallback || len(open.View.Blocks) < 2 {
			t.Fatalf("form %+v", open)
		}
		if e.orderByNumber(n).Status != bot.Confirmed {
			t.Fatal("opening the form changed the order")
		}
		r := e.submit("U1", map[string]string{"carrier": "SF Express", "tracking": "  "})
		if r.status != http.StatusOK || !strings.Contains(r.body, `"response_action":"errors"`) || !strings.Contains(r.body, `"tracking"`) {
			t.Fatalf("incomplete form answered %d %s", r.status, r.body)
		}
		if r := e.submit("U1", map[string]string{"carrier": "SF Express", "tracking": "SF123456"}); r.status != http.StatusOK || r.body != "" {
			t.Fatalf("form answered %d %q", r.status, r.body)
		}
		e.deliver()
		if o := e.orderByNumber(n); o.Status != bot.Shipped || o.Tracking != "SF123456" || o.Carrier != "SF Express" {
			t.Fatalf("after ship: %+v", o)
		}
		upd = e.slack.last(t, "chat.update")
		if b := upd.buttons(t); len(b) != 1 || b["deliver"].Value == "" || !strings.Contains(upd.allText(), "SF123456") {
			t.Fatalf("shipped card %+v\n%s", b, upd.allText())
		}
		if got := e.notices("cust1"); len(got) != 2 || got[1].Notice.Kind != conversation.OrderShipped || got[1].Notice.Tracking != "SF123456" {
			t.Fatalf("customer notices %+v", got)
		}

		// Deliver.
		e.press("U3", upd, "deliver") // an agent may
		e.deliver()
		if o := e.orderByNumber(n); o.Status != bot.Delivered {
			t.Fatalf("after deliver: %s", o.Status)
		}
		if got := e.notices("cust1"); len(got) != 3 || got[2].Notice.Kind != conversation.OrderDelivered {
			t.Fatalf("customer notices %+v", got)
		}
		if len(e.slack.called("chat.postMessage")) != 1 || len(e.slack.called("chat.postEphemeral")) != 0 {
			t.Fatalf("extra posts: %d messages, %d ephemerals", len(e.slack.called("chat.postMessage")), len(e.slack.called("chat.postEphemeral")))
		}
	})
}

func TestRejectThroughFormTellsCustomerTheReason(t *testing.T) {
	e := newSQLiteEnv(t)
	n := e.order("cust1", "TEA", 1)
	e.deliver()
	card := e.cardOf(n)
	e.press("U2", card, "reject")
	e.a.Wait()
	if open := e.slack.last(t, "views.open"); !strings.HasPrefix(open.View.PrivateMetadata, card.buttons(t)["approve"].Value+"|reject|"+staffChannel+"|"+card.TS) {
		t.Fatalf("form metadata %q", open.View.PrivateMetadata)
	}
	if r := e.submit("U2", map[string]string{"reason": ""}); !strings.Contains(r.body, `"reason"`) {
		t.Fatalf("empty reason answered %q", r.body)
	}
	e.a.Wait()
	if e.orderByNumber(n).Status != bot.Pending {
		t.Fatal("an empty reason rejected the order")
	}
	e.submit("U2", map[string]string{"reason": "Out of stock until May"})
	e.deliver()
	if o := e.orderByNumber(n); o.Status != bot.Rejected || o.RejectReason != "Out of stock until May" {
		t.Fatalf("after reject: %s %q", o.Status, o.RejectReason)
	}
	got := e.notices("cust1")
	if len(got) != 1 || got[0].Notice.Kind != conversation.OrderRejected || !strings.Contains(got[0].Text, "Out of stock until May") {
		t.Fatalf("customer notices %+v", got)
	}
	upd := e.slack.last(t, "chat.update")
	if len(upd.buttons(t)) != 0 || !strings.Contains(upd.allText(), "Rejected by bob (Slack)") {
		t.Fatalf("rejected card still has buttons or no status: %+v\n%s", upd.buttons(t), upd.allText())
	}
}

// Two approvers press Approve at once: one decision stands, the other is
// told privately who was first.
func TestDoublePressOneDecision(t *testing.T) {
	e := newSQLiteEnv(t)
	n := e.order("cust1", "TEA", 1)
	e.deliver()
	card := e.cardOf(n)
	var wg sync.WaitGroup
	for _, u := range []string{"U1", "U2"} {
		wg.Go(func() {
			if r := e.press(u, card, "approve"); r.status != http.StatusOK {
				t.Errorf("%s: %d", u, r.status)
			}
		})
	}
	wg.Wait()
	e.deliver()
	o := e.orderByNumber(n)
	approvals := 0
	for _, h := range o.History {
		if h.To == string(bot.Confirmed) {
			approvals++
		}
	}
	if o.Status != bot.Confirmed || approvals != 1 {
		t.Fatalf("status %s after %d approvals", o.Status, approvals)
	}
	winner, loser := "alice", "U2"
	if strings.HasPrefix(o.History[len(o.History)-1].Actor, "bob") {
		winner, loser = "bob", "U1"
	}
	eph := e.slack.called("chat.postEphemeral")
	if len(eph) != 1 || eph[0].User != loser || eph[0].Channel != staffChannel ||
		!strings.HasPrefix(eph[0].Text, "Already decided: Approved by "+winner+" (Slack) at ") {
		t.Fatalf("ephemerals %+v (winner %s)", eph, winner)
	}
	if len(e.notices("cust1")) != 1 || len(e.slack.called("chat.update")) != 1 {
		t.Fatalf("%d notices, %d card updates", len(e.notices("cust1")), len(e.slack.called("chat.update")))
	}
}

func TestPressWithoutTheRoleIsRefused(t *testing.T) {
	e := newSQLiteEnv(t)
	n := e.order("cust1", "TEA", 1)
	e.deliver()
	card := e.cardOf(n)
	e.press("U3", card, "approve") // an agent may not approve
	e.press("U9", card, "approve") // not staff at all
	e.press("U9", card, "reject")  // not staff: no form either
	e.deliver()
	if o := e.orderByNumber(n); o.Status != bot.Pending || len(o.History) != 1 {
		t.Fatalf("order changed: %s, %d changes", o.Status, len(o.History))
	}
	for user, want := range map[string]int{"U3": 1, "U9": 2} {
		eph := e.ephemerals(user)
		if len(eph) != want {
			t.Fatalf("%s got %d ephemerals, want %d", user, len(eph), want)
		}
		for _, m := range eph {
			if m.Text != "You don't have permission to do that." {
				t.Fatalf("%s told %q", user, m.Text)
			}
		}
	}
	if len(e.slack.called("views.open")) != 0 || len(e.slack.called("chat.update")) != 0 || len(e.notices("cust1")) != 0 {
		t.Fatal("a refused press had an effect")
	}
}

// A card shown at an older version is redrawn when pressed, and nothing
// else happens.
func TestStaleCardIsRefreshed(t *testing.T) {
	e := newSQLiteEnv(t)
	n := e.order("cust1", "TEA", 1)
	e.deliver()
	card := e.cardOf(n)
	o := e.orderByNumber(n)
	stale := fmt.Sprintf("order:%d|%d", o.ID, o.Version-1)
	e.signed("/slack/interactions", formType, pressPayload("U1", card, "approve", stale))
	e.a.Wait()
	if got := e.orderByNumber(n); got.Status != bot.Pending {
		t.Fatalf("stale press changed the order to %s", got.Status)
	}
	eph := e.ephemerals("U1")
	if len(eph) != 1 || eph[0].Text != "This card is out of date; it has been refreshed." {
		t.Fatalf("ephemerals %+v", eph)
	}
	upd := e.slack.last(t, "chat.update")
	if upd.TS != card.TS || upd.buttons(t)["approve"].Value != card.buttons(t)["approve"].Value {
		t.Fatalf("refresh %+v", upd)
	}
}

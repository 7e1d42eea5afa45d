package telegram

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// staffUsers adds Alice as an approver; Mallory is in the group but no staff.
func staffUsers(e *env) (alice, mallory *user) {
	e.addStaff(777, "Alice", bot.Approver)
	return &user{e: e, id: 777, first: "Alice", name: "alice"}, &user{e: e, id: 666, first: "Mallory"}
}

// rejectPrompt and shipPrompt are how prompts name an order (the staff
// language is Chinese by default).
func rejectPrompt(o *bot.Order) string { return "拒绝订单 " + o.Number + " 的原因是什么？" }
func shipPrompt(o *bot.Order) string {
	return "订单 " + o.Number + " 的快递公司和运单号是什么？"
}

// prompt waits for the newest prompt in the staff group whose text has
// this in it, e.g. "reject order:3?", and for it to be kept.
func (e *env) prompt(about string) apiCall {
	e.t.Helper()
	var p apiCall
	eventually(e.t, "a prompt about "+about, func() bool {
		sent := e.api.sentTo(staffChat)
		for i := len(sent) - 1; i >= 0; i-- {
			c := sent[i]
			if strings.Contains(c.Params.Get("text"), about) && strings.Contains(c.Params.Get("reply_markup"), "force_reply") && c.Status == http.StatusOK {
				_, err := e.st.Prompt(context.Background(), bot.Telegram, externalID(staffChat, c.MsgID))
				p = c
				return err == nil
			}
		}
		return false
	})
	return p
}

// reply answers the bot's prompt as u in the staff group.
func (u *user) reply(prompt apiCall, text string) *tgbotapi.Message {
	m := u.message(staffChat, text)
	m.ReplyToMessage = &tgbotapi.Message{MessageID: prompt.MsgID, Text: prompt.Params.Get("text"),
		From: &tgbotapi.User{ID: botID, IsBot: true, FirstName: "Shop"}, Chat: &tgbotapi.Chat{ID: staffChat, Type: "supergroup"}}
	u.e.deliver(tgbotapi.Update{Message: m})
	return m
}

// groupReply is the bot's answer in the staff group to message m.
func (e *env) groupReply(m *tgbotapi.Message) string {
	e.t.Helper()
	var text string
	eventually(e.t, "an answer in the staff group", func() bool {
		for _, c := range e.api.sentTo(staffChat) {
			if c.Params.Get("reply_to_message_id") == fmt.Sprint(m.MessageID) && c.Status == http.StatusOK {
				text = c.Params.Get("text")
				return true
			}
		}
		return false
	})
	return text
}

func TestStaffApproval(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, false)
		alice, mallory := staffUsers(e)
		c := e.customer(2020, "Wu")
		o := c.order(2)
		card := e.staffCard(o.Number)
		approve := fmt.Sprintf("a:approve:order:%d:%d", o.ID, o.Version)

		if note := e.answered(mallory.press(staffChat, approve)); note != e.ad.staff.notAllowed() {
			t.Fatalf("stranger's press answered %q", note)
		}
		if got := e.order(o.Number); got.Status != bot.Pending {
			t.Fatalf("a stranger changed the order: %s", got.Status)
		}

		told := strings.Count(e.textsTo(c.id), o.Number)
		if note := e.answered(alice.press(staffChat, approve)); note != "订单 "+o.Number+" 已批准。" {
			t.Fatalf("approval answered %q", note)
		}
		got := e.order(o.Number)
		if got.Status != bot.Confirmed || got.History[len(got.History)-1].Actor != "Alice (telegram)" {
			t.Fatalf("after approval: %s by %+v", got.Status, got.History)
		}
		edited, _ := e.api.message(staffChat, card.MsgID)
		ship := fmt.Sprintf("s:ship:order:%d:%d", o.ID, got.Version)
		if bs := inlineButtons(edited.markup); !strings.Contains(edited.text, "由 Alice（Telegram）于") || len(bs) != 1 || data(bs[0]) != ship {
			t.Fatalf("card not edited to show the decision: %q %s", edited.text, edited.markup)
		}
		if n := strings.Count(e.textsTo(staffChat), "订单 "+o.Number+" · "); n != 1 {
			t.Fatalf("the card was posted %d times, want once and then edited", n)
		}
		if strings.Count(e.textsTo(c.id), o.Number) <= told {
			t.Fatalf("the customer was not told of the confirmation: %q", e.lastText(c.id))
		}

		// The old button, pressed again, names who decided.
		if note := e.answered(alice.pressOn(staffChat, card.MsgID, approve)); !strings.HasPrefix(note, "已处理：由 Alice（Telegram）于") {
			t.Fatalf("second approval answered %q", note)
		}

		// Shipping asks for the carrier and tracking number.
		if note := e.answered(alice.press(staffChat, ship)); note != e.ad.staff.replyBelow() {
			t.Fatalf("ship press answered %q", note)
		}
		p := e.prompt(shipPrompt(o))
		var force tgbotapi.ForceReply
		jsonOf(t, p.Params.Get("reply_markup"), &force)
		if !force.ForceReply || !force.Selective || !strings.HasPrefix(p.Params.Get("text"), "@alice ") {
			t.Fatalf("prompt %v", p.Params)
		}
		m := alice.reply(p, "SF SF1234567890")
		if got := e.order(o.Number); got.Status != bot.Shipped || got.Carrier != "SF" || got.Tracking != "SF1234567890" {
			t.Fatalf("after shipping: %s %q %q", got.Status, got.Carrier, got.Tracking)
		}
		if note := e.groupReply(m); note != "订单 "+o.Number+" 已标记为已发货。" {
			t.Fatalf("staff told %q", note)
		}
		if !strings.Contains(e.textsTo(c.id), "SF1234567890") {
			t.Fatalf("the customer did not get the tracking number: %q", e.lastText(c.id))
		}
	})
}

func TestStaffRejectWithReason(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), true)
	alice, mallory := staffUsers(e)
	c := e.customer(3030, "Zhou")
	o := c.order(1)
	card := e.staffCard(o.Number)
	reject := fmt.Sprintf("r:reject:order:%d:%d", o.ID, o.Version)
	about := rejectPrompt(o)

	if note := e.answered(mallory.press(staffChat, reject)); note != e.ad.staff.notAllowed() {
		t.Fatalf("stranger's reject answered %q", note)
	}
	if strings.Contains(e.textsTo(staffChat), about) {
		t.Fatal("a stranger got a prompt")
	}
	e.answered(alice.press(staffChat, reject))
	p := e.prompt(about)

	// Replying to the prompt does not make a stranger staff.
	if note := e.groupReply(mallory.reply(p, "no reason")); note != e.ad.staff.promptNotYours() {
		t.Fatalf("stranger's reason answered %q", note)
	}
	if got := e.order(o.Number); got.Status != bot.Pending {
		t.Fatalf("a stranger rejected the order: %s", got.Status)
	}

	alice.reply(p, "Out of stock, sorry")
	got := e.order(o.Number)
	if got.Status != bot.Rejected || got.RejectReason != "Out of stock, sorry" {
		t.Fatalf("after reject: %s %q", got.Status, got.RejectReason)
	}
	if !strings.Contains(e.lastText(c.id), "Out of stock, sorry") {
		t.Fatalf("the customer was not told the reason: %q", e.lastText(c.id))
	}
	edited, _ := e.api.message(staffChat, card.MsgID)
	if !strings.Contains(edited.text, "由 Alice（Telegram）于") || edited.markup != `{"inline_keyboard":[]}` {
		t.Fatalf("decided card %q %s", edited.text, edited.markup)
	}
}

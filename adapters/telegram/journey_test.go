package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// A customer orders entirely through Telegram's controls, in both modes
// and on every store: buttons for choices, typed quantity and address, the
// phone shared from the account (polling) or typed (webhook).
func TestOrderJourney(t *testing.T) {
	for _, mode := range []string{"polling", "webhook"} {
		t.Run(mode, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				e := newEnv(t, st, mode == "webhook")
				c := e.customer(4242, "Lei")

				c.say("/start")
				menu := e.api.sentTo(c.id)
				if len(menu) == 0 {
					t.Fatal("no reply to /start")
				}
				last := menu[len(menu)-1]
				if bs := last.buttons(); len(bs) == 0 || !strings.HasPrefix(bs[0].Text, "1. ") {
					t.Fatalf("menu without numbered inline buttons: %s", last.Params.Get("reply_markup"))
				}

				var queries []string
				press := func(key string) { queries = append(queries, c.press(0, key)) }
				for _, k := range []string{"browse", "cat:Tea", "sku:TEA-1", "add"} {
					press(k)
				}
				c.say("2")
				press("checkout")
				c.say("Lei Li")
				if mode == "polling" {
					share := c.message(0, "")
					share.Contact = &tgbotapi.Contact{PhoneNumber: "8613800138000", FirstName: "Lei", UserID: c.id}
					e.deliver(tgbotapi.Update{Message: share})
				} else {
					c.say("13800138000")
				}
				c.say("88 Wensan Road, Hangzhou")
				press("confirm")

				o := e.placed(c)
				if o.Status != bot.Pending || len(o.Items) != 1 || o.Items[0].SKU != "TEA-1" || o.Items[0].Qty != 2 ||
					o.Contact.Phone != "13800138000" || o.Contact.Name != "Lei Li" {
					t.Fatalf("order %+v", o)
				}
				if n := len(e.pending()); n != 1 {
					t.Fatalf("%d pending orders, want 1", n)
				}
				for _, q := range queries {
					e.answered(q)
				}
				// A press costs no call besides its answer: the pressed
				// message keeps its buttons.
				if n := len(e.api.callsOf("editMessageReplyMarkup")); n != 0 {
					t.Fatalf("%d pressed messages edited", n)
				}
				card := e.staffCard(o.Number)
				want := fmt.Sprintf("a:approve:order:%d:%d", o.ID, o.Version)
				if bs := card.buttons(); len(bs) != 2 || data(bs[0]) != want || data(bs[1]) != fmt.Sprintf("r:reject:order:%d:%d", o.ID, o.Version) {
					t.Fatalf("staff card buttons %s, want %s and a reject", card.Params.Get("reply_markup"), want)
				}
				if card.Params.Get("parse_mode") != "HTML" {
					t.Fatalf("card parse mode %q", card.Params.Get("parse_mode"))
				}
			})
		})
	}
}

// Telegram delivers an update again when it did not see the answer: the
// second delivery changes nothing and sends nothing.
func TestReplayedUpdateHandledOnce(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), true)
	c := e.customer(5151, "Mei")
	c.say("/start")
	for _, k := range []string{"browse", "cat:Tea", "sku:TEA-1", "add"} {
		c.press(0, k)
	}
	c.say("1")
	c.press(0, "checkout")
	c.say("Mei Han")
	c.say("13900139000")
	c.say("1 Tea Road, Hangzhou")

	id, ok := e.api.withButton(c.id, "confirm")
	if !ok {
		t.Fatal("no confirm button")
	}
	u := tgbotapi.Update{UpdateID: e.api.newUpdateID(), CallbackQuery: &tgbotapi.CallbackQuery{
		ID: "cq-confirm", From: c.from(), Data: "confirm", ChatInstance: "ci",
		Message: &tgbotapi.Message{MessageID: id, Chat: &tgbotapi.Chat{ID: c.id, Type: "private"}},
	}}
	before := len(e.api.sentTo(c.id))
	e.deliver(u)
	e.deliver(u)

	if n := len(e.pending()); n != 1 {
		t.Fatalf("%d orders after a replayed confirm, want 1", n)
	}
	o := e.placed(c)
	told := 0
	for _, m := range e.api.sentTo(c.id)[before:] {
		if strings.Contains(m.Params.Get("text"), o.Number) {
			told++
		}
	}
	if told != 1 {
		t.Fatalf("the customer was told about order %s %d times, want 1", o.Number, told)
	}
	if n := len(e.api.sentTo(staffChat)); n != 1 {
		t.Fatalf("%d staff cards, want 1", n)
	}
}

// A button from an older message is answered with a short note, and the
// conversation shows the current options.
func TestStaleButton(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), false)
	c := e.customer(6161, "Bo")
	c.say("/start")
	c.press(0, "browse")
	categories, ok := e.api.withButton(c.id, "cat:Tea")
	if !ok {
		t.Fatal("no category buttons")
	}
	c.say("menu")
	q := c.pressOn(c.id, categories, "cat:Tea")
	if note := e.answered(q); note != "That button is no longer active." {
		t.Fatalf("stale press answered %q", note)
	}
	if !strings.Contains(e.lastText(c.id), "no longer active") {
		t.Fatalf("conversation said %q", e.lastText(c.id))
	}
	// A fresh press is answered without a note.
	if note := e.answered(c.press(0, "browse")); note != "" {
		t.Fatalf("fresh press answered %q", note)
	}
}

// After-sales with a photo: the largest size's file id is the media
// reference, and the staff card shows the photo.
func TestAfterSalesPhoto(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), false)
	e.addStaff(777, "Alice", bot.Approver)
	c := e.customer(7171, "Yu")
	o := c.order(1)
	ctx := context.Background()
	for _, a := range []bot.StaffAction{
		{Action: bot.ActApprove, Version: o.Version},
		{Action: bot.ActShip, Version: o.Version + 1, Carrier: "SF", Tracking: "SF100"},
	} {
		a.Channel, a.UserID, a.Ref = bot.Telegram, "777", fmt.Sprintf("order:%d", o.ID)
		if _, err := e.svc.HandleStaffAction(ctx, a); err != nil {
			t.Fatalf("%s: %v", a.Action, err)
		}
	}
	e.settle()

	c.say("/menu")
	c.press(0, "aftersales")
	c.press(0, "order:"+o.Number)
	c.press(0, "type:return")
	c.say("Wrong size")
	photo := c.message(0, "")
	photo.Photo = []tgbotapi.PhotoSize{
		{FileID: "photo-small", Width: 90, Height: 67},
		{FileID: "photo-large", Width: 1280, Height: 960},
		{FileID: "photo-medium", Width: 320, Height: 240},
	}
	e.deliver(tgbotapi.Update{Message: photo})
	c.press(0, "done")
	c.press(0, "submit")

	reqs, err := e.st.AfterSalesByOrder(ctx, o.ID)
	if err != nil || len(reqs) != 1 {
		t.Fatalf("after-sales %+v, %v", reqs, err)
	}
	if got := reqs[0].Media; len(got) != 1 || got[0] != "photo-large" {
		t.Fatalf("media %v, want [photo-large]", got)
	}
	eventually(t, "the photo under the staff card", func() bool {
		for _, p := range e.api.callsOf("sendPhoto") {
			if p.chat() == staffChat && p.Params.Get("photo") == "photo-large" {
				return true
			}
		}
		return false
	})
}

// A customer who blocked the bot is marked unreachable, and each message is
// tried once instead of retried for hours.
func TestBlockedUser(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), false)
	c := e.customer(8181, "Gone")
	e.api.fail("sendMessage", c.id, -1, http.StatusForbidden, "Forbidden: bot was blocked by the user", 0)
	c.say("/start")

	cust, err := e.st.CustomerByUser(context.Background(), bot.Telegram, "8181")
	if err != nil || !cust.Unreachable {
		t.Fatalf("customer %+v, %v: want unreachable", cust, err)
	}
	msgs := e.feed("8181")
	for _, m := range msgs {
		if m.FailedAt.IsZero() {
			t.Fatalf("message %d not given up: %+v", m.ID, m)
		}
	}
	time.Sleep(200 * time.Millisecond) // several dispatcher rounds
	if n := len(e.api.sentTo(c.id)); n != len(msgs) {
		t.Fatalf("%d sends for %d messages: a blocked chat was retried", n, len(msgs))
	}
}

// A 429 is honoured: the dispatcher does not try the message again before
// Telegram's retry_after has passed.
func TestFloodWaitHonoured(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), false)
	c := e.customer(9191, "Fast")
	e.api.fail("sendMessage", c.id, 1, http.StatusTooManyRequests, "Too Many Requests: retry after 1", 1)
	c.say("/start")

	sent := e.api.sentTo(c.id)
	first := sent[0]
	if first.Status != http.StatusTooManyRequests {
		t.Fatalf("first send answered %d", first.Status)
	}
	var again *apiCall
	for i := range sent[1:] {
		if sent[1+i].Params.Get("text") == first.Params.Get("text") {
			again = &sent[1+i]
		}
	}
	if again == nil || again.Status != http.StatusOK {
		t.Fatalf("the rate-limited message was not delivered later: %+v", sent)
	}
	if gap := again.At.Sub(first.At); gap < time.Second-5*time.Millisecond {
		t.Fatalf("sent again after %s, before retry_after (1s) passed", gap)
	}
	// A flood wait is not a failed attempt: the message keeps its attempts
	// and records why it waited.
	for _, m := range e.feed("9191") {
		if m.Text == first.Params.Get("text") && (m.Attempts != 0 || !strings.Contains(m.LastError, "retry after 1s")) {
			t.Fatalf("rate-limited message: %d attempts, last error %q", m.Attempts, m.LastError)
		}
	}
}

// Send maps Telegram's errors to what the dispatcher acts on.
func TestSendErrors(t *testing.T) {
	api := newFakeAPI(t)
	ad, err := New(context.Background(), nil, storetest.Logger(t), testConfig(api, storetest.SQLite(t)))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		status      int
		desc        string
		retryAfter  int
		wantWait    time.Duration
		unreachable bool
	}{
		{"flood wait", http.StatusTooManyRequests, "Too Many Requests: retry after 7", 7, 7 * time.Second, false},
		{"blocked", http.StatusForbidden, "Forbidden: bot was blocked by the user", 0, 0, true},
		{"deactivated", http.StatusForbidden, "Forbidden: user is deactivated", 0, 0, true},
		{"server error", http.StatusBadGateway, "Bad Gateway", 0, 0, false},
		{"bad request", http.StatusBadRequest, "Bad Request: chat not found", 0, 0, false},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A flood wait pauses the chat: each case has its own.
			chat := int64(31 + i)
			api.fail("sendMessage", chat, 1, tt.status, tt.desc, tt.retryAfter)
			msg := &bot.Message{Channel: bot.Telegram, Recipient: fmt.Sprint(chat), Kind: bot.KindReply, Text: "hello"}
			_, err := ad.Send(context.Background(), msg)
			var rl *bot.RateLimitError
			switch {
			case err == nil:
				t.Fatal("no error")
			case errors.As(err, &rl) != (tt.wantWait > 0):
				t.Fatalf("rate limit error: %v", err)
			case rl != nil && rl.RetryAfter != tt.wantWait:
				t.Fatalf("retry after %s, want %s", rl.RetryAfter, tt.wantWait)
			case errors.Is(err, bot.ErrUnreachable) != tt.unreachable:
				t.Fatalf("unreachable = %v for %v", !tt.unreachable, err)
			}
		})
	}
	msg := &bot.Message{Channel: bot.Telegram, Recipient: "32", Kind: bot.KindReply, Text: "hello"}
	ext, err := ad.Send(context.Background(), msg)
	if err != nil || !strings.HasPrefix(ext, "32:") {
		t.Fatalf("after the errors: %q, %v", ext, err)
	}
	// A transport error must not carry the token, which is in every URL.
	api.srv.Close()
	_, err = ad.Send(context.Background(), msg)
	if err == nil || strings.Contains(err.Error(), botToken) || strings.Contains(err.Error(), "TEST-token") {
		t.Fatalf("transport error %v", err)
	}
}

// After a 429 the chat is paused for retry_after on every path that sends
// to it: the next sends are refused at once with the time left, without
// calling Telegram, while other chats go on.
func TestFloodWaitPausesChat(t *testing.T) {
	api := newFakeAPI(t)
	ad, err := New(context.Background(), nil, storetest.Logger(t), testConfig(api, storetest.SQLite(t)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	card := &bot.Card{Ref: "order:1", Title: "Order 100001", Version: 1}
	api.fail("sendMessage", 61, 1, http.StatusTooManyRequests, "Too Many Requests: retry after 5", 5)
	api.fail("sendMessage", staffChat, 1, http.StatusTooManyRequests, "Too Many Requests: retry after 5", 5)
	for _, tt := range []struct {
		name string
		msg  *bot.Message
	}{
		{"reply", &bot.Message{Recipient: "61", Kind: bot.KindReply, Text: "one"}},
		{"another reply", &bot.Message{Recipient: "61", Kind: bot.KindReply, Text: "two"}},
		{"notice", &bot.Message{Recipient: "61", Kind: bot.KindNotice, Text: "three"}},
		{"card", &bot.Message{Recipient: bot.StaffRecipient, Kind: bot.KindCard, Card: card}},
		{"card edit", &bot.Message{Recipient: bot.StaffRecipient, Kind: bot.KindCard, Card: card, ExternalID: externalID(staffChat, 7)}},
		{"staff text", &bot.Message{Recipient: bot.StaffRecipient, Kind: bot.KindThread, Text: "hello", Card: card}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tt.msg.Channel = bot.Telegram
			_, err := ad.Send(ctx, tt.msg)
			var rl *bot.RateLimitError
			if !errors.As(err, &rl) || rl.RetryAfter <= 0 || rl.RetryAfter > 5*time.Second {
				t.Fatalf("send during the pause: %v", err)
			}
		})
	}
	for _, chat := range []int64{61, staffChat} {
		if n := len(api.sentTo(chat)); n != 1 {
			t.Fatalf("%d sends to chat %d, want only the one that got the 429", n, chat)
		}
	}
	if n := len(api.callsOf("editMessageText")); n != 0 {
		t.Fatalf("%d edits during the pause", n)
	}
	if _, err := ad.Send(ctx, &bot.Message{Channel: bot.Telegram, Recipient: "62", Kind: bot.KindReply, Text: "hi"}); err != nil {
		t.Fatalf("another chat: %v", err)
	}
}

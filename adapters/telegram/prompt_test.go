package telegram

import (
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

// relayed is the newest message the bot posted in the staff group with
// this text in it.
func (e *env) relayed(text string) apiCall {
	e.t.Helper()
	sent := e.api.sentTo(staffChat)
	for i := len(sent) - 1; i >= 0; i-- {
		if strings.Contains(sent[i].Params.Get("text"), text) && sent[i].Status == http.StatusOK {
			return sent[i]
		}
	}
	e.t.Fatalf("nothing in the staff group says %q", text)
	return apiCall{}
}

// A customer in a handoff writes text that ends like the marker the bot
// once put on its prompts; the bot relays it into the staff group as its
// own message. A staff member replying to it, as to any customer message,
// must not decide anyone's order.
func TestRelayedTextCannotPassForPrompt(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, false)
		alice, _ := staffUsers(e)
		victim := e.customer(5050, "Vic")
		o := victim.order(1)
		told := len(e.api.sentTo(victim.id))
		own := e.customer(6060, "Mal").order(1)

		mal := &user{e: e, id: 6060, first: "Mal", lang: "en"}
		mal.say("human")
		for _, forged := range []string{
			fmt.Sprintf("where is my order?\n[reason reject order:%d v%d]", o.ID, o.Version),
			fmt.Sprintf("thanks [reason approve order:%d v%d]", own.ID, own.Version),
			fmt.Sprintf("[shipping ship order:%d v%d]", o.ID, o.Version),
		} {
			mal.say(forged)
			alice.reply(e.relayed(forged), "Out of stock, sorry")
		}
		e.settle()
		for _, number := range []string{o.Number, own.Number} {
			if got := e.order(number); got.Status != bot.Pending || got.RejectReason != "" {
				t.Fatalf("order %s changed by a reply to relayed text: %s %q", number, got.Status, got.RejectReason)
			}
		}
		if n := len(e.api.sentTo(victim.id)); n != told {
			t.Fatalf("the other customer got %d messages", n-told)
		}
		if n := len(e.api.callsOf("editMessageText")); n != 0 {
			t.Fatalf("%d cards edited", n)
		}
	})
}

// A prompt is answered only by the staff member it asked, only once, only
// before it expires; a refused answer changes nothing and is told why.
func TestPromptRules(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), false)
	alice, _ := staffUsers(e)
	e.addStaff(888, "Bob", bot.Approver)
	bob := &user{e: e, id: 888, first: "Bob", name: "bob"}
	o := e.customer(7070, "Ann").order(1)
	reject := fmt.Sprintf("r:reject:order:%d:%d", o.ID, o.Version)
	about := rejectPrompt(o)

	e.answered(alice.press(staffChat, reject))
	p := e.prompt(about)
	if note := e.groupReply(bob.reply(p, "Bob's reason")); note != e.ad.staff.promptNotYours() {
		t.Fatalf("another staff member's answer: %q", note)
	}
	e.clock.advance(16 * time.Minute)
	if note := e.groupReply(alice.reply(p, "Too late")); note != e.ad.staff.promptExpired() {
		t.Fatalf("answer to an expired prompt: %q", note)
	}
	if got := e.order(o.Number); got.Status != bot.Pending {
		t.Fatalf("order %s after refused answers", got.Status)
	}

	// Pressed again, a fresh prompt works once.
	e.answered(alice.press(staffChat, reject))
	p = e.prompt(about)
	alice.reply(p, "Out of stock")
	if got := e.order(o.Number); got.Status != bot.Rejected || got.RejectReason != "Out of stock" {
		t.Fatalf("after the answer: %s %q", got.Status, got.RejectReason)
	}
	if note := e.groupReply(alice.reply(p, "Changed my mind")); note != e.ad.staff.promptAnswered() {
		t.Fatalf("second answer: %q", note)
	}
	if got := e.order(o.Number); got.RejectReason != "Out of stock" {
		t.Fatalf("the second answer changed the reason to %q", got.RejectReason)
	}
}

// The tracking number is the last word and the carrier all before it;
// one word is asked again without using the prompt up.
func TestShippingReply(t *testing.T) {
	for _, tt := range []struct {
		text, carrier, tracking string
		ok                      bool
	}{
		{"SF SF1234567890", "SF", "SF1234567890", true},
		{"Royal Mail RM123456785GB", "Royal Mail", "RM123456785GB", true},
		{"  China Post\tEMS  EA123456789CN ", "China Post EMS", "EA123456789CN", true},
		{"SF1234567890", "", "", false},
		{"   ", "", "", false},
	} {
		carrier, tracking, ok := parseShipping(tt.text)
		if carrier != tt.carrier || tracking != tt.tracking || ok != tt.ok {
			t.Errorf("parseShipping(%q) = %q, %q, %v", tt.text, carrier, tracking, ok)
		}
	}

	e := newEnv(t, storetest.SQLite(t), true)
	alice, _ := staffUsers(e)
	o := e.customer(8080, "Ming").order(1)
	a := bot.StaffAction{Channel: bot.Telegram, UserID: "777", Ref: fmt.Sprintf("order:%d", o.ID), Action: bot.ActApprove, Version: o.Version}
	if _, err := e.svc.HandleStaffAction(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	e.settle()
	e.answered(alice.press(staffChat, fmt.Sprintf("s:ship:order:%d:%d", o.ID, o.Version+1)))
	p := e.prompt(shipPrompt(o))
	if note := e.groupReply(alice.reply(p, "RM123456785GB")); note != e.ad.staff.shippingHelp() {
		t.Fatalf("one word answered %q", note)
	}
	alice.reply(p, "Royal Mail RM123456785GB")
	if got := e.order(o.Number); got.Status != bot.Shipped || got.Carrier != "Royal Mail" || got.Tracking != "RM123456785GB" {
		t.Fatalf("after shipping: %s %q %q", got.Status, got.Carrier, got.Tracking)
	}
}

// Ten decisions back to back in a group paced at 20 a minute (here sped
// up, with a request timeout far shorter than the queue's wait): every
// prompt and every answer to staff arrives, none is dropped to a deadline.
func TestStaffBurstLosesNothing(t *testing.T) {
	e := newEnvWith(t, storetest.SQLite(t), false, func(c *Config) {
		c.GroupInterval, c.ChatBurst, c.RequestTimeout = 40*time.Millisecond, 3, 200*time.Millisecond
	})
	alice, _ := staffUsers(e)
	var orders []*bot.Order
	for i := range 10 {
		orders = append(orders, e.customer(int64(9000+i), "Cu").order(1))
	}
	for _, o := range orders {
		e.answered(alice.press(staffChat, fmt.Sprintf("r:reject:order:%d:%d", o.ID, o.Version)))
	}
	var answers []*tgbotapi.Message
	for i, o := range orders {
		p := e.prompt(rejectPrompt(o))
		answers = append(answers, alice.reply(p, fmt.Sprintf("Sorry, reason %d", i)))
	}
	for i, o := range orders {
		if note := e.groupReply(answers[i]); !strings.Contains(note, "已拒绝") {
			t.Fatalf("answer %d: %q", i, note)
		}
		if got := e.order(o.Number); got.Status != bot.Rejected || got.RejectReason != fmt.Sprintf("Sorry, reason %d", i) {
			t.Fatalf("order %d: %s %q", i, got.Status, got.RejectReason)
		}
	}
}

// A prompt or note that Telegram fails or rate-limits is sent again until
// it goes through, after the time Telegram names.
func TestStaffMessagesRetried(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), true)
	alice, _ := staffUsers(e)
	o := e.customer(7171, "Re").order(1)
	e.api.fail("sendMessage", staffChat, 2, http.StatusBadGateway, "Bad Gateway", 0)
	e.answered(alice.press(staffChat, fmt.Sprintf("r:reject:order:%d:%d", o.ID, o.Version)))
	p := e.prompt(rejectPrompt(o))

	e.api.fail("sendMessage", staffChat, 1, http.StatusTooManyRequests, "Too Many Requests: retry after 1", 1)
	m := alice.reply(p, "Sold out")
	if note := e.groupReply(m); !strings.Contains(note, "已拒绝") {
		t.Fatalf("note %q", note)
	}
	failed := map[int]int{}
	var limited, sent time.Time
	for _, c := range e.api.sentTo(staffChat) {
		failed[c.Status]++
		if c.Status == http.StatusTooManyRequests {
			limited = c.At
		}
		if c.Params.Get("reply_to_message_id") == fmt.Sprint(m.MessageID) && c.Status == http.StatusOK {
			sent = c.At
		}
	}
	if failed[http.StatusBadGateway] != 2 || failed[http.StatusTooManyRequests] != 1 {
		t.Fatalf("failed sends %v, want two 502 and one 429", failed)
	}
	if sent.Sub(limited) < time.Second-5*time.Millisecond {
		t.Fatalf("note sent again %s after the 429, before retry_after (1s)", sent.Sub(limited))
	}
}

// Replying to a customer who asked for a person goes through a prompt too.
func TestHandoffReply(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), false)
	alice, _ := staffUsers(e)
	c := e.customer(7272, "Hu")
	c.say("/start")
	c.say("human")
	c.say("Is the tea organic?")
	card := e.relayed("客户请求人工客服：Hu Li（Telegram）")
	// What the customer wrote answers the card, so the group sees whose it is.
	eventually(t, "the customer's message as a reply to the card", func() bool {
		for _, m := range e.api.sentTo(staffChat) {
			if m.Params.Get("text") == "Is the tea organic?" && m.Params.Get("reply_to_message_id") == fmt.Sprint(card.MsgID) {
				return true
			}
		}
		return false
	})
	var reply string
	for _, b := range card.buttons() {
		if strings.HasPrefix(data(b), "t:reply:handoff:") {
			reply = data(b)
		}
	}
	if reply == "" {
		t.Fatalf("handoff card without a reply button: %s", card.Params.Get("reply_markup"))
	}
	e.answered(alice.press(staffChat, reply))
	alice.reply(e.prompt("要发给Hu Li（Telegram）的消息是什么？"), "Yes, it is organic.")
	if !strings.Contains(e.lastText(c.id), "Yes, it is organic.") {
		t.Fatalf("the customer got %q", e.lastText(c.id))
	}
}

package telegram

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store/storetest"
)

// customerSteps are one pass of a customer tapping through the shop: each
// is one message or button press the bot answers.
func customerSteps(c *user) int {
	c.say("menu")
	for _, k := range []string{"browse", "cat:Tea", "sku:TEA-1"} {
		c.e.answered(c.press(0, k))
	}
	return 4
}

// chatCalls counts the calls that put something in chat: messages sent
// and messages edited (Telegram counts both against its limits).
func (e *env) chatCalls(chat int64) int {
	n := 0
	for _, c := range e.api.callsOf("") {
		switch c.Method {
		case "sendMessage", "editMessageText", "editMessageReplyMarkup", "sendPhoto":
			if c.chat() == chat {
				n++
			}
		}
	}
	return n
}

// A step costs one send: the reply. The pressed message is not edited
// separately (its spent buttons stay; pressing one again is answered as
// stale by the conversation).
func TestSendsPerStep(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), false)
	c := e.customer(4343, "Step")
	c.say("/start")
	before := e.chatCalls(c.id)
	steps := customerSteps(c)
	c.say("help") // one more step, after which earlier background edits are done
	steps++
	sends := e.chatCalls(c.id) - before
	t.Logf("%d sends for %d steps", sends, steps)
	if sends != steps {
		t.Fatalf("%d sends for %d steps, want one per step", sends, steps)
	}
}

// BenchmarkCustomerStep reports the calls to Telegram per customer step.
func BenchmarkCustomerStep(b *testing.B) {
	e := newEnv(b, storetest.SQLite(b), false)
	c := e.customer(4444, "Bench")
	c.say("/start")
	before, answers := e.chatCalls(c.id), len(e.api.callsOf("answerCallbackQuery"))
	steps := 0
	for b.Loop() {
		steps += customerSteps(c)
	}
	c.say("help")
	steps++
	b.ReportMetric(float64(e.chatCalls(c.id)-before)/float64(steps), "sends/step")
	b.ReportMetric(float64(len(e.api.callsOf("answerCallbackQuery"))-answers)/float64(steps), "answers/step")
}

// The reply to a customer's own message goes out at once: with a chat pace
// of one message an hour after the first, every step is still answered.
func TestRepliesNotHeldByChatPace(t *testing.T) {
	e := newEnvWith(t, storetest.SQLite(t), false, func(c *Config) { c.ChatInterval, c.ChatBurst = time.Hour, 1 })
	c := e.customer(4545, "Quick")
	c.say("/start")
	before := len(e.api.sentTo(c.id))
	steps := customerSteps(c)
	if got := len(e.api.sentTo(c.id)) - before; got != steps {
		t.Fatalf("%d replies for %d steps", got, steps)
	}
}

// An outbox message whose chat's turn is far off is handed back to the
// outbox with the time to wait instead of holding the dispatcher; a reply
// to the customer's own message still goes.
func TestLongPaceHandedBack(t *testing.T) {
	api := newFakeAPI(t)
	cfg := testConfig(api, storetest.SQLite(t))
	cfg.ChatInterval, cfg.GroupInterval, cfg.ChatBurst = time.Hour, time.Hour, 1
	ad, err := New(context.Background(), nil, storetest.Logger(t), cfg)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	card := &bot.Card{Ref: "order:1", Title: "Order 100001", Version: 1}
	for _, tt := range []struct {
		name string
		msg  *bot.Message
		wait bool
	}{
		{"notice", &bot.Message{Recipient: "71", Kind: bot.KindNotice, Text: "one"}, false},
		{"next notice", &bot.Message{Recipient: "71", Kind: bot.KindNotice, Text: "two"}, true},
		{"reply", &bot.Message{Recipient: "71", Kind: bot.KindReply, Text: "three"}, false},
		{"card", &bot.Message{Recipient: bot.StaffRecipient, Kind: bot.KindCard, Card: card}, false},
		{"next card", &bot.Message{Recipient: bot.StaffRecipient, Kind: bot.KindCard, Card: card}, true},
	} {
		tt.msg.Channel = bot.Telegram
		_, err := ad.Send(ctx, tt.msg)
		var rl *bot.RateLimitError
		switch {
		case tt.wait && (!errors.As(err, &rl) || rl.RetryAfter < 59*time.Minute):
			t.Fatalf("%s: %v, want to be told to wait about an hour", tt.name, err)
		case !tt.wait && err != nil:
			t.Fatalf("%s: %v", tt.name, err)
		}
	}
	if n, m := len(api.sentTo(71)), len(api.sentTo(staffChat)); n != 2 || m != 1 {
		t.Fatalf("%d sends to the chat and %d to the group, want 2 and 1", n, m)
	}
}

// BenchmarkCustomerStepTelegramPace is a customer tapping through the shop
// under Telegram's real per-chat pace (one a second after a burst of
// three): it reports the wall time per step, which the pace would set to
// a second or more if it held back replies.
func BenchmarkCustomerStepTelegramPace(b *testing.B) {
	e := newEnvWith(b, storetest.SQLite(b), false, func(c *Config) {
		c.ChatInterval, c.GroupInterval, c.ChatBurst = time.Second, 3*time.Second, 3
	})
	c := e.customer(4646, "Pace")
	c.say("/start")
	steps := 0
	for b.Loop() {
		steps += customerSteps(c)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(steps), "ms/step")
}

package telegram

import (
	"testing"
	"time"

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

package slack

import (
	"net/http"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
)

// staffMessages are what staff wrote to the customer.
func (e *env) staffMessages(user string) []string {
	var out []string
	for _, m := range e.notices(user) {
		if m.Notice.Kind == conversation.StaffMessage {
			out = append(out, m.Notice.Text)
		}
	}
	return out
}

// A customer who asks for a person gets a card; staff answer in its thread
// and the customer's messages arrive there, until staff end it.
func TestHandoffThreadRelaysBothWays(t *testing.T) {
	e := newSQLiteEnv(t)
	e.say("cust1", "menu")
	e.say("cust1", "human")
	e.deliver()
	card := e.slack.last(t, "chat.postMessage")
	if b := card.buttons(t); b["reply"].Value == "" || b["close"].Value == "" || !strings.HasPrefix(b["close"].Value, "handoff:") {
		t.Fatalf("handoff card buttons %+v", b)
	}

	// Staff write in the thread; Slack delivers the event twice.
	ev := threadMessage("Ev0001", "U3", "Hi, I'm Ann &amp; I can help &lt;3 see <https://shop.example/faq|our FAQ>", card.TS, nil)
	if r := e.signed("/slack/events", "application/json", ev); r.status != http.StatusOK {
		t.Fatalf("event answered %d", r.status)
	}
	e.a.Wait()
	retry := func(h http.Header) { h.Set("X-Slack-Retry-Num", "1"); h.Set("X-Slack-Retry-Reason", "http_timeout") }
	if r := e.signed("/slack/events", "application/json", ev, retry); r.status != http.StatusOK {
		t.Fatalf("retry answered %d", r.status)
	}
	e.deliver()
	want := "Hi, I'm Ann & I can help <3 see our FAQ (https://shop.example/faq)"
	if got := e.staffMessages("cust1"); len(got) != 1 || got[0] != want {
		t.Fatalf("customer got %q, want once %q", got, want)
	}
	if n := len(e.slack.called("chat.postEphemeral")); n != 0 {
		t.Fatalf("%d ephemerals for a good reply", n)
	}

	// What is not a staff reply is ignored: the bot's own posts, edits,
	// someone outside the staff table, a reply in an order card's thread.
	e.signed("/slack/events", "application/json", threadMessage("Ev0002", "UBOT", "relayed", card.TS, map[string]any{"bot_id": "B1"}))
	e.signed("/slack/events", "application/json", threadMessage("Ev0003", "U3", "edited", card.TS, map[string]any{"subtype": "message_changed"}))
	e.signed("/slack/events", "application/json", threadMessage("Ev0004", "U3", "not in a thread", "", nil))
	e.signed("/slack/events", "application/json", threadMessage("Ev0005", "U9", "I'm not staff", card.TS, nil))
	e.deliver()
	if got := e.staffMessages("cust1"); len(got) != 1 {
		t.Fatalf("customer got %q", got)
	}
	if eph := e.ephemerals("U9"); len(eph) != 1 || eph[0].Thread != card.TS || eph[0].Text != "You don't have permission to do that." {
		t.Fatalf("outsider told %+v", eph)
	}

	// The customer writes: it goes in the card's thread.
	e.say("cust1", "Where is my <b>parcel</b>?")
	e.deliver()
	in := e.slack.last(t, "chat.postMessage")
	if in.Channel != staffChannel || in.Thread != card.TS || in.Text != "Where is my &lt;b&gt;parcel&lt;/b&gt;?" {
		t.Fatalf("customer message posted as %+v", in)
	}

	// Staff end the conversation from the card.
	upd := e.slack.last(t, "chat.update") // the card now shows the conversation
	if !strings.Contains(upd.allText(), "ann (Slack): Hi, I'm Ann") {
		t.Fatalf("card after reply:\n%s", upd.allText())
	}
	e.press("U3", upd, "close")
	e.deliver()
	ns := e.notices("cust1")
	if last := ns[len(ns)-1]; last.Notice.Kind != conversation.HandoffEnded {
		t.Fatalf("customer not told the chat ended: %+v", last.Notice)
	}
	if upd := e.slack.last(t, "chat.update"); len(upd.buttons(t)) != 0 || !strings.Contains(upd.allText(), "Ended by ann (Slack)") {
		t.Fatalf("ended card %+v\n%s", upd.buttons(t), upd.allText())
	}
	// A late reply in the thread is refused, not relayed.
	e.signed("/slack/events", "application/json", threadMessage("Ev0006", "U1", "one more thing", card.TS, nil))
	e.deliver()
	if got := e.staffMessages("cust1"); len(got) != 1 {
		t.Fatalf("reply after the end relayed: %q", got)
	}
	if eph := e.ephemerals("U1"); len(eph) != 1 || !strings.HasPrefix(eph[0].Text, "This conversation was already ended by ann (Slack) at ") {
		t.Fatalf("late replier told %+v", eph)
	}
}

func TestReplyButtonAndThreadOfOtherCards(t *testing.T) {
	e := newSQLiteEnv(t)
	n := e.order("cust1", "TEA", 1)
	e.say("cust2", "human")
	e.deliver()
	orderCard, handoff := e.cardOf(n), e.cardOf("asks for a person")

	// Staff talking in an order card's thread stay among themselves.
	e.signed("/slack/events", "application/json", threadMessage("Ev0100", "U1", "I'll take this one", orderCard.TS, nil))
	e.a.Wait()
	if len(e.staffMessages("cust1")) != 0 || len(e.ephemerals("U1")) != 0 {
		t.Fatal("a thread on an order card reached the customer")
	}

	// The Reply button opens a form whose text goes to the customer.
	e.press("U3", handoff, "reply")
	e.a.Wait()
	if r := e.submit("U3", map[string]string{"text": strings.Repeat("x", 1001)}); !strings.Contains(r.body, "At most 1000") {
		t.Fatalf("long reply answered %q", r.body)
	}
	e.submit("U3", map[string]string{"text": "We'll call you in five minutes."})
	e.deliver()
	if got := e.staffMessages("cust2"); len(got) != 1 || got[0] != "We'll call you in five minutes." {
		t.Fatalf("customer got %q", got)
	}
	if o := e.orderByNumber(n); o.Status != bot.Pending {
		t.Fatalf("order changed to %s", o.Status)
	}
}

func TestPlainText(t *testing.T) {
	for in, want := range map[string]string{
		"a &amp; b &lt;c&gt;":                   "a & b <c>",
		"see <https://x.example/a>":             "see https://x.example/a",
		"see <https://x.example/a|the page>":    "see the page (https://x.example/a)",
		"mail <mailto:a@b.example|a@b.example>": "mail a@b.example",
		"hi <@U123> and <@U9|bob>":              "hi @U123 and @bob",
		"in <#C1|general> <!here>":              "in #general @here",
		"  spaced  ":                            "spaced",
	} {
		if got := plainText(in); got != want {
			t.Errorf("plainText(%q) = %q, want %q", in, got, want)
		}
	}
}

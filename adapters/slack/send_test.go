package slack

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
)

func testCard() *bot.Card {
	return &bot.Card{
		Ref:   "order:7",
		Title: "Order 100007: pending",
		Fields: []bot.CardField{
			{Label: "Customer", Value: "<!channel> Mallory & co"},
			{Label: "Items", Value: strings.Repeat("1 × Green tea (TEA) @ 38.00\n", 20)},
			{Label: "Total", Value: "38.00"},
		},
		Status:  "Approved by U0ABC123 (slack) at 2026-11-23 10:32 UTC",
		Actions: []bot.CardAction{{ID: "approve", Label: "Approve", Style: "primary"}, {ID: "reject", Label: "Reject", Input: "reason", Style: "danger"}},
		Version: 3,
		Media:   []string{"https://cdn.example/p1.jpg", "AgACAgUAAxkBAAI"},
	}
}

func TestCardRendering(t *testing.T) {
	e := newSQLiteEnv(t)
	id, err := e.a.Send(t.Context(), &bot.Message{Channel: bot.Slack, Recipient: bot.StaffRecipient, Kind: bot.KindCard, Card: testCard()})
	if err != nil {
		t.Fatal(err)
	}
	post := e.slack.last(t, "chat.postMessage")
	if id != staffChannel+":"+post.TS {
		t.Fatalf("external id %q for %s", id, post.TS)
	}
	text := post.allText()
	for _, want := range []string{
		"&lt;!channel&gt; Mallory &amp; co", // customer text cannot ping or link
		"Approved by <@U0ABC123> at",        // staff named by id become mentions
		"<https://cdn.example/p1.jpg|photo 1>",
		"1 on the customer's channel",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("card lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "<!channel>") {
		t.Error("customer text reached Slack unescaped")
	}
	b := post.buttons(t)
	if b["approve"].Value != "order:7|3" || b["reject"].Value != "order:7|3|reason" || b["approve"].Style != "primary" || b["reject"].Style != "danger" {
		t.Fatalf("buttons %+v", b)
	}
	// The long items field spans the card; the short ones sit side by side.
	var wide, columns int
	for _, bl := range post.Blocks {
		if bl.Type == "section" && bl.Text != nil && strings.HasPrefix(bl.Text.Text, "*Items*") {
			wide++
		}
		if bl.Type == "section" && len(bl.Fields) > 0 {
			columns++
		}
	}
	if wide != 1 || columns != 2 {
		t.Fatalf("%d wide sections, %d column sections", wide, columns)
	}

	// Decided: same message edited, buttons gone.
	decided := testCard()
	decided.Actions = nil
	got, err := e.a.Send(t.Context(), &bot.Message{Channel: bot.Slack, Recipient: bot.StaffRecipient, Kind: bot.KindCard, Card: decided, ExternalID: id})
	if err != nil || got != id {
		t.Fatalf("update: %q, %v", got, err)
	}
	upd := e.slack.last(t, "chat.update")
	if upd.Channel != staffChannel || upd.TS != post.TS || len(upd.buttons(t)) != 0 {
		t.Fatalf("update %+v", upd)
	}
}

// A 429 becomes the core's RateLimitError with Slack's Retry-After, and the
// channel's other messages wait too instead of asking again.
func TestRateLimitedPostReturnsRetryAfter(t *testing.T) {
	e := newSQLiteEnv(t)
	e.slack.throttle, e.slack.retryWait = 1, "7"
	m := &bot.Message{Channel: bot.Slack, Recipient: bot.StaffRecipient, Kind: bot.KindCard, Card: testCard()}
	_, err := e.a.Send(t.Context(), m)
	var rl *bot.RateLimitError
	if !errors.As(err, &rl) || rl.RetryAfter != 7*time.Second {
		t.Fatalf("429 gave %v", err)
	}
	before := e.slack.count()
	_, err = e.a.Send(t.Context(), m)
	if !errors.As(err, &rl) || rl.RetryAfter <= 6*time.Second || rl.RetryAfter > 7*time.Second {
		t.Fatalf("second send during Retry-After gave %v", err)
	}
	if e.slack.count() != before {
		t.Fatal("second send called Slack during Retry-After")
	}

	// Through the dispatcher the card waits instead of failing.
	e2 := newSQLiteEnv(t)
	e2.slack.throttle, e2.slack.retryWait = 1, "30"
	e2.order("cust1", "TEA", 1)
	e2.deliver()
	if posts := e2.slack.called("chat.postMessage"); len(posts) != 0 {
		t.Fatalf("card posted despite 429: %d", len(posts))
	}
	msgs, err := e2.st.Feed(t.Context(), bot.Slack, bot.StaffRecipient, 0, 10)
	if err != nil || len(msgs) != 1 {
		t.Fatalf("outbox %v, %v", msgs, err)
	}
	if m := msgs[0]; !m.DeliveredAt.IsZero() || !m.FailedAt.IsZero() || time.Until(m.NextAt) < 25*time.Second {
		t.Fatalf("throttled card: delivered %v failed %v next %v", m.DeliveredAt, m.FailedAt, m.NextAt)
	}
}

func TestPostsArePacedPerChannel(t *testing.T) {
	e := newSQLiteEnv(t, func(c *Config) { c.PostInterval, c.PostBurst = 100*time.Millisecond, 1 })
	start := time.Now()
	for range 3 {
		if _, err := e.a.Send(t.Context(), &bot.Message{Channel: bot.Slack, Recipient: bot.StaffRecipient, Kind: bot.KindNotice, Text: "hi"}); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 190*time.Millisecond {
		t.Fatalf("3 posts to one channel took %v, want ≥ 200ms", d)
	}
	start = time.Now()
	if _, err := e.a.Send(t.Context(), &bot.Message{Channel: bot.Slack, Recipient: "U42", Kind: bot.KindNotice, Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 80*time.Millisecond {
		t.Fatalf("another channel waited %v", d)
	}
}

// A card whose message is gone is posted again rather than lost.
func TestUpdateOfDeletedCardPostsAgain(t *testing.T) {
	e := newSQLiteEnv(t)
	e.slack.gone = "CGONE"
	id, err := e.a.Send(t.Context(), &bot.Message{Channel: bot.Slack, Recipient: bot.StaffRecipient, Kind: bot.KindCard, Card: testCard(), ExternalID: "CGONE:1.2"})
	if err != nil {
		t.Fatal(err)
	}
	post := e.slack.last(t, "chat.postMessage")
	if id != staffChannel+":"+post.TS || len(e.slack.called("chat.update")) != 0 {
		t.Fatalf("id %q, post %+v", id, post)
	}
}

// A customer's message for a card that never reached Slack is posted on
// its own, saying which item it is about.
func TestThreadMessageWithoutCard(t *testing.T) {
	e := newSQLiteEnv(t)
	c := testCard()
	id, err := e.a.Send(t.Context(), &bot.Message{Channel: bot.Slack, Recipient: bot.StaffRecipient, Kind: bot.KindThread, Text: "hello?", Card: c})
	if err != nil {
		t.Fatal(err)
	}
	post := e.slack.last(t, "chat.postMessage")
	if id == "" || post.Thread != "" || !strings.Contains(post.Text, "Order 100007") || !strings.Contains(post.Text, "hello?") {
		t.Fatalf("posted %+v", post)
	}
}

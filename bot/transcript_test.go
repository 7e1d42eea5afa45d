package bot_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/handoff"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// newTranscriptShop is a shop whose handoffs keep transcripts, with staff
// cards going to the console, Telegram and Slack.
func newTranscriptShop(t *testing.T, st *store.Store) (*shop, *handoff.Service) {
	s := newShop(t, st)
	tr := handoff.New(st)
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	s.svc = bot.NewService(st, quietLog(), bot.Config{
		StaffChannels: []string{bot.WebChat, bot.Telegram, bot.Slack}, Clock: s.clock.Now,
		Location: loc, Transcripts: tr, ConsoleURL: "https://shop.example/staff", StaffLang: "en",
	}, nil)
	return s, tr
}

// lastStaffCard is the newest card queued for staff on a channel.
func lastStaffCard(t *testing.T, st *store.Store, channel string) *bot.Message {
	t.Helper()
	ms, err := st.Feed(context.Background(), channel, bot.StaffRecipient, 0, 1000)
	if err != nil || len(ms) == 0 || ms[len(ms)-1].Card == nil {
		t.Fatalf("staff messages on %s: %d, %v", channel, len(ms), err)
	}
	return ms[len(ms)-1]
}

func conversationField(c *bot.Card) string {
	for _, f := range c.Fields {
		if f.Label == "Conversation" {
			return f.Value
		}
	}
	return ""
}

func TestHandoffTranscriptKeepsBothSidesInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s, tr := newTranscriptShop(t, st)
		ctx := context.Background()
		s.say("u1", "human")
		s.send("u1", bot.Inbound{Text: "我的包裹在哪里？", DedupKey: "k1"})
		s.send("u1", bot.Inbound{Text: "我的包裹在哪里？", DedupKey: "k1"}) // a platform's retry
		card := lastStaffCard(t, st, bot.WebChat).Card
		a := bot.StaffAction{Channel: bot.WebChat, UserID: "ann", Ref: card.Ref, Action: bot.ActReply, Text: "It left today."}
		res, err := s.svc.HandleStaffAction(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		if got := conversationField(&res.Card); !strings.Contains(got, "18:00 ann (staff console): It left today.") {
			t.Fatalf("card after the reply shows %q", got)
		}
		a.Text = "  "
		if _, err := s.svc.HandleStaffAction(ctx, a); err == nil {
			t.Fatal("an empty reply was accepted")
		}
		s.say("u1", "thanks")

		c, err := st.CustomerByUser(ctx, bot.WebChat, "u1")
		if err != nil {
			t.Fatal(err)
		}
		lines, err := tr.Lines(ctx, handoff.Query{CustomerID: c.ID, Limit: 10})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, l := range lines {
			got = append(got, fmt.Sprintf("%s|%s|%s|%s", l.Author, l.Actor, l.Channel, l.Text))
		}
		want := []string{
			"customer||webchat|我的包裹在哪里？",
			"staff|ann (webchat)|webchat|It left today.",
			"customer||webchat|thanks",
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Fatalf("transcript:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		// Every staff channel's card shows the whole conversation so far.
		for _, ch := range []string{bot.WebChat, bot.Telegram, bot.Slack} {
			m := lastStaffCard(t, st, ch)
			conv := conversationField(m.Card)
			if m.Kind != bot.KindThread || m.Text != "thanks" || !strings.HasPrefix(conv, "11-23 18:00 Customer: 我的包裹在哪里？\n") || !strings.HasSuffix(conv, "Customer: thanks") {
				t.Fatalf("%s card %s %q:\n%s", ch, m.Kind, m.Text, conv)
			}
		}
	})
}

func TestHandoffCardTrimsTheConversationToThePlatform(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s, tr := newTranscriptShop(t, st)
		ctx := context.Background()
		s.say("u1", "human")
		for i := range 40 {
			s.say("u1", fmt.Sprintf("message %02d %s", i, strings.Repeat("茶", 60)))
		}
		web := conversationField(lastStaffCard(t, st, bot.WebChat).Card)
		tg := conversationField(lastStaffCard(t, st, bot.Telegram).Card)
		sl := conversationField(lastStaffCard(t, st, bot.Slack).Card)
		hint := "… earlier messages: https://shop.example/staff/customers/"
		for name, conv := range map[string]string{"console": web, "telegram": tg, "slack": sl} {
			if !strings.HasPrefix(conv, hint) || !strings.Contains(conv, "transcripts?handoff=") || !strings.Contains(conv, "message 39 ") {
				t.Fatalf("%s card:\n%s", name, conv)
			}
		}
		if n := utf8.RuneCountInString(tg); n > 480 || strings.Contains(tg, "message 35 ") {
			t.Fatalf("telegram card holds %d characters:\n%s", n, tg)
		}
		if n := utf8.RuneCountInString(sl); n > 2400 || n < 2000 {
			t.Fatalf("slack card holds %d characters", n)
		}
		c, _ := st.CustomerByUser(ctx, bot.WebChat, "u1")
		all, err := tr.Lines(ctx, handoff.Query{CustomerID: c.ID, Limit: 200})
		if err != nil || len(all) != 40 {
			t.Fatalf("%d lines kept, %v", len(all), err)
		}
		// Pages by line id, both ways, and by handoff.
		newest, err := tr.Lines(ctx, handoff.Query{CustomerID: c.ID, Newest: true, Limit: 15})
		if err != nil || len(newest) != 15 || !strings.HasPrefix(newest[0].Text, "message 25 ") || !strings.HasPrefix(newest[14].Text, "message 39 ") {
			t.Fatalf("newest page %d, %v", len(newest), err)
		}
		before, _ := tr.Lines(ctx, handoff.Query{CustomerID: c.ID, Newest: true, BeforeID: newest[0].ID, Limit: 30})
		after, _ := tr.Lines(ctx, handoff.Query{HandoffID: all[0].HandoffID, AfterID: all[34].ID, Limit: 30})
		if len(before) != 25 || len(after) != 5 || !strings.HasPrefix(after[0].Text, "message 35 ") {
			t.Fatalf("pages before %d, after %d", len(before), len(after))
		}
		if _, err := tr.Lines(ctx, handoff.Query{CustomerID: c.ID, Limit: 201}); err == nil {
			t.Fatal("a page of 201 lines was served")
		}
	})
}

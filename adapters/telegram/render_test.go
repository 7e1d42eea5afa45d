package telegram

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestCustomerInbound(t *testing.T) {
	me := &tgbotapi.User{ID: 42, FirstName: "Lei", LastName: "Li", LanguageCode: "zh-hans"}
	msg := func(edit func(*tgbotapi.Message)) *tgbotapi.Message {
		m := &tgbotapi.Message{MessageID: 1, From: me, Chat: &tgbotapi.Chat{ID: 42, Type: "private"}}
		edit(m)
		return m
	}
	tests := []struct {
		name string
		msg  *tgbotapi.Message
		want bot.Inbound
	}{
		{"text", msg(func(m *tgbotapi.Message) { m.Text = "2" }), bot.Inbound{Text: "2"}},
		{"start", msg(func(m *tgbotapi.Message) { m.Text = "/start" }), bot.Inbound{Text: "menu"}},
		{"start with payload", msg(func(m *tgbotapi.Message) { m.Text = "/start ad-campaign" }), bot.Inbound{Text: "menu"}},
		{"menu to the bot by name", msg(func(m *tgbotapi.Message) { m.Text = "/menu@shop_bot" }), bot.Inbound{Text: "menu"}},
		{"orders", msg(func(m *tgbotapi.Message) { m.Text = "/orders" }), bot.Inbound{Text: "orders"}},
		{"help", msg(func(m *tgbotapi.Message) { m.Text = "/HELP" }), bot.Inbound{Text: "help"}},
		{"unknown command as typed", msg(func(m *tgbotapi.Message) { m.Text = "/pay" }), bot.Inbound{Text: "/pay"}},
		{"photo: largest size", msg(func(m *tgbotapi.Message) {
			m.Photo = []tgbotapi.PhotoSize{{FileID: "s", Width: 90, Height: 90}, {FileID: "l", Width: 800, Height: 800}, {FileID: "m", Width: 320, Height: 320}}
			m.Caption = "cracked"
		}), bot.Inbound{Text: "cracked", Media: []string{"l"}}},
		{"image as a file", msg(func(m *tgbotapi.Message) {
			m.Document = &tgbotapi.Document{FileID: "doc", MimeType: "image/jpeg"}
		}), bot.Inbound{Media: []string{"doc"}}},
		{"other file", msg(func(m *tgbotapi.Message) {
			m.Document = &tgbotapi.Document{FileID: "doc", MimeType: "application/pdf"}
		}), bot.Inbound{}},
		{"own contact", msg(func(m *tgbotapi.Message) {
			m.Contact = &tgbotapi.Contact{PhoneNumber: "8613800138000", UserID: 42}
		}), bot.Inbound{Phone: "+8613800138000"}},
		{"someone else's contact", msg(func(m *tgbotapi.Message) {
			m.Contact = &tgbotapi.Contact{PhoneNumber: "8613900139000", UserID: 43}
		}), bot.Inbound{}},
		{"forwarded contact without user", msg(func(m *tgbotapi.Message) {
			m.Contact = &tgbotapi.Contact{PhoneNumber: "+8613900139000"}
		}), bot.Inbound{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := customerInbound("telegram:7", tt.msg)
			want := tt.want
			want.Channel, want.UserID, want.DisplayName, want.DedupKey, want.LangHint = "telegram", "42", "Lei Li", "telegram:7", "zh-CN"
			if got.Text != want.Text || got.Phone != want.Phone || strings.Join(got.Media, ",") != strings.Join(want.Media, ",") ||
				got.Channel != want.Channel || got.UserID != want.UserID || got.DisplayName != want.DisplayName ||
				got.DedupKey != want.DedupKey || got.LangHint != want.LangHint || got.Button != "" {
				t.Fatalf("got %+v\nwant %+v", got, want)
			}
		})
	}

	long := customerInbound("k", msg(func(m *tgbotapi.Message) { m.Text = strings.Repeat("茶", 1000) }))
	if len(long.Text) > maxInbound || !utf8.ValidString(long.Text) {
		t.Fatalf("long text kept %d bytes, valid %v", len(long.Text), utf8.ValidString(long.Text))
	}
	for code, want := range map[string]string{"zh": "zh-CN", "zh-hant": "zh-CN", "en": "en", "ru": "en", "": ""} {
		if got := langHint(code); got != want {
			t.Errorf("langHint(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestCardPressData(t *testing.T) {
	for _, p := range []cardPress{
		{action: "approve", ref: "order:42", version: 3},
		{input: "reason", action: "reject", ref: "after_sales:7", version: 0},
		{input: "shipping", action: "ship", ref: "order:9999999", version: 12},
		{input: "note", action: "approve_note", ref: "after_sales:7", version: 2},
		{input: "text", action: "reply", ref: "handoff:5", version: 0},
	} {
		d, ok := p.data()
		if !ok || len(d) > maxCallbackData {
			t.Fatalf("%+v: %q %v", p, d, ok)
		}
		if back, ok := parseCardPress(d); !ok || back != p {
			t.Fatalf("%q parsed as %+v, want %+v", d, back, p)
		}
	}
	if _, ok := (cardPress{input: "signature", action: "x", ref: "order:1"}).data(); ok {
		t.Fatal("an unknown input kind got a button")
	}
	if _, ok := (cardPress{action: strings.Repeat("a", 60), ref: "order:1"}).data(); ok {
		t.Fatal("data over 64 bytes got a button")
	}
	for _, bad := range []string{"", "a", "a:approve", "a:approve:order:1", "x:approve:order:1:2", "a:approve:order:1:-2", "a::order:1:2"} {
		if p, ok := parseCardPress(bad); ok {
			t.Fatalf("%q parsed as %+v", bad, p)
		}
	}
}

// Send renders options as buttons, the phone option as a contact button,
// and staff cards as escaped HTML that later sends edit in place.
func TestSendRendering(t *testing.T) {
	api := newFakeAPI(t)
	ad, err := New(context.Background(), nil, storetest.Logger(t), testConfig(api, storetest.SQLite(t)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	send := func(m *bot.Message) string {
		t.Helper()
		ext, err := ad.Send(ctx, m)
		if err != nil {
			t.Fatalf("send %+v: %v", m, err)
		}
		return ext
	}
	last := func() apiCall {
		calls := api.callsOf("")
		return calls[len(calls)-1]
	}

	long := strings.Repeat("k", 65)
	send(&bot.Message{Recipient: "50", Kind: bot.KindReply, Text: "Pick one", Options: []conversation.Option{
		{Key: "sku:TEA-1", Label: "Green tea"}, {Key: long, Label: "Too long"}, {Key: "back", Label: "Back"},
	}})
	c := last()
	bs := c.buttons()
	if len(bs) != 2 || bs[0].Text != "1. Green tea" || data(bs[0]) != "sku:TEA-1" || bs[1].Text != "3. Back" || data(bs[1]) != "back" {
		t.Fatalf("buttons %s", c.Params.Get("reply_markup"))
	}
	if text := c.Params.Get("text"); !strings.Contains(text, "2. Too long") {
		t.Fatalf("an option without a button is not in the text: %q", text)
	}

	send(&bot.Message{Recipient: "50", Kind: bot.KindReply, Text: "Your phone number?", Options: []conversation.Option{
		{Key: "share_phone", Label: "Share my phone number"}, {Key: "back", Label: "Back"},
	}})
	var kb tgbotapi.ReplyKeyboardMarkup
	jsonOf(t, last().Params.Get("reply_markup"), &kb)
	if len(kb.Keyboard) != 2 || !kb.Keyboard[0][0].RequestContact || kb.Keyboard[0][0].Text != "Share my phone number" ||
		kb.Keyboard[1][0].RequestContact || kb.Keyboard[1][0].Text != "Back" || !kb.OneTimeKeyboard {
		t.Fatalf("contact keyboard %s", last().Params.Get("reply_markup"))
	}

	ext := send(&bot.Message{Recipient: "50", Text: strings.Repeat("line of text\n", 700)})
	parts := api.sentTo(50)[2:]
	if len(parts) != 3 || ext != externalID(50, parts[2].MsgID) {
		t.Fatalf("a long text went in %d parts, id %s", len(parts), ext)
	}
	for _, p := range parts {
		if n := utf8.RuneCountInString(p.Params.Get("text")); n > maxText {
			t.Fatalf("part of %d characters", n)
		}
	}

	card := bot.Card{
		Ref: "order:42", Title: "Order <b>100042</b>: pending", Version: 3,
		Fields:  []bot.CardField{{Label: "Customer", Value: "Tom & Jerry <script>"}},
		Actions: []bot.CardAction{{ID: "approve", Label: "Approve"}, {ID: "reject", Label: "Reject", Input: "reason"}},
	}
	staff := &bot.Message{Recipient: bot.StaffRecipient, Kind: bot.KindCard, Card: &card}
	first := send(staff)
	posted := last()
	if posted.Method != "sendMessage" || posted.chat() != staffChat || posted.Params.Get("parse_mode") != "HTML" ||
		!strings.Contains(posted.Params.Get("text"), "Order &lt;b&gt;100042&lt;/b&gt;") ||
		!strings.Contains(posted.Params.Get("text"), "Tom &amp; Jerry &lt;script&gt;") {
		t.Fatalf("card posted as %v", posted.Params)
	}

	card.Title, card.Actions, card.Version = "Order 100042: confirmed", nil, 4
	staff.ExternalID = first
	if ext := send(staff); ext != first || last().Method != "editMessageText" || last().Params.Get("reply_markup") != `{"inline_keyboard":[]}` {
		t.Fatalf("update of a posted card: %s %v", ext, last())
	}
	// The same card again: Telegram says "not modified", which is success.
	if ext := send(staff); ext != first || last().Status != 400 {
		t.Fatalf("unchanged card: %s %v", ext, last())
	}
	// A card whose message was deleted is posted again.
	staff.ExternalID = externalID(staffChat, 99999)
	if ext := send(staff); ext == staff.ExternalID || last().Method != "sendMessage" {
		t.Fatalf("card for a deleted message: %s %v", ext, last())
	}
}

func TestSplitText(t *testing.T) {
	for _, tt := range []struct {
		text  string
		n     int
		parts int
	}{
		{"short", 10, 1},
		{"aaaa\nbbbb\ncccc", 10, 2},
		{strings.Repeat("茶", 25), 10, 3},
	} {
		parts := splitText(tt.text, tt.n)
		if len(parts) != tt.parts || strings.Join(parts, "") != tt.text {
			t.Fatalf("splitText(%q, %d) = %q", tt.text, tt.n, parts)
		}
		for _, p := range parts {
			if utf8.RuneCountInString(p) > tt.n || !utf8.ValidString(p) {
				t.Fatalf("part %q", p)
			}
		}
	}
}

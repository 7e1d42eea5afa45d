package telegram

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store/storetest"
)

// Webhook mode registers the webhook with its secret, and a request
// without the secret is refused before anything is read or stored.
func TestWebhook(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), true)
	eventually(t, "setWebhook", func() bool { return len(e.api.callsOf("setWebhook")) > 0 })
	hook := e.api.callsOf("setWebhook")[0].Params
	var allowed []string
	jsonOf(t, hook.Get("allowed_updates"), &allowed)
	if hook.Get("url") != publicURL+"/telegram/webhook" || hook.Get("secret_token") != webhookSecret ||
		strings.Join(allowed, ",") != "message,callback_query" {
		t.Fatalf("setWebhook %v", hook)
	}
	checkCommands(t, e.api)
	if n := len(e.api.callsOf("getUpdates")); n != 0 {
		t.Fatalf("webhook mode called getUpdates %d times", n)
	}

	c := e.customer(1212, "Sam")
	update := mustJSON(tgbotapi.Update{UpdateID: 1, Message: c.message(0, "/start")})
	tests := []struct {
		name, body, secret string
		status             int
	}{
		{"no secret", update, "", http.StatusUnauthorized},
		{"wrong secret", update, "s3cret-Token_for_tesTS", http.StatusUnauthorized},
		{"prefix of the secret", update, webhookSecret[:10], http.StatusUnauthorized},
		{"malformed", `{"update_id":`, webhookSecret, http.StatusBadRequest},
		{"too large", `{"update_id":2,"message":{"text":"` + strings.Repeat("a", 1<<20) + `"}}`, webhookSecret, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := e.postUpdate(tt.body, tt.secret); got != tt.status {
				t.Fatalf("status %d, want %d", got, tt.status)
			}
		})
	}
	if _, err := e.st.CustomerByUser(context.Background(), bot.Telegram, "1212"); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("a refused update reached the store: %v", err)
	}
	if n := len(e.api.sentTo(c.id)); n != 0 {
		t.Fatalf("%d messages sent for refused updates", n)
	}
	res, err := http.Get(e.hook.URL + webhookPath)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET answered %d", res.StatusCode)
	}

	// With the secret the same update is handled.
	if got := e.postUpdate(update, webhookSecret); got != http.StatusOK {
		t.Fatalf("good update: %d", got)
	}
	e.settle()
	if len(e.api.sentTo(c.id)) == 0 {
		t.Fatal("no reply to a good update")
	}
}

// checkCommands checks the command menu was registered in English for
// everyone and in Chinese for Chinese users, each command with a word the
// chat understands.
func checkCommands(t *testing.T, api *fakeAPI) {
	t.Helper()
	eventually(t, "setMyCommands", func() bool { return len(api.callsOf("setMyCommands")) > 1 })
	descs := map[string]string{}
	for _, call := range api.callsOf("setMyCommands")[:2] {
		var cmds []tgbotapi.BotCommand
		jsonOf(t, call.Params.Get("commands"), &cmds)
		var names, words []string
		for _, c := range cmds {
			names = append(names, c.Command)
			words = append(words, c.Description)
			if command("/"+c.Command) == "/"+c.Command {
				t.Errorf("command /%s stands for no word", c.Command)
			}
		}
		if strings.Join(names, ",") != "start,menu,orders,aftersales,human,help" {
			t.Fatalf("commands %v", names)
		}
		descs[call.Params.Get("language_code")] = strings.Join(words, "|")
	}
	if descs[""] != "Start / main menu|Main menu|My orders|Returns, refunds and repairs|Talk to a person|Help" ||
		descs["zh"] != "开始 / 主菜单|主菜单|我的订单|售后服务（退换货、退款、维修）|人工客服|帮助" {
		t.Fatalf("command descriptions %q", descs)
	}
}

// Updates the bot does not serve are acknowledged and change nothing.
func TestIgnoredUpdates(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), true)
	c := e.customer(1313, "Kim")
	group := c.message(-4242, "menu")
	edited := c.message(0, "menu")
	tests := map[string]tgbotapi.Update{
		"another group":  {Message: group},
		"edited message": {EditedMessage: edited},
		"channel post":   {ChannelPost: c.message(-1009, "menu")},
		"staff chatter":  {Message: c.message(staffChat, "lunch?")},
	}
	for name, u := range tests {
		u.UpdateID = e.api.newUpdateID()
		if got := e.postUpdate(mustJSON(u), webhookSecret); got != http.StatusOK {
			t.Fatalf("%s: status %d", name, got)
		}
	}
	q := tgbotapi.Update{UpdateID: e.api.newUpdateID(), CallbackQuery: &tgbotapi.CallbackQuery{
		ID: "cq-group", From: c.from(), Data: "browse",
		Message: &tgbotapi.Message{MessageID: 5, Chat: &tgbotapi.Chat{ID: -4242, Type: "group"}},
	}}
	if got := e.postUpdate(mustJSON(q), webhookSecret); got != http.StatusOK {
		t.Fatalf("group callback: status %d", got)
	}
	e.answered("cq-group")
	if _, err := e.st.CustomerByUser(context.Background(), bot.Telegram, "1313"); !errors.Is(err, bot.ErrNotFound) {
		t.Fatalf("an ignored update reached the store: %v", err)
	}
	if n := len(e.api.callsOf("sendMessage")); n != 0 {
		t.Fatalf("%d messages sent for ignored updates", n)
	}
}

// Polling clears a leftover webhook, registers the commands, confirms
// updates through the offset, and keeps going after getUpdates fails.
func TestPollingRecovers(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), false)
	eventually(t, "deleteWebhook", func() bool { return len(e.api.callsOf("deleteWebhook")) > 0 })
	checkCommands(t, e.api)

	e.api.fail("getUpdates", 0, 2, http.StatusBadGateway, "Bad Gateway", 0)
	c := e.customer(1414, "Ada")
	c.say("/start")
	if len(e.api.sentTo(c.id)) == 0 {
		t.Fatal("no reply after getUpdates recovered")
	}
	failed := 0
	for _, call := range e.api.callsOf("getUpdates") {
		if call.Status == http.StatusBadGateway {
			failed++
		}
		var allowed []string
		jsonOf(t, call.Params.Get("allowed_updates"), &allowed)
		if call.Params.Get("timeout") != "1" || len(allowed) != 2 {
			t.Fatalf("getUpdates params %v", call.Params)
		}
	}
	if failed != 2 {
		t.Fatalf("%d failed getUpdates, want 2", failed)
	}
}

// New checks the settings and the token before anything runs.
func TestNewRefusesBadConfig(t *testing.T) {
	api := newFakeAPI(t)
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no token", func(c *Config) { c.Token = "" }, "token is required"},
		{"wrong token", func(c *Config) { c.Token = "1:wrong" }, "getMe"},
		{"webhook without public URL", func(c *Config) { c.WebhookSecret = "abc" }, "public URL"},
		{"secret Telegram refuses", func(c *Config) { c.WebhookSecret, c.PublicURL = "has space", publicURL }, "secret"},
		{"endpoint without placeholders", func(c *Config) { c.APIEndpoint = api.srv.URL }, "two %s"},
		{"staff group without prompt store", func(c *Config) { c.Prompts = nil }, "prompts"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig(api, storetest.SQLite(t))
			tt.edit(&cfg)
			_, err := New(context.Background(), nil, nil, cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want one about %q", err, tt.want)
			}
			if strings.Contains(err.Error(), cfg.Token) && cfg.Token != "" {
				t.Fatalf("error shows the token: %v", err)
			}
		})
	}
}

// The limiter paces one chat and leaves others alone.
func TestLimiter(t *testing.T) {
	l := newLimiter(Config{MessagesPerSecond: 1000, ChatInterval: 50 * time.Millisecond, GroupInterval: 100 * time.Millisecond, ChatBurst: 1})
	ctx := context.Background()
	start := time.Now()
	for range 3 {
		if err := l.wait(ctx, 1, -1); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d < 100*time.Millisecond {
		t.Fatalf("three messages to one chat in %s, want at least 100ms", d)
	}
	start = time.Now()
	for chat := int64(2); chat < 10; chat++ {
		if err := l.wait(ctx, chat, -1); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 40*time.Millisecond {
		t.Fatalf("first messages to eight chats took %s", d)
	}
	if err := l.wait(ctx, -5, -1); err != nil {
		t.Fatal(err)
	}
	// A wait beyond the bound is not waited but handed back.
	var rl *bot.RateLimitError
	if err := l.wait(ctx, -5, 10*time.Millisecond); !errors.As(err, &rl) || rl.RetryAfter <= 0 || rl.RetryAfter > 100*time.Millisecond {
		t.Fatalf("a group's second message within 10ms: %v", err)
	}
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if err := l.wait(short, -5, -1); err == nil {
		t.Fatal("a group's second message did not wait for its interval")
	}
}

// TestRepliesGoAheadOfTheOverallLimit: a reply never waits for the overall
// limit (it would wait behind other customers' replies), but takes its
// tokens, so that a notification waits behind it.
func TestRepliesGoAheadOfTheOverallLimit(t *testing.T) {
	l := newLimiter(Config{MessagesPerSecond: 1, ChatInterval: time.Hour, GroupInterval: time.Hour, ChatBurst: 5})
	for chat := int64(1); chat <= 5; chat++ {
		l.take(chat) // five replies at once, five times the overall rate
	}
	if tokens := l.global.Tokens(); tokens > -3 {
		t.Fatalf("replies took no overall tokens: %v left", tokens)
	}
	done, cancel := context.WithCancel(context.Background())
	cancel()
	if err := l.wait(done, 6, -1); err == nil {
		t.Fatal("a notification did not wait behind the replies")
	}
}

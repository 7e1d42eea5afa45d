package telegram

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

const (
	staffChat     = int64(-1001234567)
	webhookSecret = "s3cret-Token_for_tests"
	publicURL     = "https://shop.example"
)

// env is the adapter in front of a real core on a real store, with a real
// dispatcher delivering through it to the fake Bot API.
type env struct {
	t       testing.TB
	st      *store.Store
	svc     *bot.Service
	api     *fakeAPI
	ad      *Adapter
	hook    *httptest.Server // webhook mode only
	webhook bool
	clock   *testClock

	mu         sync.Mutex
	recipients []string
	nextMsg    int
}

// testConfig is a configuration with limits short enough for tests.
func testConfig(api *fakeAPI, prompts Prompts) Config {
	return Config{
		Token: botToken, APIEndpoint: api.endpoint(), StaffChat: staffChat, Prompts: prompts,
		MessagesPerSecond: 1000, ChatInterval: time.Millisecond, GroupInterval: time.Millisecond,
		PollTimeout: time.Second, RetryWait: 20 * time.Millisecond, RequestTimeout: 5 * time.Second,
	}
}

// testClock is the time with a skew a test can add to, to make prompts expire.
type testClock struct {
	mu   sync.Mutex
	skew time.Duration
}

func (c *testClock) now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.skew)
}

func (c *testClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.skew += d
}

func newEnv(t testing.TB, st *store.Store, webhook bool) *env {
	t.Helper()
	return newEnvWith(t, st, webhook, nil)
}

// newEnvWith is newEnv with the adapter's configuration changed by edit.
func newEnvWith(t testing.TB, st *store.Store, webhook bool, edit func(*Config)) *env {
	t.Helper()
	return newEnvCore(t, st, webhook, bot.Config{}, edit)
}

// newEnvCore is newEnvWith with the core's configuration as well; its staff
// channel is always Telegram.
func newEnvCore(t testing.TB, st *store.Store, webhook bool, core bot.Config, edit func(*Config)) *env {
	t.Helper()
	ctx := context.Background()
	log := storetest.Logger(t)
	var disp *bot.Dispatcher
	core.StaffChannels = []string{bot.Telegram}
	svc := bot.NewService(st, log, core, func() { disp.Kick() })
	err := svc.ImportCatalog(ctx, "test", []bot.Product{
		{SKU: "TEA-1", Name: "Green tea", NameZH: "绿茶", Category: "Tea", Price: 3800, Stock: 20, Active: true},
		{SKU: "MUG-1", Name: "Clay mug", NameZH: "陶杯", Category: "Cups", Price: 5600, Stock: 5, Active: true},
	})
	if err != nil {
		t.Fatalf("seed catalog: %v", err)
	}
	api := newFakeAPI(t)
	clock := &testClock{}
	cfg := testConfig(api, st)
	cfg.Clock = clock.now
	if webhook {
		cfg.WebhookSecret, cfg.PublicURL = webhookSecret, publicURL
	}
	if edit != nil {
		edit(&cfg)
	}
	ad, err := New(ctx, svc, log, cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	disp = bot.NewDispatcher(st, map[string]bot.Sender{bot.Telegram: ad}, log, bot.DispatcherConfig{Poll: 20 * time.Millisecond})
	e := &env{t: t, st: st, svc: svc, api: api, ad: ad, webhook: webhook, clock: clock, recipients: []string{bot.StaffRecipient},
		nextMsg: 1_000_000} // apart from the ids of the bot's messages
	if webhook {
		mux := http.NewServeMux()
		ad.Register(mux)
		e.hook = httptest.NewServer(mux)
		t.Cleanup(e.hook.Close)
	}
	runCtx, cancel := context.WithCancel(ctx)
	ran, dispatched := make(chan error, 1), make(chan error, 1)
	go func() { ran <- ad.Run(runCtx) }()
	go func() { dispatched <- disp.Run(runCtx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-ran; err != nil {
			t.Errorf("Run: %v", err)
		}
		<-dispatched
	})
	return e
}

// eventually fails the test when cond does not hold within a few seconds.
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// deliver hands an update to the adapter the way the mode gets it, waits
// until it is handled and the dispatcher has delivered what it caused.
func (e *env) deliver(u tgbotapi.Update) {
	e.t.Helper()
	if e.webhook {
		if u.UpdateID == 0 {
			u.UpdateID = e.api.newUpdateID()
		}
		if status := e.postUpdate(mustJSON(u), webhookSecret); status != http.StatusOK {
			e.t.Fatalf("webhook answered %d to update %d", status, u.UpdateID)
		}
	} else {
		u = e.api.push(u)
		eventually(e.t, fmt.Sprintf("update %d to be confirmed", u.UpdateID), func() bool { return e.api.confirmed(u.UpdateID) })
	}
	e.settle()
}

// postUpdate posts a webhook request and returns the status.
func (e *env) postUpdate(body, secret string) int {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.hook.URL+webhookPath, bytes.NewReader([]byte(body)))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if secret != "" {
		req.Header.Set(secretHeader, secret)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// settle waits until every message queued for the test's recipients was
// delivered or given up.
func (e *env) settle() {
	e.t.Helper()
	eventually(e.t, "the outbox to be delivered", func() bool {
		e.mu.Lock()
		recipients := slices.Clone(e.recipients)
		e.mu.Unlock()
		for _, r := range recipients {
			for _, m := range e.feed(r) {
				if m.DeliveredAt.IsZero() && m.FailedAt.IsZero() {
					return false
				}
			}
		}
		return true
	})
}

func (e *env) feed(recipient string) []*bot.Message {
	e.t.Helper()
	ms, err := e.svc.Feed(context.Background(), bot.Telegram, recipient, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	return ms
}

func (e *env) order(number string) *bot.Order {
	e.t.Helper()
	o, err := e.st.OrderByNumber(context.Background(), number)
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

func (e *env) pending() []*bot.Order {
	e.t.Helper()
	os, err := e.st.OrdersByStatus(context.Background(), []bot.OrderStatus{bot.Pending}, 100)
	if err != nil {
		e.t.Fatal(err)
	}
	return os
}

func (e *env) addStaff(id int64, name string, role bot.Role) {
	e.t.Helper()
	err := e.st.SaveStaff(context.Background(), bot.Staff{Channel: bot.Telegram, UserID: fmt.Sprint(id), Name: name, Role: role})
	if err != nil {
		e.t.Fatal(err)
	}
}

// user is a Telegram account talking to the bot.
type user struct {
	e     *env
	id    int64
	first string
	lang  string
	name  string // username, for staff mentions
}

// customer starts a private chat (whose id is the user's id).
func (e *env) customer(id int64, first string) *user {
	e.mu.Lock()
	e.recipients = append(e.recipients, fmt.Sprint(id))
	e.mu.Unlock()
	return &user{e: e, id: id, first: first, lang: "en"}
}

func (u *user) from() *tgbotapi.User {
	return &tgbotapi.User{ID: u.id, FirstName: u.first, LastName: "Li", LanguageCode: u.lang, UserName: u.name}
}

func (e *env) msgID() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.nextMsg++
	return e.nextMsg
}

// message builds a message from u in chat (its private chat when 0).
func (u *user) message(chat int64, text string) *tgbotapi.Message {
	typ := "private"
	if chat == 0 {
		chat = u.id
	} else if chat < 0 {
		typ = "supergroup"
	}
	return &tgbotapi.Message{MessageID: u.e.msgID(), From: u.from(), Date: int(time.Now().Unix()),
		Chat: &tgbotapi.Chat{ID: chat, Type: typ}, Text: text}
}

func (u *user) say(text string) { u.e.deliver(tgbotapi.Update{Message: u.message(0, text)}) }

// press presses the button with this callback data on the newest message
// in chat that shows it (its private chat when 0), and returns the
// callback query id.
func (u *user) press(chat int64, key string) string {
	u.e.t.Helper()
	if chat == 0 {
		chat = u.id
	}
	id, ok := u.e.api.withButton(chat, key)
	if !ok {
		u.e.t.Fatalf("no message in chat %d offers the button %q", chat, key)
	}
	return u.pressOn(chat, id, key)
}

// pressOn sends a callback query for a button on message id, whether or
// not it still shows it (an old client, a forged press).
func (u *user) pressOn(chat int64, id int, key string) string {
	qid := fmt.Sprintf("cq-%d-%d", u.id, u.e.msgID())
	typ := "private"
	if chat < 0 {
		typ = "supergroup"
	}
	u.e.deliver(tgbotapi.Update{CallbackQuery: &tgbotapi.CallbackQuery{
		ID: qid, From: u.from(), ChatInstance: "ci", Data: key,
		Message: &tgbotapi.Message{MessageID: id, Date: int(time.Now().Unix()), Chat: &tgbotapi.Chat{ID: chat, Type: typ}},
	}})
	return qid
}

// answered waits for the answer to a callback query and returns its text.
func (e *env) answered(qid string) string {
	e.t.Helper()
	var text string
	eventually(e.t, "callback "+qid+" to be answered", func() bool {
		for _, c := range e.api.callsOf("answerCallbackQuery") {
			if c.Params.Get("callback_query_id") == qid {
				text = c.Params.Get("text")
				return true
			}
		}
		return false
	})
	return text
}

// lastText is the text of the newest message the bot sent to chat.
func (e *env) lastText(chat int64) string {
	sent := e.api.sentTo(chat)
	if len(sent) == 0 {
		return ""
	}
	return sent[len(sent)-1].Params.Get("text")
}

// textsTo joins every message the bot sent to chat.
func (e *env) textsTo(chat int64) string {
	var b strings.Builder
	for _, c := range e.api.sentTo(chat) {
		b.WriteString(c.Params.Get("text"))
		b.WriteString("\n")
	}
	return b.String()
}

// order takes customer u from the start to a placed order and returns it.
func (u *user) order(qty int) *bot.Order {
	u.e.t.Helper()
	u.say("/start")
	for _, k := range []string{"browse", "cat:Tea", "sku:TEA-1", "add"} {
		u.press(0, k)
	}
	u.say(fmt.Sprint(qty))
	u.press(0, "checkout")
	u.say("Li Lei")
	u.say("13800138000")
	u.say("88 Wensan Road, Hangzhou")
	u.press(0, "confirm")
	return u.e.placed(u)
}

// placed is u's newest order, whose number the last message names.
func (e *env) placed(u *user) *bot.Order {
	e.t.Helper()
	c, err := e.st.CustomerByUser(context.Background(), bot.Telegram, fmt.Sprint(u.id))
	if err != nil {
		e.t.Fatal(err)
	}
	os, err := e.st.OrdersByCustomer(context.Background(), c.ID, 1)
	if err != nil || len(os) == 0 {
		e.t.Fatalf("no order for %d: %v", u.id, err)
	}
	if !strings.Contains(e.lastText(u.id), os[0].Number) {
		e.t.Fatalf("the customer was not told order %s: %q", os[0].Number, e.lastText(u.id))
	}
	return os[0]
}

// staffCard is the newest message in the staff group about an order.
func (e *env) staffCard(number string) apiCall {
	e.t.Helper()
	sent := e.api.sentTo(staffChat)
	for i := len(sent) - 1; i >= 0; i-- {
		if strings.Contains(sent[i].Params.Get("text"), number) && sent[i].Status == http.StatusOK {
			return sent[i]
		}
	}
	e.t.Fatalf("no staff card for %s", number)
	return apiCall{}
}

func jsonOf(t *testing.T, s string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(s), v); err != nil {
		t.Fatalf("decode %q: %v", s, err)
	}
}

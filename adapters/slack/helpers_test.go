package slack

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/handoff"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

const (
	testSecret   = "8f742231b10e8888abcd99yyyzzz85a5"
	staffChannel = "CSTAFF"
)

// env is the adapter served by httptest in front of a real core on a real
// store, delivering through a real dispatcher to the fake Slack.
type env struct {
	t     *testing.T
	st    *store.Store
	svc   *bot.Service
	disp  *bot.Dispatcher
	slack *fakeSlack
	a     *Adapter
	srv   *httptest.Server
	seq   int
}

// noSender takes the web chat's messages; customers read them from the feed.
type noSender struct{}

func (noSender) Send(context.Context, *bot.Message) (string, error) { return "", nil }

func quietLog(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// newEnv is the adapter on a core whose staff read English, unless a tweak
// sets another StaffLang; the core gets the adapter's language and zone.
func newEnv(t *testing.T, st *store.Store, tweak ...func(*Config)) *env {
	t.Helper()
	ctx := t.Context()
	log := quietLog(t)
	fake := newFakeSlack(t)
	cfg := Config{
		BotToken:      "xoxb-test",
		SigningSecret: testSecret,
		APIURL:        fake.url(),
		StaffChannel:  staffChannel,
		PostInterval:  time.Millisecond,
		PostBurst:     100,
		StaffLang:     "en",
	}
	for _, f := range tweak {
		f(&cfg)
	}
	svc := bot.NewService(st, log, bot.Config{StaffChannels: []string{bot.WebChat, bot.Slack},
		StaffLang: cfg.StaffLang, Location: cfg.Location, Transcripts: handoff.New(st)}, nil)
	err := svc.ImportCatalog(ctx, "test", []bot.Product{
		{SKU: "TEA", Name: "Green tea", NameZH: "绿茶", Category: "Tea", Price: 3800, Stock: 100, Active: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []bot.Staff{
		{Channel: bot.Slack, UserID: "U1", Name: "alice", Role: bot.Approver},
		{Channel: bot.Slack, UserID: "U2", Name: "bob", Role: bot.Approver},
		{Channel: bot.Slack, UserID: "U3", Name: "ann", Role: bot.Agent},
	} {
		if err := st.SaveStaff(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	a, err := New(svc, log, cfg)
	if err != nil {
		t.Fatal(err)
	}
	disp := bot.NewDispatcher(st, map[string]bot.Sender{bot.Slack: a, bot.WebChat: noSender{}}, log, bot.DispatcherConfig{})
	mux := http.NewServeMux()
	a.Register(mux)
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	t.Cleanup(a.Wait)
	return &env{t: t, st: st, svc: svc, disp: disp, slack: fake, a: a, srv: srv}
}

func newSQLiteEnv(t *testing.T, tweak ...func(*Config)) *env {
	return newEnv(t, storetest.SQLite(t), tweak...)
}

// deliver waits for the adapter's work and then delivers the outbox, as
// the dispatcher would after its kick.
func (e *env) deliver() {
	e.t.Helper()
	e.a.Wait()
	if _, err := e.disp.DeliverDue(e.t.Context()); err != nil {
		e.t.Fatalf("deliver: %v", err)
	}
}

// customer sends one web chat event: a button key or typed text.
func (e *env) customer(user string, in bot.Inbound) []*bot.Message {
	e.t.Helper()
	e.seq++
	in.Channel, in.UserID, in.DedupKey = bot.WebChat, user, fmt.Sprintf("test:%d", e.seq)
	replies, err := e.svc.HandleInbound(e.t.Context(), in)
	if err != nil {
		e.t.Fatalf("%s sends %+v: %v", user, in, err)
	}
	return replies
}

func (e *env) say(user, text string) { e.customer(user, bot.Inbound{Text: text}) }

var orderNumber6 = regexp.MustCompile(`\b1\d{5}\b`)

// order places a web chat order of qty × sku and returns its number.
func (e *env) order(user, sku string, qty int) string {
	e.t.Helper()
	for _, k := range []string{"menu", "browse", "cat:Tea", "sku:" + sku, "add"} {
		e.customer(user, bot.Inbound{Button: k})
	}
	e.say(user, strconv.Itoa(qty))
	e.customer(user, bot.Inbound{Button: "checkout"})
	e.say(user, "Li Lei")
	e.say(user, "13800138000")
	e.say(user, "88 Wensan Road, Hangzhou")
	var text strings.Builder
	for _, m := range e.customer(user, bot.Inbound{Button: "confirm"}) {
		text.WriteString(m.Text + "\n")
	}
	n := orderNumber6.FindString(text.String())
	if n == "" {
		e.t.Fatalf("no order number after confirm: %q", text.String())
	}
	return n
}

func (e *env) orderByNumber(n string) *bot.Order {
	e.t.Helper()
	o, err := e.st.OrderByNumber(e.t.Context(), n)
	if err != nil {
		e.t.Fatal(err)
	}
	return o
}

// notices are the customer notifications queued for a web chat user.
func (e *env) notices(user string) []*bot.Message {
	e.t.Helper()
	ms, err := e.svc.Feed(e.t.Context(), bot.WebChat, user, 0)
	if err != nil {
		e.t.Fatal(err)
	}
	var out []*bot.Message
	for _, m := range ms {
		if m.Kind == bot.KindNotice && m.Notice != nil {
			out = append(out, m)
		}
	}
	return out
}

// cardOf returns the latest post or update of the card whose title has s.
func (e *env) cardOf(s string) apiCall {
	e.t.Helper()
	var found *apiCall
	for _, m := range []string{"chat.postMessage", "chat.update"} {
		for _, c := range e.slack.called(m) {
			if strings.Contains(c.header(), s) {
				c := c
				found = &c
			}
		}
	}
	if found == nil {
		e.t.Fatalf("no card about %q", s)
	}
	return *found
}

// response is what the adapter answered.
type response struct {
	status int
	body   string
}

// sign makes the headers Slack sends: v0=HMAC-SHA256("v0:"+ts+":"+body).
func sign(h http.Header, secret string, ts time.Time, body string) {
	stamp := strconv.FormatInt(ts.Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	io.WriteString(mac, "v0:"+stamp+":"+body)
	h.Set("X-Slack-Request-Timestamp", stamp)
	h.Set("X-Slack-Signature", "v0="+hex.EncodeToString(mac.Sum(nil)))
}

// send posts body to path; header adjusts the request (signing among it).
func (e *env) send(path, contentType, body string, header func(http.Header)) response {
	e.t.Helper()
	req, err := http.NewRequestWithContext(e.t.Context(), http.MethodPost, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	if header != nil {
		header(req.Header)
	}
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("POST %s: %v", path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, body: string(b)}
}

// signed posts a correctly signed request, as Slack would.
func (e *env) signed(path, contentType, body string, extra ...func(http.Header)) response {
	e.t.Helper()
	return e.send(path, contentType, body, func(h http.Header) {
		sign(h, testSecret, time.Now(), body)
		for _, f := range extra {
			f(h)
		}
	})
}

const formType = "application/x-www-form-urlencoded"

// pressPayload is the interactions form of user pressing a card button.
func pressPayload(user string, card apiCall, actionID, value string) string {
	return "payload=" + url.QueryEscape(pressJSON(user, card, actionID, value))
}

// pressJSON is the block_actions payload of user pressing a card button.
func pressJSON(user string, card apiCall, actionID, value string) string {
	p := map[string]any{
		"type":       "block_actions",
		"user":       map[string]any{"id": user, "username": strings.ToLower(user)},
		"trigger_id": "trigger-" + user + "-" + actionID,
		"container":  map[string]any{"type": "message", "channel_id": card.Channel, "message_ts": card.TS},
		"channel":    map[string]any{"id": card.Channel},
		"message":    map[string]any{"ts": card.TS, "text": card.Text},
		"actions": []map[string]any{{
			"type": "button", "action_id": actionID, "block_id": actionsBlockID, "value": value,
			"text": map[string]any{"type": "plain_text", "text": buttonText(card, actionID)}, "action_ts": "1700000001.000001",
		}},
	}
	b, _ := json.Marshal(p)
	return string(b)
}

// buttonText is the label Slack sends with a press: the button's text on
// the card, or the action id for a press made up by a test.
func buttonText(card apiCall, actionID string) string {
	for _, b := range card.Blocks {
		var els []element
		if b.Type != "actions" || json.Unmarshal(b.Elements, &els) != nil {
			continue
		}
		for _, e := range els {
			if e.ActionID == actionID && e.Text != nil {
				return e.Text.Text
			}
		}
	}
	return actionID
}

// press is user pressing the card's button, signed.
func (e *env) press(user string, card apiCall, actionID string) response {
	e.t.Helper()
	btn, ok := card.buttons(e.t)[actionID]
	if !ok {
		e.t.Fatalf("card %q has no %s button: %+v", card.header(), actionID, card.buttons(e.t))
	}
	return e.signed("/slack/interactions", formType, pressPayload(user, card, actionID, btn.Value))
}

// submit is user submitting the form opened last with the given values,
// keyed by block id.
func (e *env) submit(user string, values map[string]string) response {
	e.t.Helper()
	open := e.slack.last(e.t, "views.open")
	state := map[string]any{}
	for k, v := range values {
		state[k] = map[string]any{inputValue: map[string]any{"type": "plain_text_input", "value": v}}
	}
	p := map[string]any{
		"type": "view_submission",
		"user": map[string]any{"id": user},
		"view": map[string]any{
			"id": "V1", "type": "modal", "callback_id": open.View.CallbackID,
			"private_metadata": open.View.PrivateMetadata,
			"state":            map[string]any{"values": state},
		},
	}
	b, _ := json.Marshal(p)
	return e.signed("/slack/interactions", formType, "payload="+url.QueryEscape(string(b)))
}

// threadMessage is the Events API callback of user writing text in the
// thread of card.
func threadMessage(eventID, user, text, threadTS string, extra map[string]any) string {
	ev := map[string]any{
		"type": "message", "channel": staffChannel, "channel_type": "channel",
		"user": user, "text": text, "ts": "1700000100.000001", "thread_ts": threadTS,
		"event_ts": "1700000100.000001",
	}
	for k, v := range extra {
		ev[k] = v
	}
	b, _ := json.Marshal(map[string]any{
		"token": "legacy", "team_id": "T1", "api_app_id": "A1", "type": "event_callback",
		"event_id": eventID, "event_time": 1700000100, "event": ev,
	})
	return string(b)
}

// ephemerals returns the private answers shown to user.
func (e *env) ephemerals(user string) []apiCall {
	var out []apiCall
	for _, c := range e.slack.called("chat.postEphemeral") {
		if c.User == user {
			out = append(out, c)
		}
	}
	return out
}

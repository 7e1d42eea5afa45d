package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/store/storetest"

	"github.com/orderbot/orderbot/bot"
)

// fakeTelegram answers just enough of the Bot API for the binary to start,
// receive one message by long polling and answer it.
type fakeTelegram struct {
	mu     sync.Mutex
	served bool
	sent   []string // chat_id: text
}

func (f *fakeTelegram) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	_ = r.ParseMultipartForm(1 << 20)
	w.Header().Set("Content-Type", "application/json")
	result := any(true)
	switch method {
	case "getMe":
		result = map[string]any{"id": 1, "is_bot": true, "first_name": "Shop", "username": "shop_bot"}
	case "getUpdates":
		f.mu.Lock()
		first := !f.served
		f.served = true
		f.mu.Unlock()
		if !first {
			time.Sleep(50 * time.Millisecond)
			result = []any{}
			break
		}
		result = []any{map[string]any{"update_id": 7, "message": map[string]any{
			"message_id": 1, "date": 1, "text": "/start",
			"chat": map[string]any{"id": 42, "type": "private"},
			"from": map[string]any{"id": 42, "first_name": "Li", "language_code": "en"},
		}}}
	case "sendMessage":
		f.mu.Lock()
		f.sent = append(f.sent, r.FormValue("chat_id")+": "+r.FormValue("text"))
		f.mu.Unlock()
		result = map[string]any{"message_id": 2, "date": 1, "chat": map[string]any{"id": 42, "type": "private"}}
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

func (f *fakeTelegram) messages() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.sent...)
}

// The binary wires Telegram when its token is set: a message polled from the
// Bot API is answered in that chat through the outbox.
func TestTelegramIsWiredWhenConfigured(t *testing.T) {
	fake := &fakeTelegram{}
	api := httptest.NewServer(fake)
	defer api.Close()
	s := startServer(t, map[string]string{
		"ORDERBOT_DB":             storetest.DSN(t, "sqlite"),
		"ORDERBOT_DEMO":           "true",
		"ORDERBOT_TELEGRAM_TOKEN": "123:test",
		"ORDERBOT_TELEGRAM_API":   api.URL + "/bot%s/%s",
	})
	deadline := time.Now().Add(20 * time.Second)
	for len(fake.messages()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	got := fake.messages()
	if len(got) == 0 || !strings.HasPrefix(got[0], "42: ") || !strings.Contains(got[0], "welcome") {
		t.Fatalf("the Telegram customer got %q", got)
	}
}

// fakeWeChat answers the token and menu calls of the WeChat API.
type fakeWeChat struct {
	mu    sync.Mutex
	menus []string
}

func (f *fakeWeChat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case strings.HasSuffix(r.URL.Path, "/stable_token"):
		_, _ = w.Write([]byte(`{"access_token":"TOKEN","expires_in":7200}`))
	case strings.HasSuffix(r.URL.Path, "/menu/create"):
		var body bytes.Buffer
		_, _ = body.ReadFrom(r.Body)
		f.mu.Lock()
		f.menus = append(f.menus, body.String())
		f.mu.Unlock()
		_, _ = w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	default:
		_, _ = w.Write([]byte(`{"errcode":40004,"errmsg":"unexpected call"}`))
	}
}

func wechatSignature(token, timestamp, nonce string) string {
	parts := []string{token, timestamp, nonce}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// The binary wires WeChat when configured: the server URL check answers,
// and `orderbot wechat menu` publishes the menu.
func TestWeChatIsWiredWhenConfigured(t *testing.T) {
	fake := &fakeWeChat{}
	api := httptest.NewServer(fake)
	defer api.Close()
	env := map[string]string{
		"ORDERBOT_DB":            storetest.DSN(t, "sqlite"),
		"ORDERBOT_WECHAT_APP_ID": "wx123", "ORDERBOT_WECHAT_APP_SECRET": "secret", "ORDERBOT_WECHAT_TOKEN": "tok",
		"ORDERBOT_WECHAT_API_URL": api.URL,
	}
	s := startServer(t, env)
	ts := fmt.Sprint(time.Now().Unix())
	q := url.Values{"signature": {wechatSignature("tok", ts, "n1")}, "timestamp": {ts}, "nonce": {"n1"}, "echostr": {"hello"}}
	if got := string(s.newUser().get("/wechat?"+q.Encode(), http.StatusOK)); got != "hello" {
		t.Fatalf("verification answered %q", got)
	}
	q.Set("signature", "forged")
	s.newUser().get("/wechat?"+q.Encode(), http.StatusUnauthorized)
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}

	out, err := cliWith(t, env, "", "wechat", "menu")
	if err != nil {
		t.Fatalf("wechat menu: %v (%s)", err, out)
	}
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if len(fake.menus) != 1 || !strings.Contains(fake.menus[0], "浏览商品") {
		t.Fatalf("menus posted: %q", fake.menus)
	}
}

// fakeSlack answers the Web API calls the adapter makes and keeps what was
// posted.
type fakeSlack struct {
	mu    sync.Mutex
	posts []url.Values
}

func (f *fakeSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_ = r.ParseForm()
	f.mu.Lock()
	f.posts = append(f.posts, r.PostForm)
	n := len(f.posts)
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": "C1", "ts": fmt.Sprintf("1700000000.%06d", n)})
}

// approveButton finds the Approve button's block and value in the cards
// posted so far.
func (f *fakeSlack) approveButton() (blockID, value string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, p := range f.posts {
		var blocks []struct {
			BlockID  string `json:"block_id"`
			Elements []struct {
				ActionID string `json:"action_id"`
				Value    string `json:"value"`
			} `json:"elements"`
		}
		_ = json.Unmarshal([]byte(p.Get("blocks")), &blocks)
		for _, b := range blocks {
			for _, e := range b.Elements {
				if e.ActionID == "approve" {
					return b.BlockID, e.Value
				}
			}
		}
	}
	return "", ""
}

func signSlack(secret string, body string) (ts, sig string) {
	ts = fmt.Sprint(time.Now().Unix())
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte("v0:" + ts + ":" + body))
	return ts, "v0=" + hex.EncodeToString(mac.Sum(nil))
}

// The binary wires Slack when configured: an order placed in the web chat
// is posted as a card, and a signed Approve press by an approver named in
// ORDERBOT_SLACK_APPROVERS confirms it and tells the customer.
func TestSlackIsWiredWhenConfigured(t *testing.T) {
	fake := &fakeSlack{}
	api := httptest.NewServer(fake)
	defer api.Close()
	s := startServer(t, map[string]string{
		"ORDERBOT_DB": storetest.DSN(t, "sqlite"), "ORDERBOT_DEMO": "true",
		"ORDERBOT_SLACK_BOT_TOKEN": "xoxb-test", "ORDERBOT_SLACK_SIGNING_SECRET": "shh",
		"ORDERBOT_SLACK_API_URL": api.URL + "/", "ORDERBOT_SLACK_STAFF_CHANNEL": "C1",
		"ORDERBOT_SLACK_APPROVERS": "U1",
	})
	shopper := s.newUser()
	n := shopper.order("TEA-LJ-250", 1, "Li Lei", "13800138000", "88 Wensan Road, Hangzhou")

	deadline := time.Now().Add(10 * time.Second)
	block, value := fake.approveButton()
	for value == "" && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
		block, value = fake.approveButton()
	}
	if value == "" {
		t.Fatalf("no card with an Approve button was posted to Slack: %v", fake.posts)
	}
	payload, _ := json.Marshal(map[string]any{
		"type": "block_actions", "trigger_id": "t1",
		"user":      map[string]any{"id": "U1"},
		"channel":   map[string]any{"id": "C1"},
		"container": map[string]any{"channel_id": "C1", "message_ts": "1700000000.000001"},
		"actions":   []any{map[string]any{"action_id": "approve", "block_id": block, "value": value, "type": "button"}},
	})
	body := url.Values{"payload": {string(payload)}}.Encode()
	ts, sig := signSlack("shh", body)
	req, _ := http.NewRequest(http.MethodPost, s.base+"/slack/interactions", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("X-Slack-Request-Timestamp", ts)
	req.Header.Set("X-Slack-Signature", sig)
	shopper.do(req, http.StatusOK)
	if got := shopper.waitFor(n); !strings.Contains(got, n) {
		t.Fatalf("customer told %q", got)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
}

// The core learns each channel's abilities from the wiring: WeChat shows
// options as text, Telegram shares phone numbers with a button.
func TestCoreConfigKnowsChannelAbilities(t *testing.T) {
	cfg, err := loadConfig(func(k string) string {
		return map[string]string{"ORDERBOT_ENV_FILE": "/nonexistent/.env", "ORDERBOT_TIMEZONE": "Europe/London"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	c := coreConfig(cfg)
	if !c.TextOnly[bot.WeChat] || c.TextOnly[bot.Telegram] || c.TextOnly[bot.WebChat] {
		t.Errorf("TextOnly = %v, want WeChat only", c.TextOnly)
	}
	if !c.ContactButton[bot.Telegram] || c.ContactButton[bot.WeChat] {
		t.Errorf("ContactButton = %v, want Telegram only", c.ContactButton)
	}
	if c.Location.String() != "Europe/London" {
		t.Errorf("Location = %v", c.Location)
	}
}

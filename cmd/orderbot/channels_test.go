package main

import (
	"bytes"
	"crypto/sha1"
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
	if len(fake.menus) != 1 || !strings.Contains(fake.menus[0], "商品目录") {
		t.Fatalf("menus posted: %q", fake.menus)
	}
}

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/store/storetest"
)

// staffAPI creates an agent token "writer" and an approver token "boss"
// on the command line and returns a caller of the served API with them.
func staffAPI(t *testing.T, s *server, dsn string) func(token, method, path, body string, want int) map[string]any {
	t.Helper()
	tokens := map[string]string{}
	for name, role := range map[string]string{"writer": "agent", "boss": "approver"} {
		out, err := cli(t, dsn, "", "token", "create", "--name", name, "--role", role)
		if tokens[name] = printedToken.FindString(out); err != nil || tokens[name] == "" {
			t.Fatalf("token create: %q, %v", out, err)
		}
	}
	caller := s.newUser()
	return func(token, method, path, body string, want int) map[string]any {
		t.Helper()
		req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tokens[token])
		var got map[string]any
		if err := json.Unmarshal(caller.do(req, want), &got); err != nil {
			t.Fatal(err)
		}
		return got
	}
}

// sendApproved writes, submits and approves a broadcast through the API
// and waits until its report says it was delivered to want customers.
func sendApproved(t *testing.T, api func(token, method, path, body string, want int) map[string]any, body string, want int) {
	t.Helper()
	b := api("writer", "POST", "/api/v1/broadcasts", body, http.StatusCreated)
	path := fmt.Sprint("/api/v1/broadcasts/", b["id"])
	if got := api("writer", "POST", path+"/submit", "", http.StatusOK); got["audience"] != float64(want) {
		t.Fatalf("submitted: %v", got)
	}
	api("writer", "POST", path+"/approve", "", http.StatusForbidden)
	api("boss", "POST", path+"/approve", "", http.StatusOK)
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := api("writer", "GET", path, "", http.StatusOK)
		rep, _ := got["report"].(map[string]any)
		if got["status"] == "sent" && rep["targeted"] == float64(want) && rep["sent"] == float64(want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("broadcast not reported delivered: %v", got)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestBroadcastDeliveredEndToEnd: an agent writes a promotion through the
// served API, an approver approves it, and it reaches the web chat
// customer who subscribed, ending with how to unsubscribe, and only them.
func TestBroadcastDeliveredEndToEnd(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	s := startServer(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DEMO": "true"})
	defer func() {
		if err := s.stop(); err != nil {
			t.Error(err)
		}
	}()
	api := staffAPI(t, s, dsn)
	fan, other := s.newUser(), s.newUser()
	fan.say("hello")
	fan.say("subscribe")
	other.say("hello")

	sendApproved(t, api, `{"text_zh":"SPRING 新茶上市","text_en":"SPRING tea is in","segment":{"channels":["webchat"]}}`, 1)
	text := fan.waitFor("SPRING")
	if !strings.Contains(text, `"unsubscribe"`) && !strings.Contains(text, "退订") {
		t.Errorf("the promotion does not say how to stop them: %q", text)
	}
	var ms []message
	if err := json.Unmarshal(other.get("/chat/api/messages?after=0", http.StatusOK), &ms); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if strings.Contains(m.Text, "SPRING") {
			t.Errorf("a customer who never subscribed got %q", m.Text)
		}
	}
}

// telegramChat is a Bot API fake whose one customer (chat 42) writes the
// texts in turn, one per poll, and which records what the bot sends.
type telegramChat struct {
	mu    sync.Mutex
	texts []string
	next  int
	sent  []string
}

func (f *telegramChat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	method := r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	_ = r.ParseMultipartForm(1 << 20)
	w.Header().Set("Content-Type", "application/json")
	result := any(true)
	idle := false
	f.mu.Lock()
	switch method {
	case "getMe":
		result = map[string]any{"id": 1, "is_bot": true, "first_name": "Shop", "username": "shop_bot"}
	case "getUpdates":
		result, idle = []any{}, f.next == len(f.texts)
		if !idle {
			f.next++
			result = []any{map[string]any{"update_id": f.next, "message": map[string]any{
				"message_id": f.next, "date": 1, "text": f.texts[f.next-1],
				"chat": map[string]any{"id": 42, "type": "private"},
				"from": map[string]any{"id": 42, "first_name": "Li", "language_code": "en"},
			}}}
		}
	case "sendMessage":
		f.sent = append(f.sent, r.FormValue("chat_id")+": "+r.FormValue("text"))
		result = map[string]any{"message_id": 100 + len(f.sent), "date": 1, "chat": map[string]any{"id": 42, "type": "private"}}
	}
	f.mu.Unlock()
	if idle {
		// A long poll with nothing new: the client asks again soon.
		time.Sleep(50 * time.Millisecond)
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

// received waits for a message to chat 42 containing want.
func (f *telegramChat) received(t *testing.T, want string) string {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		f.mu.Lock()
		for _, m := range f.sent {
			if strings.HasPrefix(m, "42: ") && strings.Contains(m, want) {
				f.mu.Unlock()
				return m
			}
		}
		f.mu.Unlock()
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no message to chat 42 containing %q", want)
	return ""
}

// TestBroadcastDeliveredOnTelegram: a Telegram customer who typed
// "subscribe" gets an approved promotion through the Bot API.
func TestBroadcastDeliveredOnTelegram(t *testing.T) {
	fake := &telegramChat{texts: []string{"/start", "subscribe"}}
	tg := httptest.NewServer(fake)
	defer tg.Close()
	dsn := storetest.DSN(t, "sqlite")
	s := startServer(t, map[string]string{
		"ORDERBOT_DB": dsn, "ORDERBOT_DEMO": "true",
		"ORDERBOT_TELEGRAM_TOKEN": "123:test", "ORDERBOT_TELEGRAM_API": tg.URL + "/bot%s/%s",
	})
	defer func() {
		if err := s.stop(); err != nil {
			t.Error(err)
		}
	}()
	fake.received(t, "subscribed")
	api := staffAPI(t, s, dsn)
	sendApproved(t, api, `{"text_zh":"SPRING 新茶上市","text_en":"SPRING tea is in","segment":{"channels":["telegram"]}}`, 1)
	if got := fake.received(t, "SPRING tea is in"); !strings.HasSuffix(got, `Reply "unsubscribe" to stop receiving offers from us.`) {
		t.Errorf("the promotion on Telegram: %q", got)
	}
}

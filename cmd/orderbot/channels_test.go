package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
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

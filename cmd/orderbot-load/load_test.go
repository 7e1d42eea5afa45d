package main

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestTelegramCustomer runs a customer against a stand-in webhook that
// answers each update through the fake Bot API, as orderbot does: the
// customer must see the reply, measure it, and press the buttons offered.
func TestTelegramCustomer(t *testing.T) {
	api := newFakeBotAPI()
	apiSrv := httptest.NewServer(api)
	defer apiSrv.Close()
	var (
		mu      sync.Mutex
		pressed []string
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Telegram-Bot-Api-Secret-Token") != "s" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		var u struct {
			Message *struct {
				Chat struct{ ID int64 } `json:"chat"`
			} `json:"message"`
			CallbackQuery *struct {
				Data    string `json:"data"`
				Message struct {
					Chat struct{ ID int64 } `json:"chat"`
				} `json:"message"`
			} `json:"callback_query"`
		}
		json.NewDecoder(r.Body).Decode(&u)
		chat := int64(0)
		if u.Message != nil {
			chat = u.Message.Chat.ID
		} else {
			chat = u.CallbackQuery.Message.Chat.ID
			mu.Lock()
			pressed = append(pressed, u.CallbackQuery.Data)
			mu.Unlock()
		}
		w.WriteHeader(http.StatusOK)
		go http.PostForm(apiSrv.URL+"/bot1:x/sendMessage", url.Values{
			"chat_id":      {jsonInt(chat)},
			"text":         {"menu"},
			"reply_markup": {`{"inline_keyboard":[[{"text":"Browse","callback_data":"browse"}],[{"text":"Tea","callback_data":"cat:Tea"}]]}`},
		})
	}))
	defer hook.Close()

	c := newTelegramCustomer(42, hook.URL, "s", hook.Client(), api, new(atomic.Int64), 5*time.Second)
	ctx := context.Background()
	for _, s := range []step{{text: "menu"}, {press: "cat:"}} {
		got := c.do(ctx, s)
		if got.err != nil || got.lag <= 0 || got.ack <= 0 {
			t.Fatalf("step %+v: %+v", s, got)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(pressed) != 1 || pressed[0] != "cat:Tea" {
		t.Fatalf("pressed %v, want [cat:Tea]", pressed)
	}
	bad := newTelegramCustomer(43, hook.URL, "wrong", hook.Client(), api, new(atomic.Int64), time.Second)
	if got := bad.do(ctx, step{text: "menu"}); got.err == nil || !strings.Contains(got.err.Error(), "401") {
		t.Fatalf("refused webhook: %+v", got)
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestChoose(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	offered := []string{"browse", "sku:A", "sku:B", "cart"}
	for range 20 {
		if k := choose("sku:", offered, r); k != "sku:A" && k != "sku:B" {
			t.Fatalf("choose sku: = %q", k)
		}
	}
	if k := choose("checkout", offered, r); k != "" {
		t.Fatalf("choose absent key = %q, want none", k)
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond} {
		if got := percentile(ds, p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if percentile(nil, 99) != 0 {
		t.Error("percentile of nothing is not zero")
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-bin", "x", "-url", "http://y"},
		{"-url", "http://y", "-channel", "telegram"},
		{"-bin", "x", "-channel", "sms"},
		{"-bin", "x", "-customers", "0"},
	} {
		if _, err := parseFlags(args, new(strings.Builder)); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
	if _, err := parseFlags([]string{"-url", "http://y", "-channel", "webchat", "-rate", "100"}, new(strings.Builder)); err != nil {
		t.Errorf("valid flags refused: %v", err)
	}
}

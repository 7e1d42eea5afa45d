package wechat

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store/storetest"
)

// Every click key of the published menu does what its word does.
func TestMenuClicksAndFollowEvents(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), options{})
	ctx := context.Background()
	c := e.customer(alice)
	c.event("subscribe", "")
	for _, tc := range []struct{ key, want string }{
		{keyCatalog, "想看看哪一类商品"},
		{keyOrders, "订单"},
		{keyAfterSales, "售后"},
		{keyHelp, "以下指令随时可用"},
		{keyHuman, "人工客服"},
	} {
		e.clock.Add(time.Second)
		if got := c.event("CLICK", tc.key); !strings.Contains(got, tc.want) {
			t.Errorf("click %s answered:\n%s", tc.key, got)
		}
	}
	// The menu's labels are the chat's own names for the same options.
	main := c.say("菜单")
	for key, word := range menuWords() {
		if !strings.Contains(main, word) {
			t.Errorf("menu label %s (%s) is not in the chat's menu:\n%s", word, key, main)
		}
	}
	// Two clicks in the same second are two events.
	first, second := c.event("CLICK", keyCatalog), c.event("CLICK", keyHelp)
	if first == second {
		t.Fatalf("a second click in the same second got the first one's reply:\n%s", second)
	}
	// Unknown keys and other events are acknowledged and change nothing.
	if got := c.event("CLICK", "SOMETHING_ELSE"); got != "" {
		t.Fatalf("unknown click answered %q", got)
	}
	if got := c.event("VIEW", "https://shop.example"); got != "" {
		t.Fatalf("VIEW answered %q", got)
	}
	// Unfollowing marks the customer unreachable; writing again clears it.
	if got := c.event("unsubscribe", ""); got != "" {
		t.Fatalf("unsubscribe answered %q", got)
	}
	if cu, err := e.st.CustomerByUser(ctx, bot.WeChat, alice); err != nil || !cu.Unreachable {
		t.Fatalf("after unsubscribe: %+v, %v", cu, err)
	}
	e.clock.Add(time.Second)
	c.event("subscribe", "")
	if cu, _ := e.st.CustomerByUser(ctx, bot.WeChat, alice); cu.Unreachable {
		t.Fatal("a returning follower is still unreachable")
	}
}

func TestServerURLVerification(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), options{safe: true})
	now := e.clock.Now().Unix()
	q := e.signedQuery(now, "")
	q.Del("encrypt_type")
	q.Del("msg_signature")
	q.Set("echostr", "5837397520980137")
	if res := e.do(http.MethodGet, "/wechat?"+q.Encode(), nil); res.status != http.StatusOK || res.body != "5837397520980137" {
		t.Fatalf("verification answered %d %q", res.status, res.body)
	}
	bad := url.Values{}
	for k, v := range q {
		bad[k] = v
	}
	bad.Set("signature", strings.Repeat("0", 40))
	stale := e.signedQuery(now-int64(6*time.Minute/time.Second), "")
	stale.Set("echostr", "5837397520980137")
	for name, q := range map[string]url.Values{"bad signature": bad, "stale": stale} {
		if res := e.do(http.MethodGet, "/wechat?"+q.Encode(), nil); res.status != http.StatusUnauthorized || strings.Contains(res.body, "5837397520980137") {
			t.Errorf("%s: answered %d %q", name, res.status, res.body)
		}
	}
}

func TestNewTurnsTheLibraryLoggingDown(t *testing.T) {
	logrus.SetLevel(logrus.DebugLevel) // what the library's init does
	newEnv(t, storetest.SQLite(t), options{})
	if logrus.GetLevel() != logrus.WarnLevel {
		t.Fatalf("logrus level %s after New", logrus.GetLevel())
	}
}

func TestNewChecksTheConfiguration(t *testing.T) {
	good := Config{AppID: testAppID, AppSecret: testSecret, Token: testToken}
	for name, mutate := range map[string]func(*Config){
		"no app id":      func(c *Config) { c.AppID = "" },
		"no secret":      func(c *Config) { c.AppSecret = "" },
		"no token":       func(c *Config) { c.Token = "" },
		"short aes key":  func(c *Config) { c.AESKey = "abc" },
		"aes key base64": func(c *Config) { c.AESKey = strings.Repeat("!", 43) },
		"api url":        func(c *Config) { c.APIURL = "ftp://example" },
	} {
		cfg := good
		mutate(&cfg)
		if _, err := New(nil, nil, cfg); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

package main

import (
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// mpAPI is the 公众号 API as the server uses it here: access tokens and
// customer-service messages, which it records.
type mpAPI struct {
	mu    sync.Mutex
	texts map[string][]string // by openid
}

func (f *mpAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	switch {
	case strings.HasSuffix(r.URL.Path, "/stable_token"):
		_, _ = w.Write([]byte(`{"access_token":"TOKEN","expires_in":7200}`))
	case strings.HasSuffix(r.URL.Path, "/message/custom/send"):
		var m struct {
			ToUser string `json:"touser"`
			Text   struct {
				Content string `json:"content"`
			} `json:"text"`
		}
		_ = json.NewDecoder(r.Body).Decode(&m)
		f.mu.Lock()
		f.texts[m.ToUser] = append(f.texts[m.ToUser], m.Text.Content)
		f.mu.Unlock()
		_, _ = w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	default:
		_, _ = w.Write([]byte(`{"errcode":0,"errmsg":"ok"}`))
	}
}

// waitFor waits for a customer-service message to openID matching re.
func (f *mpAPI) waitFor(t *testing.T, openID string, re *regexp.Regexp) []string {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		f.mu.Lock()
		texts := append([]string(nil), f.texts[openID]...)
		f.mu.Unlock()
		for _, s := range texts {
			if m := re.FindStringSubmatch(s); m != nil {
				return m
			}
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t.Fatalf("no message to %s matching %s among %q", openID, re, f.texts[openID])
	return nil
}

// follower is a 公众号 follower writing to the shop through WeChat's
// pushes, answering numbered lists by number.
type follower struct {
	t      *testing.T
	s      *server
	token  string
	openID string
	seq    int
	last   string
}

func (c *follower) say(text string) string {
	c.t.Helper()
	c.seq++
	ts := fmt.Sprint(time.Now().Unix())
	nonce := fmt.Sprintf("n%d", c.seq)
	q := url.Values{"signature": {wechatSignature(c.token, ts, nonce)}, "timestamp": {ts}, "nonce": {nonce}}
	body := fmt.Sprintf(`<xml><ToUserName><![CDATA[gh_shop]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>`+
		`<CreateTime>%s</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId></xml>`,
		c.openID, ts, text, 7000+c.seq)
	res, err := http.Post(c.s.base+"/wechat?"+q.Encode(), "text/xml", strings.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var msg struct{ Content string }
	if res.StatusCode != http.StatusOK || (string(raw) != "success" && xml.Unmarshal(raw, &msg) != nil) {
		c.t.Fatalf("push %q: %d %s", text, res.StatusCode, raw)
	}
	c.last = msg.Content
	return c.last
}

// choose types the number of the option in the last reply whose label
// contains label.
func (c *follower) choose(label string) string {
	c.t.Helper()
	m := regexp.MustCompile(`(?m)^(\d+)\. .*` + regexp.QuoteMeta(label)).FindStringSubmatch(c.last)
	if m == nil {
		c.t.Fatalf("no option %q in the last reply:\n%s", label, c.last)
	}
	return c.say(m[1])
}

var payPageLink = regexp.MustCompile(`https://shop\.example(/wechatpay/pay\?\S+)`)

// TestWeChatPayInTheOfficialAccount: a follower of the 公众号 orders in WeChat, is
// sent the pay page link; opening it prepays a JSAPI order at WeChat for
// their OpenID and the order's amount; paying marks the order paid and
// the follower is told.
func TestWeChatPayInTheOfficialAccount(t *testing.T) {
	mp := &mpAPI{texts: map[string][]string{}}
	api := httptest.NewServer(mp)
	defer api.Close()
	env, fake := wechatPayShop(t, "sqlite")
	env["ORDERBOT_WECHAT_APP_ID"], env["ORDERBOT_WECHAT_APP_SECRET"], env["ORDERBOT_WECHAT_TOKEN"] = e2eAppID, "secret", "tok"
	env["ORDERBOT_WECHAT_API_URL"] = api.URL
	s := startServer(t, env)
	staff := s.newUser()
	staff.login("demo", "demo")
	c := &follower{t: t, s: s, token: "tok", openID: "oUpF8uMuAJO_M2pxb1Q9zNjWeS6o"}

	c.say("菜单")
	c.choose("浏览商品")
	c.choose("茶")
	c.choose("龙井")
	c.choose("加入购物车")
	c.say("2")
	c.choose("去结算")
	c.say("李雷")
	c.say("13800138000")
	c.say("浙江省杭州市文三路88号")
	n := orderNo.FindString(c.choose("微信支付"))
	if n == "" {
		t.Fatalf("no order number:\n%s", c.last)
	}
	link := mp.waitFor(t, c.openID, payPageLink)[1]
	res, err := http.Get(s.base + link)
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(res.Body)
	res.Body.Close()
	o := staff.apiOrder(n)
	w := fake.Order(n)
	if res.StatusCode != http.StatusOK || w.TradeType != "JSAPI" || w.OpenID != c.openID || w.Amount != o.Total || !strings.Contains(string(page), w.PrepayID) {
		t.Fatalf("pay page %d; WeChat has %+v for order %+v", res.StatusCode, w, o)
	}
	if code := s.notify(fake, fake.Notification("TRANSACTION.SUCCESS", fake.Pay(n), time.Now(), e2eKeys()[1])); code/100 != 2 {
		t.Fatalf("payment notification: %d", code)
	}
	if o := staff.apiOrder(n); o.PaymentStatus != "paid" {
		t.Fatalf("after paying in WeChat: %+v", o)
	}
	mp.waitFor(t, c.openID, regexp.MustCompile(`已收到您的付款`))
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
}

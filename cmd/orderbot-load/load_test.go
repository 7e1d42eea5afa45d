package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
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
		{"-url", "http://y", "-channel", "wechat"},
	} {
		if _, err := parseFlags(args, new(strings.Builder)); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
	for _, args := range [][]string{
		{"-url", "http://y", "-channel", "webchat", "-rate", "100"},
		{"-bin", "x", "-channel", "wechat", "-rate", "100"},
	} {
		if _, err := parseFlags(args, new(strings.Builder)); err != nil {
			t.Errorf("valid flags %q refused: %v", args, err)
		}
	}
}

func TestFlagsThinkAndSeed(t *testing.T) {
	for _, args := range [][]string{
		{"-bin", "x", "-think", "2s", "-rate", "10"},
		{"-bin", "x", "-think", "-1s"},
		{"-bin", "x", "-seed-customers", "-1"},
		{"-url", "http://y", "-channel", "webchat", "-seed-products", "10"},
		{"-url", "http://y", "-channel", "webchat", "-warmup", "5s"},
		{"-url", "http://y", "-channel", "webchat", "-cpuprofile", "cpu.pprof"},
		{"-bin", "x", "-warmup", "-1s"},
	} {
		if _, err := parseFlags(args, new(strings.Builder)); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
	o, err := parseFlags([]string{"-bin", "x", "-think", "2s", "-warmup", "3s", "-seed-customers", "100000", "-seed-products", "10000", "-seed-orders", "5"}, new(strings.Builder))
	if err != nil {
		t.Fatalf("valid flags refused: %v", err)
	}
	if o.think != 2*time.Second || o.warmup != 3*time.Second || o.seed != (seedSize{customers: 100000, products: 10000, orders: 5}) {
		t.Fatalf("parsed %+v", o)
	}
}

// stepClock is a driver that records when each of its steps began.
type stepClock struct {
	mu  sync.Mutex
	at  []time.Time
	err error
}

func (c *stepClock) do(ctx context.Context, s step) sample {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = append(c.at, time.Now())
	return sample{ack: time.Microsecond, lag: time.Microsecond, err: c.err}
}

// TestClosedLoopThinks checks that with -think a customer waits at least
// the think time after each reply before its next step, and that the
// customers do not all start in the same instant.
func TestClosedLoopThinks(t *testing.T) {
	const think = 40 * time.Millisecond
	clocks := []*stepClock{{}, {}, {}, {}}
	drivers := make([]driver, len(clocks))
	for i, c := range clocks {
		drivers[i] = c
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	begin := time.Now()
	res := newResults()
	closedLoop(ctx, drivers, journey, think, res)
	total := 0
	for i, c := range clocks {
		if len(c.at) == 0 {
			t.Fatalf("customer %d never stepped", i)
		}
		total += len(c.at)
		for j := 1; j < len(c.at); j++ {
			if gap := c.at[j].Sub(c.at[j-1]); gap < think {
				t.Fatalf("customer %d stepped again after %v, thinking %v", i, gap, think)
			}
		}
		if first, spread := c.at[0].Sub(begin), think*time.Duration(i)/time.Duration(len(clocks)); first < spread {
			t.Errorf("customer %d started after %v, before its place %v in the spread", i, first, spread)
		}
	}
	if len(res.lags) != total {
		t.Fatalf("%d samples for %d steps", len(res.lags), total)
	}
}

// TestSeedDatabase fills a migrated database as -seed-… does and reads it
// back through the store orderbot uses, with personal data sealed as in
// production: the rows must be orderbot's own, the run's Telegram chats
// must own some of the orders, and what orderbot adds afterwards must not
// collide with the seeded ids and numbers.
func TestSeedDatabase(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, backend)
			size := seedSize{customers: 30, products: 25, orders: 70}
			var log strings.Builder
			if err := seedDatabase(ctx, dsn, size, options{channel: "telegram", customers: 4}, &log); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(log.String(), "seeded 30 customers, 25 products, 70 orders") {
				t.Errorf("seed log %q", log.String())
			}
			s, err := store.Open(ctx, dsn, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			storetest.UseDataKey(t, s)

			ps, err := s.Products(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			cats := map[string]bool{}
			for _, p := range ps {
				cats[p.Category] = true
				if p.Stock <= 0 || p.Price <= 0 || p.NameZH == "" {
					t.Fatalf("seeded product %+v", p)
				}
			}
			if len(ps) != 25 || ps[0].SKU != "SEED-000001" || len(cats) != seedCategories {
				t.Fatalf("%d products in %d categories, first %+v", len(ps), len(cats), ps[0])
			}

			mine, err := s.CustomerByUser(ctx, "telegram", "1000000")
			if err != nil {
				t.Fatalf("the run's first chat: %v", err)
			}
			if mine.Name != "" || mine.Phone != "" {
				t.Fatalf("seeded customer has personal data: %+v", mine)
			}
			if _, err := s.CustomerByUser(ctx, "telegram", "2000029"); err != nil {
				t.Fatalf("the last seeded customer: %v", err)
			}
			orders, err := s.OrdersByCustomer(ctx, mine.ID, 20)
			if err != nil {
				t.Fatal(err)
			}
			if len(orders) != 3 { // orders 1, 31 and 61 go round to customer 1
				t.Fatalf("the first chat has %d orders, want 3", len(orders))
			}
			for _, o := range orders {
				var sum int64
				for _, it := range o.Items {
					sum += it.UnitPrice * int64(it.Qty)
				}
				if o.Status != bot.Completed || len(o.Items) == 0 || sum != o.Total || len(o.History) != 2 {
					t.Fatalf("seeded order %+v", o)
				}
			}
			if o, err := s.OrderByNumber(ctx, "100070"); err != nil || o.CustomerID == 0 {
				t.Fatalf("order 100070: %+v, %v", o, err)
			}

			// What orderbot adds next gets ids and numbers after the seed's.
			c, err := s.LockCustomer(ctx, "telegram", "42")
			if err != nil || c.ID <= 30 {
				t.Fatalf("new customer %+v, %v", c, err)
			}
			o, err := bot.NewOrder(c, []bot.OrderItem{{SKU: ps[0].SKU, Name: ps[0].Name, UnitPrice: ps[0].Price, Qty: 1}}, bot.Contact{Name: "Load Tester"}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := s.CreateOrder(ctx, o); err != nil {
				t.Fatalf("order after the seed: %v", err)
			}
			if n, _ := strconv.Atoi(o.Number); n <= 100070 {
				t.Fatalf("order after the seed numbered %s", o.Number)
			}
		})
	}
}

// runTool runs the tool on the orderbot binary bin with args, orderbot's
// log in the test's folder, and returns the report and what the tool said
// on stderr; a run that fails ends the test.
func runTool(t *testing.T, bin string, args ...string) (report, string) {
	t.Helper()
	o, err := parseFlags(append([]string{"-bin", bin, "-log", filepath.Join(t.TempDir(), "orderbot.log")}, args...), new(strings.Builder))
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	rep, err := measure(context.Background(), o, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	return rep, stderr.String()
}

// TestRunSeededAtHumanPace runs the tool as README shows, small: the real
// orderbot (built here) on a seeded SQLite database, Telegram customers
// thinking between steps. Every step must be answered with one message and
// the report must say what was stored and orderbot's memory.
func TestRunSeededAtHumanPace(t *testing.T) {
	rep, stderr := runTool(t, buildOrderbot(t), "-db", "sqlite", "-channel", "telegram", "-customers", "3",
		"-duration", "3s", "-think", "100ms", "-ceiling=false",
		"-seed-customers", "200", "-seed-products", "40", "-seed-orders", "300")
	if rep.Messages == 0 || rep.NoReply > 0 || len(rep.Errors) > 0 {
		t.Fatalf("report %+v", rep)
	}
	if rep.API.sends < int64(rep.Messages) || rep.RSSPeakMB <= 0 || rep.Think != 100*time.Millisecond {
		t.Fatalf("report %+v", rep)
	}
	if !strings.Contains(stderr, "seeded 200 customers, 40 products, 300 orders") {
		t.Fatalf("stderr %q", stderr)
	}
	var out strings.Builder
	rep.print(&out)
	for _, want := range []string{"thinking 100ms between steps", "stored before 200 customers, 40 products, 300 orders", "Bot API", "at most"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// standInWeChat is a stand-in for orderbot's POST /wechat: it checks each
// push as the adapter does (signature over token, timestamp and nonce; a
// nonce and MsgId never seen before) and answers through answer.
type standInWeChat struct {
	t      *testing.T
	token  string
	answer func(w http.ResponseWriter, n int) // n: the push's place, from 0

	mu     sync.Mutex
	nonces map[string]bool
	msgIDs map[int64]bool
	typed  []string
}

func (s *standInWeChat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("signature") != wechatSignature(s.token, q.Get("timestamp"), q.Get("nonce")) {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	var push struct {
		ToUserName, FromUserName, MsgType, Content string
		MsgID                                      int64 `xml:"MsgId"`
	}
	if err := xml.NewDecoder(r.Body).Decode(&push); err != nil || push.MsgType != "text" || push.ToUserName != wechatShop {
		s.t.Errorf("push %+v: %v", push, err)
	}
	s.mu.Lock()
	if s.nonces[q.Get("nonce")] || s.msgIDs[push.MsgID] {
		s.t.Errorf("nonce %s or MsgId %d pushed twice", q.Get("nonce"), push.MsgID)
	}
	s.nonces[q.Get("nonce")], s.msgIDs[push.MsgID] = true, true
	s.typed = append(s.typed, push.Content)
	n := len(s.typed) - 1
	s.mu.Unlock()
	s.answer(w, n)
}

// passiveXML is a passive text reply as orderbot writes it.
func passiveXML(to, content string) string {
	return fmt.Sprintf(`<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>`+
		`<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content></xml>`,
		to, wechatShop, time.Now().Unix(), content)
}

// TestWeChatCustomer runs a follower against a stand-in push endpoint that
// answers in place or acknowledges and sends a customer-service message
// through the fake WeChat API, as orderbot does: the follower must measure
// both ways, count which it was, type the numbers of the options offered,
// and take a passive reply to someone else or a refused push as an error.
func TestWeChatCustomer(t *testing.T) {
	api := newFakeWeChatAPI()
	apiSrv := httptest.NewServer(api)
	defer apiSrv.Close()
	tokenResp, err := http.Post(apiSrv.URL+"/cgi-bin/stable_token", "application/json",
		strings.NewReader(fmt.Sprintf(`{"grant_type":"client_credential","appid":%q,"secret":%q}`, wechatAppID, wechatSecret)))
	if err != nil {
		t.Fatal(err)
	}
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(tokenResp.Body).Decode(&tok)
	tokenResp.Body.Close()

	const csMenu = `想看看哪一类商品？` +
		"\n" + `<a href="weixin://bizmsgmenu?msgmenucontent=茶叶&msgmenuid=1">1. 茶叶</a>` +
		"\n" + `<a href="weixin://bizmsgmenu?msgmenucontent=返回&msgmenuid=2">2. 返回</a>`
	openID := wechatOpenID(7)
	stand := &standInWeChat{t: t, token: "tok", nonces: map[string]bool{}, msgIDs: map[int64]bool{}}
	stand.answer = func(w http.ResponseWriter, n int) {
		switch n {
		case 0:
			io.WriteString(w, passiveXML(openID, "您好！\n1. 浏览商品\n2. 我的订单"))
		case 1: // acknowledged, answered by customer-service message
			io.WriteString(w, "success")
			go func() {
				time.Sleep(20 * time.Millisecond)
				body, _ := json.Marshal(map[string]any{"touser": openID, "msgtype": "text", "text": map[string]string{"content": csMenu}})
				resp, err := http.Post(apiSrv.URL+"/cgi-bin/message/custom/send?access_token="+tok.AccessToken, "application/json", bytes.NewReader(body))
				if err == nil {
					resp.Body.Close()
				}
			}()
		default:
			io.WriteString(w, passiveXML("oSomeoneElse", "1. 浏览商品"))
		}
	}
	hook := httptest.NewServer(stand)
	defer hook.Close()

	ids := new(atomic.Int64)
	c := newWeChatCustomer(7, hook.URL, "tok", hook.Client(), api, ids, 5*time.Second)
	ctx := context.Background()
	passive := c.do(ctx, step{text: "菜单"})
	if passive.err != nil || passive.via != viaPassive || passive.ack <= 0 || passive.lag != passive.ack {
		t.Fatalf("passive step: %+v", passive)
	}
	cs := c.do(ctx, step{choose: "浏览商品"})
	if cs.err != nil || cs.via != viaCS || cs.lag <= cs.ack {
		t.Fatalf("customer-service step: %+v", cs)
	}
	if wrong := c.do(ctx, step{choose: anyItem}); wrong.err == nil || !strings.Contains(wrong.err.Error(), "not a text from") {
		t.Fatalf("a passive reply to someone else was taken: %+v", wrong)
	}
	stand.mu.Lock()
	typed := slices.Clone(stand.typed)
	stand.mu.Unlock()
	// "1" chose 浏览商品 of the passive reply, the next "1" 茶叶 of the
	// customer-service message, never its 返回.
	if !slices.Equal(typed, []string{"菜单", "1", "1"}) {
		t.Fatalf("typed %q", typed)
	}
	bad := newWeChatCustomer(8, hook.URL, "wrong", hook.Client(), api, ids, time.Second)
	if got := bad.do(ctx, step{text: "菜单"}); got.err == nil || !strings.Contains(got.err.Error(), "401") {
		t.Fatalf("refused push: %+v", got)
	}
	if n := api.count(); n.texts != 1 || n.refused != 0 {
		t.Fatalf("fake WeChat API counted %+v", n)
	}
}

func TestNumberedOptions(t *testing.T) {
	for _, tc := range []struct {
		content string
		want    []string
	}{
		{"您好！\n1. 浏览商品\n2. 我的订单", []string{"浏览商品", "我的订单"}},
		{"选择：\n" + `<a href="weixin://bizmsgmenu?msgmenucontent=茶叶&msgmenuid=1">1. 茶叶</a>` + "\n" +
			`<a href="weixin://bizmsgmenu?msgmenucontent=返回&msgmenuid=2">2. 返回</a>`, []string{"茶叶", "返回"}},
		{"订单 100001 已发货。\n2. not a list that starts at one", nil},
		{"请输入收货人姓名。", nil},
	} {
		if got := numberedOptions(tc.content); !slices.Equal(got, tc.want) {
			t.Errorf("numberedOptions(%q) = %q, want %q", tc.content, got, tc.want)
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	products := []string{"西湖龙井 250克 · ¥128.00", "白瓷盖碗 · ¥58.00", "下一页", "返回"}
	for range 20 {
		if n := chooseNumber(anyItem, products, r); n != "1" && n != "2" {
			t.Fatalf("chooseNumber(anyItem) = %q, want a product", n)
		}
	}
	if n := chooseNumber("去结算", []string{"查看购物车", "继续购物", "去结算"}, r); n != "3" {
		t.Fatalf("chooseNumber(去结算) = %q", n)
	}
	if n := chooseNumber("去结算", products, r); n != "" {
		t.Fatalf("chooseNumber of an absent option = %q", n)
	}
}

// buildOrderbot builds the orderbot binary for a test that starts it.
func buildOrderbot(t *testing.T) string {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and starts orderbot")
	}
	bin := filepath.Join(t.TempDir(), "orderbot")
	build := exec.Command("go", "build", "-o", bin, "github.com/orderbot/orderbot/cmd/orderbot")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build orderbot: %v\n%s", err, out)
	}
	return bin
}

// TestRunWeChat runs the tool's WeChat channel against the real orderbot
// on SQLite, as README shows, small: in closed and open loop every step is
// answered, in place; the passive reply is WeChat's reply XML addressed to
// the follower; a reply orderbot sends by customer-service message (a
// product with a picture) is measured at the fake API; and pushes signed
// with a wrong token are errors, not replies.
func TestRunWeChat(t *testing.T) {
	bin := buildOrderbot(t)
	for _, loop := range []struct {
		name string
		args []string
	}{
		{"closed loop", []string{"-customers", "3"}},
		{"open loop", []string{"-customers", "8", "-rate", "40"}},
	} {
		t.Run(loop.name, func(t *testing.T) {
			rep, _ := runTool(t, bin, append([]string{"-db", "sqlite", "-channel", "wechat", "-duration", "3s", "-ceiling=false"},
				loop.args...)...)
			// Fewer than a whole journey would not have reached checkout.
			if rep.Messages < len(wechatJourney) || rep.NoReply > 0 || len(rep.Errors) > 0 {
				t.Fatalf("report %+v", rep)
			}
			if rep.Passive != rep.Messages || rep.CS != 0 || rep.WeChatAPI.unexpected+rep.WeChatAPI.refused > 0 {
				t.Fatalf("passive %d, customer-service %d of %d; API %+v", rep.Passive, rep.CS, rep.Messages, rep.WeChatAPI)
			}
			var out strings.Builder
			rep.print(&out)
			want := fmt.Sprintf("answered by   %d passive replies (in the push's answer), 0 customer-service messages", rep.Messages)
			if !strings.Contains(out.String(), "channel wechat") || !strings.Contains(out.String(), want) {
				t.Errorf("report lacks %q:\n%s", want, out.String())
			}
		})
	}

	t.Run("reply XML, customer-service replies, wrong token", func(t *testing.T) {
		o, err := parseFlags([]string{"-bin", bin, "-channel", "wechat", "-log", filepath.Join(t.TempDir(), "orderbot.log")}, new(strings.Builder))
		if err != nil {
			t.Fatal(err)
		}
		wx := newFakeWeChatAPI()
		b, err := startOrderbot(context.Background(), o, platformAPIs(newFakeBotAPI(), wx), new(strings.Builder))
		if err != nil {
			t.Fatal(err)
		}
		defer b.stop()
		ids := new(atomic.Int64)
		ids.Store(wechatMsgIDBase)
		c := newWeChatCustomer(1, b.base, wechatToken, http.DefaultClient, wx, ids, 5*time.Second)
		body, err := c.pushXML("菜单")
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Post(b.base+"/wechat?"+c.signedQuery().Encode(), "text/xml", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var reply struct {
			XMLName                                    xml.Name `xml:"xml"`
			ToUserName, FromUserName, MsgType, Content string
			CreateTime                                 int64
		}
		err = xml.NewDecoder(resp.Body).Decode(&reply)
		resp.Body.Close()
		if err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("answer %s: %v", resp.Status, err)
		}
		if reply.ToUserName != wechatOpenID(1) || reply.FromUserName != wechatShop || reply.MsgType != "text" ||
			reply.CreateTime == 0 || !strings.Contains(reply.Content, ". 浏览商品") {
			t.Fatalf("passive reply %+v", reply)
		}

		// A product with a picture cannot be shown in the push's answer:
		// orderbot acknowledges it and sends the picture and the text as
		// customer-service messages, which the fake API must take.
		ctx := context.Background()
		ps, err := b.store.Products(ctx, false)
		if err != nil {
			t.Fatal(err)
		}
		for i := range ps {
			ps[i].ImageURL = "https://img.example/tea.jpg"
		}
		if err := b.store.UpsertProducts(ctx, ps); err != nil {
			t.Fatal(err)
		}
		calls0 := wx.count()
		var vias []via
		for _, s := range wechatJourney[:5] { // menu, browse, category, product, add
			got := c.do(ctx, s)
			if got.err != nil {
				t.Fatalf("step %+v: %v", s, got.err)
			}
			vias = append(vias, got.via)
		}
		if !slices.Equal(vias, []via{viaPassive, viaPassive, viaPassive, viaCS, viaPassive}) {
			t.Fatalf("steps answered via %v, want the product page by customer-service message", vias)
		}
		if n := wx.count().minus(calls0); n.texts != 1 || n.pictures != 1 || n.refused+n.unexpected != 0 {
			t.Fatalf("fake WeChat API counted %+v", n)
		}

		bad := []driver{newWeChatCustomer(2, b.base, "wrong-token", http.DefaultClient, wx, ids, time.Second)}
		lctx, cancel := context.WithTimeout(ctx, 500*time.Millisecond)
		defer cancel()
		res := newResults()
		closedLoop(lctx, bad, wechatJourney, 0, res)
		got := res.report(time.Second)
		if got.Messages != 0 || got.Passive+got.CS != 0 || got.NoReply != 0 || got.Errors["push answered 401 Unauthorized"] == 0 {
			t.Fatalf("wrong token reported as %+v", got)
		}
	})
}

// TestDatabaseCPUPerMessage: against a MariaDB running on this machine the
// report splits a message's cost between orderbot, the database and the
// load tool, gives the database's CPU per raw transaction beside it, and
// how busy the machine was.
func TestDatabaseCPUPerMessage(t *testing.T) {
	dsn := os.Getenv("ORDERBOT_TEST_MYSQL_DSN")
	if dsn == "" || databaseServer(context.Background(), "mysql:"+dsn) == 0 {
		t.Skip("needs ORDERBOT_TEST_MYSQL_DSN and the database server on this machine")
	}
	rep, _ := runTool(t, buildOrderbot(t), "-db", "mysql:"+dsn, "-channel", "webchat", "-customers", "4", "-duration", "2s")
	if rep.Messages == 0 || rep.DBCPUPerMsg <= 0 || rep.DBCPUPerTxn <= 0 || rep.ToolCPUPerMsg <= 0 || rep.MachineBusy <= 0 || rep.MachineBusy > 1 {
		t.Fatalf("report %+v", rep)
	}
	var out strings.Builder
	rep.print(&out)
	for _, want := range []string{"database CPU", "per raw transaction", "load tool CPU", "cores"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

// TestProcessCPU: the CPU a process used grows as it works.
func TestProcessCPU(t *testing.T) {
	before := processCPU(os.Getpid())
	for start := time.Now(); time.Since(start) < 100*time.Millisecond; {
	}
	if after := processCPU(os.Getpid()); after <= before {
		t.Errorf("CPU %v after working 100 ms, %v before", after, before)
	}
	if processCPU(0) != 0 {
		t.Error("no process, yet some CPU")
	}
}

// TestRunWebChatManyShoppers: more web chat shoppers than the limit of new
// customers an hour from one address are all answered, each coming from an
// address of its own through the trusted proxy.
func TestRunWebChatManyShoppers(t *testing.T) {
	rep, _ := runTool(t, buildOrderbot(t), "-db", "sqlite", "-channel", "webchat", "-customers", "70", "-duration", "2s", "-ceiling=false")
	if rep.Messages < 70 || len(rep.Errors) > 0 {
		t.Fatalf("%d answered, errors %v", rep.Messages, rep.Errors)
	}
}

func TestShopperAddr(t *testing.T) {
	seen := map[string]bool{}
	for _, n := range []int{0, 1, 255, 256, 65535, 65536, 131071} {
		a, err := netip.ParseAddr(shopperAddr(n))
		if err != nil || !netip.MustParsePrefix("198.18.0.0/15").Contains(a) || seen[a.String()] {
			t.Errorf("shopper %d: %q, %v", n, shopperAddr(n), err)
		}
		seen[a.String()] = true
	}
}

// TestDatabaseServerIsTheOneTheDSNNames: the process whose CPU the report
// counts is the server the DSN names, found through its pid file, never
// another database server on the machine; none for a DSN that reaches
// nothing.
func TestDatabaseServerIsTheOneTheDSNNames(t *testing.T) {
	ctx := context.Background()
	if pid := databaseServer(ctx, "mysql:root@tcp(127.0.0.1:1)/"); pid != 0 {
		t.Errorf("no server, yet process %d", pid)
	}
	dsn := os.Getenv("ORDERBOT_TEST_MYSQL_DSN")
	if dsn == "" {
		t.Skip("needs ORDERBOT_TEST_MYSQL_DSN")
	}
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var path string
	if err := db.QueryRow("SELECT @@pid_file").Scan(&path); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("the server's pid file is not on this machine: %v", err)
	}
	if got := databaseServer(ctx, "mysql:"+dsn); fmt.Sprint(got) != strings.TrimSpace(string(raw)) {
		t.Errorf("found process %d; the server's pid file says %s", got, raw)
	}
}

package wechat

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

const (
	testAppID  = "wx0123456789abcdef"
	testSecret = "app-secret"
	testToken  = "server-token"
	testAESKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG" // 43 characters, as the 公众平台 shows it
	shopID     = "gh_0123456789ab"
	templateID = "TPL-order-status"
)

// clock is a settable clock shared by the core, the dispatcher and the adapter.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now().UTC().Truncate(time.Second)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// options vary the test setup.
type options struct {
	safe     bool
	template string
	deadline time.Duration
	// wrap decorates the core as the adapter sees it (to make it slow).
	wrap func(Service) Service
	// observe is the adapter's ObservePassiveReply hook.
	observe func(elapsed time.Duration, inPlace bool)
	// log, when set, is the adapter's logger instead of the test's.
	log *slog.Logger
}

// env is the adapter on httptest in front of a real core on a real store,
// a real dispatcher with the adapter as its WeChat sender, and the fake API.
type env struct {
	t     *testing.T
	opts  options
	st    *store.Store
	svc   *bot.Service
	clock *clock
	api   *fakeAPI
	a     *Adapter
	srv   *httptest.Server
	disp  *bot.Dispatcher
	msgID atomic.Int64
}

func newEnv(t *testing.T, st *store.Store, opts options) *env {
	t.Helper()
	ctx := context.Background()
	e := &env{t: t, opts: opts, st: st, clock: newClock(), api: newFakeAPI(t, testAppID, testSecret)}
	e.msgID.Store(24000000000000000)
	log := storetest.Logger(t)
	e.svc = bot.NewService(st, log, bot.Config{
		StaffChannels: []string{bot.WebChat},
		Clock:         e.clock.Now,
		ReplyHold:     map[string]time.Duration{bot.WeChat: 5 * time.Second},
	}, nil)
	err := e.svc.ImportCatalog(ctx, "test", []bot.Product{
		{SKU: "TEA", Name: "Green tea", NameZH: "绿茶", Category: "Tea", Price: 3800, Stock: 100, Active: true},
		{SKU: "POT", Name: "Clay pot", NameZH: "紫砂壶", Category: "Tea", Price: 16800, Stock: 10, Active: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SaveStaff(ctx, bot.Staff{Channel: bot.WebChat, UserID: "alice", Name: "alice", Role: bot.Approver}); err != nil {
		t.Fatal(err)
	}
	var svc Service = e.svc
	if opts.wrap != nil {
		svc = opts.wrap(svc)
	}
	cfg := Config{
		AppID: testAppID, AppSecret: testSecret, Token: testToken,
		APIURL: e.api.srv.URL, TemplateOrderStatus: opts.template,
		ReplyDeadline: opts.deadline, Clock: e.clock.Now, ObservePassiveReply: opts.observe,
	}
	if opts.safe {
		cfg.AESKey = testAESKey
	}
	alog := log
	if opts.log != nil {
		alog = opts.log
	}
	if e.a, err = New(svc, alog, cfg); err != nil {
		t.Fatal(err)
	}
	// The core's runs may outlive their push; they must end before the store closes.
	t.Cleanup(e.a.running.wait)
	mux := http.NewServeMux()
	e.a.Register(mux)
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	e.disp = bot.NewDispatcher(st, map[string]bot.Sender{bot.WeChat: e.a, bot.WebChat: nopSender{}}, log,
		bot.DispatcherConfig{Owner: "test", Clock: e.clock.Now})
	return e
}

// nopSender takes the staff cards meant for the web console.
type nopSender struct{}

func (nopSender) Send(context.Context, *bot.Message) (string, error) { return "", nil }

// deliver runs the dispatcher once, as its loop would.
func (e *env) deliver() int {
	e.t.Helper()
	n, err := e.disp.DeliverDue(context.Background())
	if err != nil {
		e.t.Fatalf("deliver: %v", err)
	}
	return n
}

// response is the adapter's answer to one request.
type response struct {
	status  int
	body    string
	elapsed time.Duration
}

// signedQuery is the query WeChat puts on a push: signed over token,
// timestamp and nonce, and in safe mode also over the encrypted body.
func (e *env) signedQuery(ts int64, encrypted string) url.Values {
	nonce := randomHex(5)
	q := url.Values{
		"timestamp": {strconv.FormatInt(ts, 10)},
		"nonce":     {nonce},
		"signature": {util.Signature(testToken, strconv.FormatInt(ts, 10), nonce)},
	}
	if e.opts.safe {
		q.Set("encrypt_type", "aes")
		q.Set("msg_signature", util.Signature(testToken, strconv.FormatInt(ts, 10), nonce, encrypted))
	}
	return q
}

// wrap builds the body WeChat posts for a message: as it is in plain mode,
// encrypted with the account's key in safe mode. It returns the body and
// the value msg_signature covers.
func (e *env) wrap(raw string) (body, encrypted string) {
	if !e.opts.safe {
		return raw, ""
	}
	random := make([]byte, 16)
	rand.Read(random)
	enc, err := util.EncryptMsg(random, []byte(raw), testAppID, testAESKey)
	if err != nil {
		e.t.Fatal(err)
	}
	return fmt.Sprintf("<xml><ToUserName><![CDATA[%s]]></ToUserName><Encrypt><![CDATA[%s]]></Encrypt></xml>", shopID, enc), string(enc)
}

// push posts a message the way WeChat does, signed at the current time.
func (e *env) push(raw string) response {
	e.t.Helper()
	body, enc := e.wrap(raw)
	return e.post(e.signedQuery(e.clock.Now().Unix(), enc), body)
}

func (e *env) post(q url.Values, body string) response {
	e.t.Helper()
	return e.do(http.MethodPost, "/wechat?"+q.Encode(), strings.NewReader(body))
}

func (e *env) do(method, target string, body io.Reader) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+target, body)
	if err != nil {
		e.t.Fatal(err)
	}
	start := time.Now()
	res, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatalf("%s %s: %v", method, target, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return response{status: res.StatusCode, body: string(b), elapsed: time.Since(start)}
}

// passive decodes the text of a passive reply, checking it is addressed
// back to the customer and, in safe mode, signed and encrypted correctly.
// An acknowledgement without a reply gives "".
func (e *env) passive(res response, openID string) string {
	e.t.Helper()
	if res.status != http.StatusOK {
		e.t.Fatalf("push answered %d: %s", res.status, res.body)
	}
	raw := res.body
	if e.opts.safe {
		if raw == "" {
			return ""
		}
		var env message.ResponseEncryptedXMLMsg
		if err := xml.Unmarshal([]byte(raw), &env); err != nil {
			e.t.Fatalf("encrypted reply %q: %v", raw, err)
		}
		ts := strconv.FormatInt(env.Timestamp, 10)
		if env.MsgSignature != util.Signature(testToken, ts, env.Nonce, env.EncryptedMsg) {
			e.t.Fatalf("encrypted reply has a bad signature: %+v", env)
		}
		_, plain, err := util.DecryptMsg(testAppID, env.EncryptedMsg, testAESKey)
		if err != nil {
			e.t.Fatalf("decrypt reply: %v", err)
		}
		raw = string(plain)
	} else if raw == "success" {
		return ""
	}
	var msg struct {
		ToUserName   string
		FromUserName string
		MsgType      string
		Content      string
	}
	if err := xml.Unmarshal([]byte(raw), &msg); err != nil {
		e.t.Fatalf("reply %q: %v", raw, err)
	}
	if msg.ToUserName != openID || msg.FromUserName != shopID || msg.MsgType != "text" || msg.Content == "" {
		e.t.Fatalf("reply is not a text to %s: %+v", openID, msg)
	}
	return msg.Content
}

func (e *env) nextMsgID() int64 { return e.msgID.Add(1) }

func textXML(openID string, msgID, created int64, content string) string {
	return fmt.Sprintf(`<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>`+
		`<CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId></xml>`,
		shopID, openID, created, content, msgID)
}

func imageXML(openID string, msgID, created int64, mediaID, picURL string) string {
	return fmt.Sprintf(`<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>`+
		`<CreateTime>%d</CreateTime><MsgType><![CDATA[image]]></MsgType><PicUrl><![CDATA[%s]]></PicUrl>`+
		`<MediaId><![CDATA[%s]]></MediaId><MsgId>%d</MsgId></xml>`,
		shopID, openID, created, picURL, mediaID, msgID)
}

func eventXML(openID string, created int64, event, key string) string {
	return fmt.Sprintf(`<xml><ToUserName><![CDATA[%s]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName>`+
		`<CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[%s]]></Event>`+
		`<EventKey><![CDATA[%s]]></EventKey></xml>`,
		shopID, openID, created, event, key)
}

// customer is one follower of the account chatting with it.
type customer struct {
	e      *env
	openID string
	last   string // the last passive reply
}

func (e *env) customer(openID string) *customer { return &customer{e: e, openID: openID} }

// say sends text and returns the passive reply.
func (c *customer) say(text string) string {
	c.e.t.Helper()
	c.last = c.e.passive(c.e.push(textXML(c.openID, c.e.nextMsgID(), c.e.clock.Now().Unix(), text)), c.openID)
	return c.last
}

func (c *customer) event(event, key string) string {
	c.e.t.Helper()
	c.last = c.e.passive(c.e.push(eventXML(c.openID, c.e.clock.Now().Unix(), event, key)), c.openID)
	return c.last
}

// choose types the number of the option in the last reply whose label
// contains label, the way a customer answers a numbered list.
func (c *customer) choose(label string) string {
	c.e.t.Helper()
	re := regexp.MustCompile(`(?m)^(\d+)\. .*` + regexp.QuoteMeta(label))
	m := re.FindStringSubmatch(c.last)
	if m == nil {
		c.e.t.Fatalf("no option %q in the last reply:\n%s", label, c.last)
	}
	return c.say(m[1])
}

var orderNumber = regexp.MustCompile(`\b1\d{5}\b`)

// order takes the customer from the menu through checkout by typing option
// numbers, and returns the order number.
func (c *customer) order(product string, qty int) string {
	c.e.t.Helper()
	c.say("菜单")
	c.choose("浏览商品")
	c.choose("Tea")
	c.choose(product)
	c.choose("加入购物车")
	c.say(strconv.Itoa(qty))
	c.choose("去结算")
	c.say("李雷")
	c.say("13800138000")
	c.say("浙江省杭州市文三路88号")
	reply := c.choose("确认下单")
	n := orderNumber.FindString(reply)
	if n == "" {
		c.e.t.Fatalf("no order number after confirming:\n%s", reply)
	}
	return n
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

func quietLog() *slog.Logger { return slog.New(slog.DiscardHandler) }

package wechat

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

const alice = "oAliceAliceAliceAliceAlice01" // an OpenID: 28 characters

var modes = []struct {
	name string
	safe bool
}{{"plain", false}, {"safe", true}}

// The main journey: a new follower orders in Chinese by typing option
// numbers, and every answer arrives in place, in plain and in safe mode.
func TestOrderInChineseByTypingNumbers(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				e := newEnv(t, st, options{safe: mode.safe})
				c := e.customer(alice)
				welcome := c.event("subscribe", "")
				if !strings.Contains(welcome, "欢迎") || !strings.Contains(welcome, "1. 浏览商品") {
					t.Fatalf("a new follower got no Chinese welcome with the menu:\n%s", welcome)
				}
				n := c.order("绿茶", 2)
				o, err := st.OrderByNumber(ctx, n)
				if err != nil {
					t.Fatal(err)
				}
				if o.Status != bot.Pending || o.Total != 7600 || o.Contact.Phone != "13800138000" || o.Contact.Name != "李雷" {
					t.Fatalf("order %+v", o)
				}
				// The menu's CLICK stands for 我的订单.
				e.clock.Add(time.Second)
				if got := c.event("CLICK", keyOrders); !strings.Contains(got, n) {
					t.Fatalf("我的订单 from the menu does not list %s:\n%s", n, got)
				}
				// Everything was answered in place: nothing is left to send.
				e.clock.Add(time.Minute)
				e.deliver()
				if cs := e.api.csMessages(); len(cs) != 0 {
					t.Fatalf("replies answered in place were sent again: %+v", cs)
				}
				for _, m := range e.feed(alice) {
					if m.Path != pathPassive || m.DeliveredAt.IsZero() {
						t.Fatalf("reply %d %q: path %q, delivered %v", m.ID, m.Text, m.Path, m.DeliveredAt)
					}
				}
				if last, _, err := e.svc.Window(ctx, bot.WeChat, alice, pathCS); err != nil || last.IsZero() {
					t.Fatalf("last inbound not recorded: %v, %v", last, err)
				}
			})
		})
	}
}

// WeChat re-pushes a message it got no answer to; each retry gets the very
// same reply and the order is placed once.
func TestReplayedPushPlacesOneOrder(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				ctx := context.Background()
				e := newEnv(t, st, options{safe: mode.safe})
				c := e.customer(alice)
				c.say("菜单")
				for _, label := range []string{"浏览商品", "Tea", "紫砂壶", "加入购物车"} {
					c.choose(label)
				}
				c.say("3")
				c.choose("去结算")
				c.say("李雷")
				c.say("13800138000")
				summary := c.say("浙江省杭州市文三路88号")
				confirm := numberOf(t, summary, "确认下单")
				raw := textXML(alice, e.nextMsgID(), e.clock.Now().Unix(), confirm)
				var replies []string
				for range 3 {
					replies = append(replies, e.passive(e.push(raw), alice))
					e.clock.Add(5 * time.Second)
				}
				if replies[0] == "" || orderNumber.FindString(replies[0]) == "" || replies[1] != replies[0] || replies[2] != replies[0] {
					t.Fatalf("replies to the same push differ:\n%q", replies)
				}
				orders, err := st.OrdersByStatus(ctx, []bot.OrderStatus{bot.Pending}, 10)
				if err != nil || len(orders) != 1 || orders[0].Items[0].Qty != 3 {
					t.Fatalf("orders %+v, %v", orders, err)
				}
				if p, _ := st.Product(ctx, "POT"); p.Stock != 7 {
					t.Fatalf("stock %d after one order of 3 from 10", p.Stock)
				}
			})
		})
	}
}

func numberOf(t *testing.T, reply, label string) string {
	t.Helper()
	for _, line := range strings.Split(reply, "\n") {
		if n, rest, ok := strings.Cut(line, ". "); ok && strings.Contains(rest, label) {
			return n
		}
	}
	t.Fatalf("no option %q in:\n%s", label, reply)
	return ""
}

// slowService makes the core take its time, as under a database stall.
type slowService struct {
	Service
	delay time.Duration
}

func (s slowService) HandleInbound(ctx context.Context, in bot.Inbound) ([]*bot.Message, error) {
	time.Sleep(s.delay)
	return s.Service.HandleInbound(ctx, in)
}

// slowOnce is slow for its first push only.
type slowOnce struct {
	Service
	delay time.Duration
	calls *atomic.Int32
}

func (s slowOnce) HandleInbound(ctx context.Context, in bot.Inbound) ([]*bot.Message, error) {
	if s.calls.Add(1) == 1 {
		time.Sleep(s.delay)
	}
	return s.Service.HandleInbound(ctx, in)
}

// WeChat retries a push whose acknowledgement it did not get. While the
// reply is still held back for us the retry gets it in place; once the
// dispatcher sent it, the retry is only acknowledged, so the customer
// never gets it twice.
func TestRetryOfALateReply(t *testing.T) {
	for _, tc := range []struct {
		name       string
		retryAfter time.Duration
		passive    bool
	}{{"within the hold", 3 * time.Second, true}, {"after the dispatcher sent it", 6 * time.Second, false}} {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			slow := func(s Service) Service { return slowOnce{s, time.Second, &calls} }
			e := newEnv(t, storetest.SQLite(t), options{deadline: 300 * time.Millisecond, wrap: slow})
			raw := textXML(alice, e.nextMsgID(), e.clock.Now().Unix(), "菜单")
			if got := e.passive(e.push(raw), alice); got != "" {
				t.Fatalf("slow push answered %q", got)
			}
			e.a.running.wait()
			e.clock.Add(tc.retryAfter)
			e.deliver()
			retry := e.passive(e.push(raw), alice)
			e.clock.Add(10 * time.Second)
			e.deliver()
			cs := e.api.csMessages()
			if tc.passive && (!strings.Contains(retry, "浏览商品") || len(cs) != 0) {
				t.Fatalf("retry answered %q, customer-service messages %d", retry, len(cs))
			}
			if !tc.passive && (retry != "" || len(cs) != 1) {
				t.Fatalf("retry answered %q, customer-service messages %d", retry, len(cs))
			}
		})
	}
}

// A step slower than the deadline is acknowledged at once and its reply
// goes out as a customer-service message once the reply hold is over.
func TestSlowStepIsAcknowledgedAndSentLater(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				slow := func(s Service) Service { return slowService{s, time.Second} }
				e := newEnv(t, st, options{safe: mode.safe, deadline: 300 * time.Millisecond, wrap: slow})
				res := e.push(textXML(alice, e.nextMsgID(), e.clock.Now().Unix(), "菜单"))
				if got := e.passive(res, alice); got != "" || res.elapsed > 900*time.Millisecond {
					t.Fatalf("slow step answered %q after %s; want an acknowledgement at the deadline", res.body, res.elapsed)
				}
				if mode.safe && res.body != "" || !mode.safe && res.body != "success" {
					t.Fatalf("acknowledgement %q", res.body)
				}
				e.a.running.wait() // the core finishes and commits after the answer
				e.deliver()
				if cs := e.api.csMessages(); len(cs) != 0 {
					t.Fatalf("the dispatcher sent during the reply hold: %+v", cs)
				}
				e.clock.Add(6 * time.Second)
				e.deliver()
				cs := e.api.csMessages()
				if len(cs) != 1 || cs[0].ToUser != alice || cs[0].MsgType != "text" ||
					!strings.Contains(cs[0].Text.Content, `<a href="weixin://bizmsgmenu?msgmenucontent=浏览商品&msgmenuid=1">1. 浏览商品</a>`) {
					t.Fatalf("late reply not sent as a customer-service message with clickable options: %+v", cs)
				}
				feed := e.feed(alice)
				if last := feed[len(feed)-1]; last.Path != pathCS {
					t.Fatalf("late reply went out by %q", last.Path)
				}
			})
		})
	}
}

// The real deadline: a step of 6 s is acknowledged within WeChat's 5 s.
func TestSixSecondStepAnsweredWithinFive(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 6 s")
	}
	slow := func(s Service) Service { return slowService{s, 6 * time.Second} }
	e := newEnv(t, storetest.SQLite(t), options{wrap: slow})
	res := e.push(textXML(alice, e.nextMsgID(), e.clock.Now().Unix(), "菜单"))
	if res.status != http.StatusOK || res.body != "success" || res.elapsed >= 5*time.Second {
		t.Fatalf("answered %d %q after %s", res.status, res.body, res.elapsed)
	}
	e.a.running.wait()
	e.clock.Add(6 * time.Second)
	e.deliver()
	if cs := e.api.csMessages(); len(cs) != 1 {
		t.Fatalf("%d customer-service messages, want the late reply", len(cs))
	}
}

// A photo sent while filing an after-sales request is kept as one
// reference carrying the MediaId and the PicUrl.
func TestPhotoIsTheAfterSalesMediaReference(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		e := newEnv(t, st, options{})
		c := e.customer(alice)
		n := c.order("绿茶", 1)
		e.staff(n, bot.ActApprove, nil)
		e.staff(n, bot.ActShip, func(a *bot.StaffAction) { a.Carrier, a.Tracking = "顺丰", "SF1234567890" })
		c.say("售后")
		c.choose(n)
		c.choose("退货")
		c.say("壶盖裂了")
		pic := "http://mmbiz.qpic.cn/mmbiz_jpg/abc/0?wx_fmt=jpeg"
		got := e.passive(e.push(imageXML(alice, e.nextMsgID(), e.clock.Now().Unix(), "MEDIA-1", pic)), alice)
		if !strings.Contains(got, "1 张") {
			t.Fatalf("one photo not counted as one:\n%s", got)
		}
		c.last = got
		c.choose("完成")
		c.choose("提交申请")
		o, err := st.OrderByNumber(ctx, n)
		if err != nil {
			t.Fatal(err)
		}
		reqs, err := st.AfterSalesByOrder(ctx, o.ID)
		if err != nil || len(reqs) != 1 {
			t.Fatalf("requests %+v, %v", reqs, err)
		}
		want := "wechat-media:MEDIA-1?pic_url=" + url.QueryEscape(pic)
		if len(reqs[0].Media) != 1 || reqs[0].Media[0] != want {
			t.Fatalf("media %q, want [%q]", reqs[0].Media, want)
		}
	})
}

// staff acts on the order's card in the web console as alice.
func (e *env) staff(number, action string, edit func(*bot.StaffAction)) {
	e.t.Helper()
	ctx := context.Background()
	o, err := e.st.OrderByNumber(ctx, number)
	if err != nil {
		e.t.Fatal(err)
	}
	a := bot.StaffAction{Channel: bot.WebChat, UserID: "alice", Ref: fmt.Sprintf("order:%d", o.ID), Action: action, Version: o.Version}
	if edit != nil {
		edit(&a)
	}
	if _, err := e.svc.HandleStaffAction(ctx, a); err != nil {
		e.t.Fatalf("%s %s: %v", action, number, err)
	}
}

// feed is every message queued for a WeChat customer, with path and state.
func (e *env) feed(openID string) []*bot.Message {
	e.t.Helper()
	ms, err := e.st.Feed(context.Background(), bot.WeChat, openID, 0, 1000)
	if err != nil {
		e.t.Fatal(err)
	}
	return ms
}

// nothingRecorded fails when a refused push left a trace of the customer.
func (e *env) nothingRecorded(openID string, msgID int64) {
	e.t.Helper()
	ctx := context.Background()
	if c, err := e.st.CustomerByUser(ctx, bot.WeChat, openID); !errors.Is(err, bot.ErrNotFound) {
		e.t.Errorf("a refused push created customer %+v (%v)", c, err)
	}
	key := "wechat:msg:" + openID + ":" + strconv.FormatInt(msgID, 10)
	if _, err := e.st.InboundReply(ctx, key); !errors.Is(err, bot.ErrNotFound) {
		e.t.Errorf("a refused push recorded inbound %s (%v)", key, err)
	}
}

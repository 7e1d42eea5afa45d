package wechat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// notice returns the customer's queued notice about an order.
func (e *env) notice(openID, number string) *bot.Message {
	e.t.Helper()
	for _, m := range e.feed(openID) {
		if m.Kind == bot.KindNotice && m.Notice != nil && m.Notice.OrderNumber == number {
			return m
		}
	}
	e.t.Fatalf("no notice about %s for %s", number, openID)
	return nil
}

// An approval in the staff console reaches the WeChat customer as a
// customer-service message while the 48-hour window is open.
func TestApprovalSentAsCustomerServiceMessage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, options{template: templateID})
		n := e.customer(alice).order("绿茶", 1)
		e.clock.Add(47 * time.Hour)
		e.staff(n, bot.ActApprove, nil)
		e.deliver()
		cs := e.api.csMessages()
		if len(cs) != 1 || cs[0].ToUser != alice || !strings.Contains(cs[0].Text.Content, n) || !strings.Contains(cs[0].Text.Content, "确认") {
			t.Fatalf("customer-service messages %+v", cs)
		}
		if m := e.notice(alice, n); m.Path != pathCS || m.DeliveredAt.IsZero() {
			t.Fatalf("notice path %q delivered %v", m.Path, m.DeliveredAt)
		}
		if tm := e.api.templateMessages(); len(tm) != 0 {
			t.Fatalf("template sent inside the window: %+v", tm)
		}
	})
}

// Outside the window an order-status notice goes out as the configured
// template message.
func TestApprovalOutsideTheWindowSentAsTemplate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, options{template: templateID})
		n := e.customer(alice).order("绿茶", 1)
		e.clock.Add(49 * time.Hour)
		e.staff(n, bot.ActApprove, nil)
		e.deliver()
		if cs := e.api.csMessages(); len(cs) != 0 {
			t.Fatalf("customer-service message outside the window: %+v", cs)
		}
		tm := e.api.templateMessages()
		if len(tm) != 1 || tm[0].ToUser != alice || tm[0].TemplateID != templateID ||
			tm[0].Data["keyword1"].Value != n || tm[0].Data["keyword2"].Value != "已确认" || !strings.Contains(tm[0].Data["first"].Value, n) {
			t.Fatalf("template messages %+v", tm)
		}
		m := e.notice(alice, n)
		if m.Path != pathTemplate || m.ExternalID != "9001" {
			t.Fatalf("notice path %q, external id %q", m.Path, m.ExternalID)
		}
	})
}

// Without a template the notice waits and leads the reply to the
// customer's next message.
func TestApprovalOutsideTheWindowHeldForTheNextReply(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				e := newEnv(t, st, options{safe: mode.safe})
				c := e.customer(alice)
				n := c.order("绿茶", 1)
				e.clock.Add(49 * time.Hour)
				e.staff(n, bot.ActApprove, nil)
				e.deliver()
				if cs, tm := e.api.csMessages(), e.api.templateMessages(); len(cs)+len(tm) != 0 {
					t.Fatalf("sent outside the window without a template: %+v %+v", cs, tm)
				}
				if m := e.notice(alice, n); !m.DeliveredAt.IsZero() || m.Path != "held" {
					t.Fatalf("notice not held: path %q, delivered %v", m.Path, m.DeliveredAt)
				}
				reply := c.say("菜单")
				if !strings.HasPrefix(reply, e.notice(alice, n).Text) || !strings.Contains(reply, "浏览商品") {
					t.Fatalf("the held notice does not lead the reply:\n%s", reply)
				}
				if m := e.notice(alice, n); m.Path != pathPassive || m.DeliveredAt.IsZero() {
					t.Fatalf("held notice after the reply: path %q", m.Path)
				}
			})
		})
	}
}

// WeChat's count of messages per window is used up: the notice is held,
// or goes as a template where one is configured.
func TestQuotaUsedUp(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		for _, tc := range []struct {
			name, template, path string
		}{{"held", "", "held"}, {"template", templateID, pathTemplate}} {
			t.Run(tc.name, func(t *testing.T) {
				e := newEnv(t, st, options{template: tc.template})
				openID := "oQuota" + strings.Repeat(tc.name[:1], 22)
				n := e.customer(openID).order("绿茶", 1)
				e.api.failOnce(pathCustomSend, codeOutOfCount)
				e.staff(n, bot.ActApprove, nil)
				e.deliver()
				m := e.notice(openID, n)
				if m.Path != tc.path || (tc.path == "held") != m.DeliveredAt.IsZero() {
					t.Fatalf("notice path %q, delivered %v", m.Path, m.DeliveredAt)
				}
				if tc.path == "held" && !strings.Contains(m.LastError, "45047") {
					t.Fatalf("last error %q does not say why", m.LastError)
				}
			})
		}
	})
}

// A refused access_token is dropped and fetched again exactly once.
func TestRefusedTokenRefreshedOnce(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newEnv(t, st, options{})
		n := e.customer(alice).order("绿茶", 1)
		e.staff(n, bot.ActApprove, nil)
		e.deliver()
		if got := e.api.tokenFetches(); got != 1 {
			t.Fatalf("%d token fetches for the first send", got)
		}
		e.api.invalidateTokens() // someone forced a new token
		e.staff(n, bot.ActShip, func(a *bot.StaffAction) { a.Carrier, a.Tracking = "顺丰", "SF1234567890" })
		e.deliver()
		if got := e.api.tokenFetches(); got != 2 {
			t.Fatalf("%d token fetches, want one refresh", got)
		}
		cs := e.api.csMessages()
		if len(cs) != 2 || !strings.Contains(cs[1].Text.Content, "SF1234567890") {
			t.Fatalf("shipping notice not sent after the refresh: %+v", cs)
		}
		// The token is shared through the database: another replica's
		// adapter uses it without fetching one.
		other, err := New(e.svc, quietLog(), Config{AppID: testAppID, AppSecret: testSecret, Token: testToken, APIURL: e.api.srv.URL, Clock: e.clock.Now})
		if err != nil {
			t.Fatal(err)
		}
		if err := other.PublishMenu(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := e.api.tokenFetches(); got != 2 {
			t.Fatalf("a second replica fetched its own token: %d fetches", got)
		}
	})
}

func TestSendErrors(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), options{})
	ctx := context.Background()
	e.customer(alice).say("菜单")
	for _, tc := range []struct {
		code  int
		check func(error) bool
	}{
		{codeNotFollowing, func(err error) bool { return errors.Is(err, bot.ErrUnreachable) }},
		{codeBlocked, func(err error) bool { return errors.Is(err, bot.ErrUnreachable) }},
		{codeOutOfCount, func(err error) bool { return errors.Is(err, bot.ErrHold) }},
		{codeDailyQuota, func(err error) bool {
			var rl *bot.RateLimitError
			return errors.As(err, &rl) && rl.RetryAfter > 0
		}},
		{-1, func(err error) bool {
			var rl *bot.RateLimitError
			return err != nil && !errors.Is(err, bot.ErrHold) && !errors.Is(err, bot.ErrUnreachable) && !errors.As(err, &rl)
		}},
	} {
		e.api.failOnce(pathCustomSend, tc.code)
		_, err := e.a.Send(ctx, &bot.Message{Channel: bot.WeChat, Recipient: alice, Kind: bot.KindReply, Text: "hi"})
		if !tc.check(err) {
			t.Errorf("errcode %d: Send returned %v", tc.code, err)
		}
		if err != nil && strings.Contains(err.Error(), "tok-") {
			t.Errorf("errcode %d: the error shows the access token: %v", tc.code, err)
		}
	}
	// The HTTP error of the library quotes the URL; the token is taken out.
	e.api.srv.Close()
	_, err := e.a.Send(ctx, &bot.Message{Channel: bot.WeChat, Recipient: alice, Kind: bot.KindReply, Text: "hi"})
	if err == nil || strings.Contains(err.Error(), "tok-") || !strings.Contains(err.Error(), "REDACTED") {
		t.Fatalf("network error %v", err)
	}
	if _, err := e.a.Send(ctx, &bot.Message{Channel: bot.WeChat, Recipient: bot.StaffRecipient, Kind: bot.KindCard}); !errors.Is(err, bot.ErrUnreachable) {
		t.Fatalf("a staff card for WeChat: %v", err)
	}
}

// An unfollowed customer's notice fails for good and marks them unreachable.
func TestNotFollowingMarksUnreachable(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), options{})
	n := e.customer(alice).order("绿茶", 1)
	e.api.failOnce(pathCustomSend, codeNotFollowing)
	e.staff(n, bot.ActApprove, nil)
	e.deliver()
	if m := e.notice(alice, n); m.FailedAt.IsZero() {
		t.Fatalf("notice not given up: %+v", m)
	}
	if c, err := e.st.CustomerByUser(context.Background(), bot.WeChat, alice); err != nil || !c.Unreachable {
		t.Fatalf("customer %+v, %v", c, err)
	}
}

// windowStub is the core's window as a table test needs it.
type windowStub struct {
	Service
	last time.Time
	sent int
	err  error
}

func (w windowStub) Window(context.Context, string, string, string) (time.Time, int, error) {
	return w.last, w.sent, w.err
}

func TestWindowOpen(t *testing.T) {
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name string
		stub windowStub
		want bool
	}{
		{"just wrote", windowStub{last: now.Add(-time.Minute)}, true},
		{"47 hours ago", windowStub{last: now.Add(-47 * time.Hour), sent: 4}, true},
		{"quota used", windowStub{last: now.Add(-time.Hour), sent: csQuota}, false},
		{"at the window's end", windowStub{last: now.Add(-csWindow + windowMargin/2)}, false},
		{"49 hours ago", windowStub{last: now.Add(-49 * time.Hour)}, false},
		{"never wrote", windowStub{}, false},
		{"unknown customer", windowStub{err: bot.ErrNotFound}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := &Adapter{svc: tc.stub, cfg: Config{Clock: func() time.Time { return now }}}
			if got, err := a.windowOpen(context.Background(), alice); got != tc.want || err != nil {
				t.Fatalf("open = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

func TestCustomerServiceText(t *testing.T) {
	m := &bot.Message{Text: "请选择：", Options: []conversation.Option{
		{Key: "browse", Label: "浏览商品"},
		{Key: "q", Label: "3"},
		{Key: "x", Label: `A & "B"`},
	}}
	want := "请选择：\n" +
		`<a href="weixin://bizmsgmenu?msgmenucontent=浏览商品&msgmenuid=1">1. 浏览商品</a>` + "\n" +
		`<a href="weixin://bizmsgmenu?msgmenucontent=2&msgmenuid=2">2. 3</a>` + "\n" +
		`3. A & "B"`
	if got := csText(m); got != want {
		t.Fatalf("got\n%s\nwant\n%s", got, want)
	}
}

func TestPublishMenu(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), options{})
	if err := e.a.PublishMenu(context.Background()); err != nil {
		t.Fatal(err)
	}
	menus := e.api.menuCalls()
	if len(menus) != 1 || len(menus[0].Button) != 3 {
		t.Fatalf("menus %+v", menus)
	}
	b := menus[0].Button
	if b[0].Name != "浏览商品" || b[0].Type != "click" || b[0].Key != keyCatalog ||
		b[1].Name != "我的订单" || b[1].Type != "click" || b[1].Key != keyOrders || b[2].Name != "售后与客服" {
		t.Fatalf("buttons %+v", b)
	}
	var keys []string
	for _, s := range b[2].SubButton {
		keys = append(keys, s.Key)
		if word, ok := clickWord(s.Key); !ok || word != s.Name || s.Type != "click" {
			t.Errorf("sub-button %+v does not send its label", s)
		}
	}
	if strings.Join(keys, ",") != keyAfterSales+","+keyHuman+","+keyHelp {
		t.Fatalf("售后与客服 keys %v", keys)
	}
}

// The dispatcher sends to several customers at once; so may Send.
func TestConcurrentSends(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), options{template: templateID})
	ctx := context.Background()
	var users []string
	for i := range 6 {
		u := fmt.Sprintf("oConcurrent%017d", i)
		e.customer(u).say("菜单")
		users = append(users, u)
	}
	var wg sync.WaitGroup
	errs := make([]error, len(users))
	for i, u := range users {
		wg.Go(func() {
			m := &bot.Message{Channel: bot.WeChat, Recipient: u, Kind: bot.KindNotice, Text: "您的订单 100001 已确认。",
				Notice: &conversation.Notice{Kind: conversation.OrderConfirmed, OrderNumber: "100001"}}
			_, errs[i] = e.a.Send(ctx, m)
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("send to %s: %v", users[i], err)
		}
	}
	if got := len(e.api.csMessages()); got != len(users) {
		t.Fatalf("%d customer-service messages, want %d", got, len(users))
	}
	if got := e.api.tokenFetches(); got != 1 {
		t.Fatalf("%d token fetches for one burst", got)
	}
}

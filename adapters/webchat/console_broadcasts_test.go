package webchat

import (
	"html"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/broadcast"
	"github.com/orderbot/orderbot/bot/care"
	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// broadcastEnv is the console in lang with broadcasts on st, two people required,
// and two customers who agreed to promotions: one in the web chat, one on
// WeChat who never wrote (outside WeChat's window).
func broadcastEnv(t *testing.T, st *store.Store, lang string) (*testEnv, *broadcast.Service) {
	t.Helper()
	bc := broadcast.New(st, slog.New(slog.DiscardHandler), broadcast.Config{
		TwoPeople: true, StaffChannels: []string{bot.WebChat}, Location: shanghai,
	}, nil)
	e := newEnvOn(t, st, Options{Location: shanghai, Lang: lang, Broadcasts: bc})
	ctx := t.Context()
	for _, u := range []struct{ ch, user string }{{bot.WebChat, "web-1"}, {bot.WeChat, "wx-1"}} {
		c, err := st.LockCustomer(ctx, u.ch, u.user)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.SaveConsent(ctx, care.Consent{CustomerID: c.ID, Granted: true, At: time.Now().UTC(), Channel: u.ch}); err != nil {
			t.Fatal(err)
		}
	}
	return e, bc
}

// createdID is the broadcast a successful create form went to.
func createdID(t *testing.T, res response) string {
	t.Helper()
	loc := res.header.Get("Location")
	id, ok := strings.CutPrefix(loc, "/staff/broadcasts/")
	if res.status != http.StatusSeeOther || !ok || id == "" {
		t.Fatalf("create: %d to %q: %s", res.status, loc, res.body)
	}
	return id
}

// TestConsoleBroadcasts is a broadcast's life in the console: an agent
// writes it (a refused form says why and keeps what was typed), previews
// its audience and submits it; the agent cannot approve, nor can an
// approver approve their own; another approver does, a second approval is
// told who decided first, and the delivery report shows what was sent
// and skipped.
func TestConsoleBroadcasts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, bc := broadcastEnv(t, st, "en")
		bob := e.client()
		bobToken := e.login(bob, "bob", bobPassword)
		alice := e.client()
		aliceToken := e.login(alice, "alice", alicePassword)

		contains(t, e.get(bob, "/staff/broadcasts"), "No broadcasts.", `href="/staff/broadcasts"`, `href="/staff/broadcasts/new"`)
		contains(t, e.get(bob, "/staff/broadcasts/new"), `name="text_zh"`, `name="min_spend"`, `value="wechat"`)

		good := url.Values{"csrf": {bobToken}, "text_zh": {"新茶上市，全场九折"}, "text_en": {"New season's tea: 10% off"},
			"channel": {bot.WebChat, bot.WeChat}}
		noCSRF := url.Values{}
		for k, v := range good {
			noCSRF[k] = v
		}
		noCSRF.Del("csrf")
		if res := e.postForm(bob, "/staff/broadcasts", noCSRF); res.status != http.StatusForbidden {
			t.Fatalf("form without CSRF: %d", res.status)
		}
		for _, bad := range []struct {
			form url.Values
			want string
		}{
			{url.Values{"csrf": {bobToken}, "text_en": {"Only English here"}, "lang": {"zh", "en"}},
				"Some of these customers read Chinese, but the Chinese text is empty."},
			{url.Values{"csrf": {bobToken}, "text_zh": {"你好"}, "text_en": {"Only English here"}, "min_spend": {"a lot"}},
				"Spent at least: want an amount such as 100.00."},
			{url.Values{"csrf": {bobToken}, "text_zh": {"你好"}, "text_en": {"Only English here"}, "send_at": {"2020-01-01T09:00"}},
				"The send time has already passed."},
			{url.Values{"csrf": {bobToken}, "text_zh": {"你好"}, "text_en": {"Only English here"}, "coupon": {"NOSUCH"}},
				"There is no coupon NOSUCH."},
		} {
			res := e.postForm(bob, "/staff/broadcasts", bad.form)
			if res.status != http.StatusUnprocessableEntity {
				t.Fatalf("refused form %v: %d", bad.form, res.status)
			}
			contains(t, res, html.EscapeString(bad.want), "Only English here")
		}
		// A Chinese-speaking viewer reads the refusal in Chinese.
		if res := e.postForm(bob, "/staff/lang", url.Values{"csrf": {bobToken}, "lang": {"zh"}, "back": {"/staff/broadcasts"}}); res.status != http.StatusSeeOther {
			t.Fatalf("switch language: %d", res.status)
		}
		res := e.postForm(bob, "/staff/broadcasts", url.Values{"csrf": {bobToken}, "text_en": {"Only English here"}, "lang": {"zh"}})
		contains(t, res, "发送对象中有阅读中文的顾客，但中文内容为空。", "营销消息")
		e.postForm(bob, "/staff/lang", url.Values{"csrf": {bobToken}, "lang": {"en"}, "back": {"/staff/broadcasts"}})
		preview := url.Values{"csrf": {bobToken}, "text_en": {"Typed, not saved"}, "channel": {bot.WebChat}, "do": {"preview"}}
		res = e.postForm(bob, "/staff/broadcasts", preview)
		if res.status != http.StatusOK {
			t.Fatalf("preview: %d %s", res.status, res.body)
		}
		contains(t, res, "Audience now: 1 customer who agreed to promotions", "Typed, not saved")
		preview.Set("tiers", "platinum")
		res = e.postForm(bob, "/staff/broadcasts", preview)
		if res.status != http.StatusUnprocessableEntity {
			t.Fatalf("preview of an unknown tier: %d", res.status)
		}
		contains(t, res, "There is no tier platinum.")
		lacks(t, res, "Audience now")
		if list, _ := bc.List(t.Context(), 0, 10); len(list) != 0 {
			t.Fatalf("refused forms and previews created %d broadcasts", len(list))
		}

		id := createdID(t, e.postForm(bob, "/staff/broadcasts", good))
		page := "/staff/broadcasts/" + id
		forCustomer := html.EscapeString(conversation.Promotion(conversation.English, "New season's tea: 10% off", ""))
		contains(t, e.get(bob, page), "Draft", forCustomer, "Audience now", "2 customers who agreed to promotions",
			"Channels: Web chat, WeChat", "Bob (Web chat)", `data-broadcast-action="submit"`)
		if res := e.postForm(bob, page+"/approve", url.Values{"csrf": {bobToken}}); res.status != http.StatusForbidden {
			t.Fatalf("agent approves a draft: %d", res.status)
		}
		if res := e.postForm(bob, page+"/submit", url.Values{"csrf": {bobToken}}); res.status != http.StatusSeeOther {
			t.Fatalf("submit: %d %s", res.status, res.body)
		}
		lacks(t, e.get(bob, page), `data-broadcast-action="approve"`)
		res = e.postForm(bob, page+"/approve", url.Values{"csrf": {bobToken}})
		if res.status != http.StatusForbidden {
			t.Fatalf("agent approves: %d", res.status)
		}
		contains(t, res, "Your role does not allow this.", "Waiting for approval")
		if res := e.postForm(alice, page+"/approve", url.Values{}); res.status != http.StatusForbidden {
			t.Fatalf("approve without CSRF: %d", res.status)
		}

		// The approver's own broadcast needs someone else.
		own := "/staff/broadcasts/" + createdID(t, e.postForm(alice, "/staff/broadcasts", url.Values{
			"csrf": {aliceToken}, "text_zh": {"周末特价"}, "text_en": {"Weekend offer"}, "send_at": {"2099-01-01T09:30"}}))
		e.postForm(alice, own+"/submit", url.Values{"csrf": {aliceToken}})
		res = e.postForm(alice, own+"/approve", url.Values{"csrf": {aliceToken}})
		if res.status != http.StatusForbidden {
			t.Fatalf("self-approval: %d", res.status)
		}
		contains(t, res, "The shop requires two people", "2099-01-01 09:30", "Waiting for approval")

		contains(t, e.get(alice, page), `data-broadcast-action="approve"`, `data-broadcast-action="reject"`)
		if res := e.postForm(alice, page+"/approve", url.Values{"csrf": {aliceToken}}); res.status != http.StatusSeeOther {
			t.Fatalf("approve: %d %s", res.status, res.body)
		}
		res = e.postForm(alice, page+"/reject", url.Values{"csrf": {aliceToken}})
		if res.status != http.StatusConflict {
			t.Fatalf("reject after approval: %d", res.status)
		}
		contains(t, res, "The broadcast was already approved by Alice (Web chat)")

		if _, err := bc.SendDue(t.Context()); err != nil {
			t.Fatal(err)
		}
		res = e.get(alice, page)
		contains(t, res, "Sent", "Decided by", "Alice (Web chat)", "Outside WeChat&#39;s 48-hour window: 1",
			`class="targeted">2<`, `class="queued">1<`, `class="skipped">1<`, "approved")
		lacks(t, res, `data-broadcast-action="approve"`, `data-broadcast-action="cancel"`)
		list := e.get(bob, "/staff/broadcasts")
		contains(t, list, `href="`+page+`"`, `href="`+own+`"`, "Sent", "0 / 0 / 1", "Waiting for approval", "2099-01-01 09:30")

		for _, p := range []string{"/staff/broadcasts/999", "/staff/broadcasts/x"} {
			if res := e.get(bob, p); res.status != http.StatusNotFound {
				t.Fatalf("%s: %d", p, res.status)
			}
		}
		if res := e.postForm(bob, page+"/launch", url.Values{"csrf": {bobToken}}); res.status != http.StatusNotFound {
			t.Fatalf("unknown action: %d", res.status)
		}
	})
}

// TestBroadcastFormReadsWhatPeopleType reads amounts and dates as staff type
// them: the shop's currency, thousands separators and full-width digits,
// times and days in the shop's zone.
func TestBroadcastFormReadsWhatPeopleType(t *testing.T) {
	in := broadcastInput(url.Values{
		"min_spend": {"¥1,200.5"}, "max_spend": {"１２０００"}, "send_at": {"2026-12-01T09:30"},
		"after": {"2026-10-01"}, "before": {"2026-11-01"}, "tiers": {"gold， silver"}, "tags": {"vip,,tea"},
	})
	b, err := in.broadcast(shanghai, "¥")
	if err != nil {
		t.Fatal(err)
	}
	s := b.Segment
	if s.MinSpent == nil || *s.MinSpent != 120050 || s.MaxSpent == nil || *s.MaxSpent != 1200000 {
		t.Fatalf("spend: %v %v", s.MinSpent, s.MaxSpent)
	}
	if want := time.Date(2026, 12, 1, 1, 30, 0, 0, time.UTC); !b.SendAt.Equal(want) {
		t.Fatalf("send at %v, want %v", b.SendAt, want)
	}
	if want := time.Date(2026, 9, 30, 16, 0, 0, 0, time.UTC); !s.LastOrderAfter.Equal(want) {
		t.Fatalf("after %v, want %v", s.LastOrderAfter, want)
	}
	if strings.Join(s.Tiers, "|") != "gold|silver" || strings.Join(s.Tags, "|") != "vip|tea" {
		t.Fatalf("tiers %q tags %q", s.Tiers, s.Tags)
	}
	for _, bad := range []url.Values{{"min_spend": {"-5"}}, {"max_spend": {"1.234"}}, {"send_at": {"tomorrow"}}, {"before": {"2026-13-01"}}} {
		if _, err := broadcastInput(bad).broadcast(shanghai, "¥"); err == nil {
			t.Fatalf("%v was read", bad)
		}
	}
}

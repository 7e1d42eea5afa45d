package webchat

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestParseEmbedOrigins(t *testing.T) {
	got, err := ParseEmbedOrigins("  https://Shop.example  https://www.shop.example:8443 http://localhost:3000 http://localhost ")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"https://shop.example", "https://www.shop.example:8443", "http://localhost:3000", "http://localhost"}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("got %q, want %q", got, want)
	}
	if got, err := ParseEmbedOrigins(""); err != nil || got != nil {
		t.Fatalf("empty: %q, %v", got, err)
	}
	for _, bad := range []string{
		"http://shop.example", "https://shop.example/", "https://shop.example/page", "https://*.shop.example",
		"*", "'self'", "'unsafe-inline'", "shop.example", "https://", "https://shop.example?x", "https://u:p@shop.example",
		"https://shop.example:99999", "https://shop.example:x", "javascript:alert(1)", "https://shop.example;script-src",
		"data:", "https://shop..example", "http://localhost.evil.example", "https://[::1]",
	} {
		if _, err := ParseEmbedOrigins("https://ok.example " + bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

// Embedding configured: the chat may be framed by the shop's site and its
// cookie is one a browser sends inside that frame. The staff console stays
// unframeable whatever the setting.
func TestEmbeddedChatHeaders(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		origins  []string
		frame    string
		sameSite http.SameSite
		secure   bool
	}{
		{"not embedded", nil, "frame-ancestors 'self'", http.SameSiteLaxMode, false},
		{"embedded", []string{"https://shop.example", "http://localhost:3000"},
			"frame-ancestors 'self' https://shop.example http://localhost:3000", http.SameSiteNoneMode, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := newEnvOn(t, storetest.SQLite(t), Options{FrameAncestors: c.origins})
			res := e.get(e.client(), "/chat")
			csp := res.header.Get("Content-Security-Policy")
			if !strings.HasSuffix(csp, c.frame) {
				t.Errorf("CSP %q, want it to end with %q", csp, c.frame)
			}
			if res.header.Get("X-Frame-Options") != "" {
				t.Errorf("chat page has X-Frame-Options %q", res.header.Get("X-Frame-Options"))
			}
			var ck *http.Cookie
			for _, x := range (&http.Response{Header: res.header}).Cookies() {
				if x.Name == customerCookie {
					ck = x
				}
			}
			// Partitioned (CHIPS): browsers that block third-party cookies
			// still keep one for the chat inside the shop's site.
			if ck == nil || ck.SameSite != c.sameSite || ck.Secure != c.secure || ck.Partitioned != c.secure || !ck.HttpOnly {
				t.Errorf("cookie %+v, want SameSite %v, Secure and Partitioned %v", ck, c.sameSite, c.secure)
			}
			staff := e.get(e.client(), "/staff/login")
			if !strings.HasSuffix(staff.header.Get("Content-Security-Policy"), "frame-ancestors 'none'") ||
				staff.header.Get("X-Frame-Options") != "DENY" {
				t.Errorf("staff console frameable: %v", staff.header)
			}
		})
	}
}

// The page carries the shop's name and logo and its chrome is in the
// customer's language: the browser's at first, the conversation's once
// the customer has switched.
func TestChatPageShopAndLanguage(t *testing.T) {
	t.Parallel()
	e := newEnvOn(t, storetest.SQLite(t), Options{Logo: "https://cdn.shop.example/logo.png"})
	zh := map[string]string{"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.8"}
	c := e.client()
	page := string(e.do(c, http.MethodGet, "/chat", nil, zh).body)
	for _, want := range []string{`<html lang="zh">`, "<title>Test Shop</title>", `<h1 id="shop">Test Shop</h1>`,
		`src="https://cdn.shop.example/logo.png"`, "在线 · 即时回复", `placeholder="输入消息或选项编号…"`, ">发送</button>"} {
		if !strings.Contains(page, want) {
			t.Errorf("Chinese page lacks %q", want)
		}
	}
	if strings.Contains(page, `placeholder="Type a message`) || strings.Contains(page, ">Send</button>") {
		t.Error("Chinese page has English chrome")
	}

	en := string(e.get(e.client(), "/chat").body)
	for _, want := range []string{`<html lang="en">`, "Online · replies at once", `placeholder="Type a message or a number…"`} {
		if !strings.Contains(en, want) {
			t.Errorf("English page lacks %q", want)
		}
	}

	// The Chinese browser's customer switches to English in the chat.
	if res := e.postJSON(c, "/chat/api/send", map[string]string{"id": "m-1", "text": "English"}, zh); res.status != http.StatusOK {
		t.Fatalf("switch: %d %s", res.status, res.body)
	}
	if page := string(e.do(c, http.MethodGet, "/chat", nil, zh).body); !strings.Contains(page, `<html lang="en">`) {
		t.Error("page not in the language the customer chose")
	}

	// A logo that is not an http(s) URL is not shown.
	bad := newEnvOn(t, storetest.SQLite(t), Options{Logo: "javascript:alert(1)"})
	if page := string(bad.get(bad.client(), "/chat").body); strings.Contains(page, "javascript") || !strings.Contains(page, `<div class="avatar"`) {
		t.Errorf("bad logo shown: %s", page)
	}
}

// After a reload the page gets both sides of the conversation, in order,
// with times in the shop's time zone; a retried message is kept once.
func TestHistoryHasBothSides(t *testing.T) {
	t.Parallel()
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	eachEnv(t, Options{Location: shanghai}, func(t *testing.T, e *testEnv) {
		c := e.client()
		var menu []message
		e.postJSON(c, "/chat/api/send", map[string]string{"id": "m-1", "text": "menu"}, nil).json(t, &menu)
		opt := menu[len(menu)-1].Options[0]
		e.postJSON(c, "/chat/api/send", map[string]string{"id": "m-2", "button": opt.Key, "label": opt.Label}, nil)
		e.postJSON(c, "/chat/api/send", map[string]string{"id": "m-2", "button": opt.Key, "label": opt.Label}, nil) // a retry
		e.postJSON(c, "/chat/api/send", map[string]string{"id": "m-3", "text": "back"}, nil)

		var h historyResponse
		e.get(c, "/chat/api/history").json(t, &h)
		var sides []string
		for _, m := range h.Messages {
			if m.Kind == kindMine {
				sides = append(sides, "me:"+m.Text)
			} else {
				sides = append(sides, "bot")
			}
			at, err := time.Parse(time.RFC3339, m.At)
			if err != nil || !strings.HasSuffix(m.At, "+08:00") || m.Time != at.Format("15:04") {
				t.Errorf("message %+v: want a time in Shanghai", m)
			}
		}
		got := strings.Join(sides, " ")
		if want := "me:menu bot me:" + opt.Label + " bot me:back bot"; got != want {
			t.Fatalf("history %q, want %q", got, want)
		}
		other := e.client()
		e.postJSON(other, "/chat/api/send", map[string]string{"id": "m-1", "text": "hello there"}, nil)
		var h2 historyResponse
		e.get(other, "/chat/api/history").json(t, &h2)
		for _, m := range h2.Messages {
			if m.Kind == kindMine && m.Text != "hello there" {
				t.Errorf("another customer's message in the history: %+v", m)
			}
		}
	})
}

// A long paste is kept in the history only up to what the input holds.
func TestHistoryKeepsLongTextShort(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	long := strings.Repeat("茶", 5000)
	if res := e.postJSON(c, "/chat/api/send", map[string]string{"id": "m-1", "text": long}, nil); res.status != http.StatusOK {
		t.Fatalf("send: %d %s", res.status, res.body)
	}
	var h historyResponse
	e.get(c, "/chat/api/history").json(t, &h)
	mine := 0
	for _, m := range h.Messages {
		if m.Kind == kindMine {
			mine++
			if m.Text != strings.Repeat("茶", maxKeptText-1)+"…" {
				t.Fatalf("kept %d characters", len([]rune(m.Text)))
			}
		}
	}
	if mine != 1 {
		t.Fatalf("%d customer messages in the history, want 1", mine)
	}
}

// A product's picture comes with its page, at once and after a reload;
// only an http(s) URL is ever given to the page.
func TestProductPicture(t *testing.T) {
	t.Parallel()
	eachEnv(t, Options{}, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		err := e.st.UpsertProducts(ctx, []bot.Product{
			{SKU: "TEA-1", Name: "Green tea", NameZH: "绿茶", Category: "Tea", ImageURL: "https://cdn.shop.example/tea.jpg?w=400&h=300", Price: 3800, Stock: 20, Active: true},
			{SKU: "MUG-1", Name: "Clay mug", NameZH: "陶杯", Category: "Cups", ImageURL: "javascript:alert(1)", Price: 5600, Stock: 5, Active: true},
		})
		if err != nil {
			t.Fatal(err)
		}
		c := e.client()
		e.postJSON(c, "/chat/api/send", map[string]string{"id": "m-0", "text": "menu"}, nil)
		var tea, mug []message
		e.postJSON(c, "/chat/api/send", map[string]string{"id": "m-1", "text": "green tea"}, nil).json(t, &tea)
		if n := len(tea); n == 0 || tea[n-1].Image != "https://cdn.shop.example/tea.jpg?w=400&h=300" || !strings.Contains(tea[n-1].Text, "Green tea") {
			t.Fatalf("product page %+v, want the picture", tea)
		}
		e.postJSON(c, "/chat/api/send", map[string]string{"id": "m-2", "text": "clay mug"}, nil).json(t, &mug)
		if n := len(mug); n == 0 || mug[n-1].Image != "" || !strings.Contains(mug[n-1].Text, "Clay mug") {
			t.Fatalf("product page %+v, want no picture for a javascript: URL", mug)
		}
		var h historyResponse
		e.get(c, "/chat/api/history").json(t, &h)
		pictures := 0
		for _, m := range h.Messages {
			if m.Image != "" {
				pictures++
				if m.ID != tea[len(tea)-1].ID || m.Image != tea[len(tea)-1].Image {
					t.Errorf("picture on %+v", m)
				}
			}
		}
		if pictures != 1 {
			t.Fatalf("history has %d pictures, want 1: %+v", pictures, h.Messages)
		}
	})
}

func TestPictureURL(t *testing.T) {
	for in, want := range map[string]string{
		"https://a.example/x.jpg": "https://a.example/x.jpg", "http://a.example/x.jpg": "http://a.example/x.jpg",
		"javascript:alert(1)": "", "data:image/png;base64,AAAA": "", "/static/x.jpg": "", "//a.example/x.jpg": "",
		"https://user:pw@a.example/x.jpg": "", "https:///x.jpg": "", "ftp://a.example/x.jpg": "", "": "",
		"https://a.example/" + strings.Repeat("x", 2000): "",
	} {
		if got := bot.PictureURL(in); got != want {
			t.Errorf("bot.PictureURL(%.40q) = %q, want %q", in, got, want)
		}
	}
}

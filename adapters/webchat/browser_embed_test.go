package webchat

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestBrowserEmbeddedChat puts the chat in an iframe of a shop page served
// from another site (http://localhost:PORT, the chat being on
// 127.0.0.1:OTHER), as ORDERBOT_EMBED_ORIGINS allows. In the frame the
// customer opens a product and sees its picture, switches to Chinese and
// gets the page chrome in Chinese, and after the shop page is reloaded
// finds both sides of the conversation again: which needs the chat's
// cookie to survive as a third-party cookie.
func TestBrowserEmbeddedChat(t *testing.T) {
	var chatURL string
	shopSite := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprintf(w, `<!doctype html><title>Tea shop</title><h1>Our tea</h1>`+
				`<iframe id="chat" src="%s/chat" width="400" height="700"></iframe>`, chatURL)
		case "/tea.png":
			w.Header().Set("Content-Type", "image/png")
			_, _ = w.Write(testPNG(t))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(shopSite.Close)
	_, port, err := net.SplitHostPort(shopSite.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	shopOrigin := "http://localhost:" + port
	origins, err := ParseEmbedOrigins(shopOrigin)
	if err != nil {
		t.Fatal(err)
	}
	e := newEnvOn(t, storetest.SQLite(t), Options{FrameAncestors: origins})
	chatURL = e.srv.URL
	if !strings.HasPrefix(chatURL, "http://127.0.0.1:") {
		t.Fatalf("chat at %s: want another site than %s", chatURL, shopOrigin)
	}
	err = e.st.UpsertProducts(t.Context(), []bot.Product{{SKU: "TEA-1", Name: "Green tea", NameZH: "绿茶",
		Category: "Tea", ImageURL: shopOrigin + "/tea.png", Price: 3800, Stock: 20, Active: true}})
	if err != nil {
		t.Fatal(err)
	}

	page := startBrowserAt(t, shopOrigin+"/")
	b := page.frame(chatURL + "/chat")
	b.waitFor(`document.body.dataset.ready === "1" && document.querySelectorAll(".msg.bot").length > 0`)
	if b.check(`window.top === window`) {
		t.Fatal("the chat is not in a frame")
	}
	b.submit("green tea")
	// The picture loaded (4 by 3 pixels) above the product's text.
	b.waitFor(`(() => { const i = document.querySelector(".log > .msg.bot:last-of-type .bubble img.pic");
		return !!i && i.complete && i.naturalWidth === 4 && i.naturalHeight === 3; })()`)
	if !b.check(`document.querySelector(".log > .msg.bot:last-of-type .bubble").textContent.includes("Green tea")`) {
		t.Error("the product page lacks its text")
	}
	b.submit("中文")
	for _, js := range []string{
		`document.documentElement.lang === "zh"`,
		`document.getElementById("send").textContent === "发送"`,
		`document.getElementById("text").placeholder === "输入消息或选项编号…"`,
		`document.getElementById("status").textContent === "在线 · 即时回复"`,
	} {
		if !b.check(js) {
			t.Errorf("Chinese chrome: %s is false", js)
		}
	}
	// Only the newest reply's buttons are live; the older are spent.
	if !b.check(`(() => { const bots = Array.from(document.querySelectorAll(".msg.bot"));
		const last = bots.pop();
		return bots.every(r => !r.querySelector(".options") || r.querySelector(".options.spent button:disabled"))
			&& !!last.querySelector(".options:not(.spent) button:not(:disabled)"); })()`) {
		t.Error("older buttons are not spent, or the newest are")
	}
	// Every message of either side shows its time.
	if !b.check(`Array.from(document.querySelectorAll(".msg.bot, .msg.me")).every(r => /^\d\d:\d\d$/.test(r.querySelector("time.at")?.textContent || ""))`) {
		t.Error("a message without its time")
	}
	const transcript = `Array.from(document.querySelectorAll(".msg.bot, .msg.me")).map(r => (r.classList.contains("me") ? "me: " : "bot: ") + r.querySelector(".bubble").textContent).join("\n")`
	before := b.eval(transcript)
	if !strings.Contains(before, "me: green tea") || !strings.Contains(before, "me: 中文") {
		t.Fatalf("transcript before the reload:\n%s", before)
	}

	page.do(chromedp.Reload())
	b = page.frame(chatURL + "/chat")
	b.waitFor(`document.body.dataset.ready === "1"`)
	after := b.eval(transcript)
	if after != before {
		t.Fatalf("after the reload the chat shows\n%s\n\nnot\n%s", after, before)
	}
	if !b.check(`document.documentElement.lang === "zh" && document.getElementById("send").textContent === "发送"`) {
		t.Error("the reloaded page is not in Chinese")
	}
	b.waitFor(`!!document.querySelector(".bubble img.pic") && document.querySelector(".bubble img.pic").naturalWidth === 4`)
	page.shot("chat-embedded")
}

// frame attaches to the page's iframe showing url, which runs in a process
// of its own because it is from another site.
func (b *browser) frame(url string) *browser {
	b.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		infos, err := chromedp.Targets(b.ctx)
		if err != nil {
			b.t.Fatalf("targets: %v", err)
		}
		for _, info := range infos {
			if info.Type == "iframe" && info.URL == url {
				ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithTargetID(info.TargetID))
				b.t.Cleanup(cancel)
				f := &browser{t: b.t, ctx: ctx}
				if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`true`)); err == nil {
					return f
				}
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.t.Fatalf("no frame showing %s; page: %s", url, b.pageText())
	return nil
}

// eval evaluates a JavaScript expression that yields a string.
func (b *browser) eval(js string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

// submit sends a message through the chat's form and waits for the answer.
// Key events sent to a frame from another site do not reach its input, so
// the text is put in it by script.
func (b *browser) submit(text string) {
	b.t.Helper()
	before := b.count()
	b.check(fmt.Sprintf(`(() => { document.getElementById("text").value = %q;
		document.getElementById("composer").requestSubmit(); return true; })()`, text))
	b.waitFor(fmt.Sprintf(`%s > %d && !document.querySelector(".typing")`, botCount, before))
}

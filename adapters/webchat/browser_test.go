package webchat

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/orderbot/orderbot/bot"
)

const chromiumPath = "/usr/bin/chromium"

// screenshotEnv names a directory to save a screenshot of each page in,
// for looking at the pages while working on them.
const screenshotEnv = "WEBCHAT_SCREENSHOTS"

// TestBrowserOrderApproved drives the real pages in headless Chromium: a
// customer orders through the chat, an approver approves the order in the
// console (another browser profile), and the chat shows the confirmation
// without being reloaded.
func TestBrowserOrderApproved(t *testing.T) {
	e := newEnv(t)
	b := startBrowser(t, e)

	// The page greets a new visitor with the menu by itself.
	b.waitFor(`document.body.dataset.ready === "1" && document.querySelectorAll(".msg.bot").length > 0`)
	b.shot("chat-greeting")
	b.press("browse")
	b.press("cat:Tea")
	b.press("sku:TEA-1")
	b.press("add")
	b.say("2")
	b.press("checkout")
	b.say("Li Lei")
	b.say("13800000000")
	b.say("1 Tea Road, Hangzhou")
	b.press("confirm")

	// The order number is on the page, in the bot's answer.
	last := b.text(`.log > .msg.bot:last-of-type .bubble`)
	number := regexp.MustCompile(`\b\d{6,}\b`).FindString(last)
	if number == "" {
		t.Fatalf("no order number in the last message %q", last)
	}
	o, err := e.st.OrderByNumber(t.Context(), number)
	if err != nil || o.Status != bot.Pending || o.Items[0].Qty != 2 || o.Contact.Name != "Li Lei" {
		t.Fatalf("order %s: %+v, %v", number, o, err)
	}
	b.shot("chat-ordered")
	// A marker that a reload would wipe.
	b.check(`(window.__notReloaded = true)`)

	s := b.staff(e)
	approve := fmt.Sprintf(`[data-ref="order:%d"] button[data-action="approve"]`, o.ID)
	s.do(chromedp.WaitVisible(chromedp.CSS(approve)))
	s.shot("staff-console")
	s.do(chromedp.Click(chromedp.CSS(approve)))
	s.do(chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-ref="order:%d"] button[data-action="ship"]`, o.ID))))
	if status := s.text(fmt.Sprintf(`[data-ref="order:%d"] .status`, o.ID)); !strings.Contains(status, "Alice") {
		t.Errorf("card status after approve: %q", status)
	}
	s.shot("staff-approved")
	if got := e.order(o.ID).Status; got != bot.Confirmed {
		t.Fatalf("order is %s after the click", got)
	}

	// The chat, untouched, receives the confirmation through its long poll.
	b.waitFor(fmt.Sprintf(`Array.from(document.querySelectorAll(".msg.notice .bubble")).some(n => n.textContent.includes(%q))`, number))
	if !b.check(`window.__notReloaded === true`) {
		t.Fatal("the chat page was reloaded")
	}
	b.shot("chat-confirmed")
}

// TestBrowserAfterSalesPhoto files an after-sales request with a photo
// picked through the chat's photo button, and finds the photo shown on the
// request's card in the console.
func TestBrowserAfterSalesPhoto(t *testing.T) {
	e := newEnv(t)
	b := startBrowser(t, e)
	b.waitFor(`document.body.dataset.ready === "1" && document.querySelectorAll(".msg.bot").length > 0`)
	// The order is the customer's whose id the page's cookie holds.
	o := e.shippedOrder(customerIDOf(b.cookie(e.srv.URL+"/chat", customerCookie)))

	// The notices of approval and shipping come in after the menu.
	b.waitFor(`document.querySelectorAll(".msg.notice").length === 2`)
	b.say("after-sales")
	b.press("order:" + o.Number)
	b.press("type:return")
	b.say("Wrong colour")
	file := filepath.Join(t.TempDir(), "photo.png")
	if err := os.WriteFile(file, testPNG(t), 0o600); err != nil {
		t.Fatal(err)
	}
	before := b.count()
	b.do(chromedp.SetUploadFiles(chromedp.ID("photo"), []string{file}))
	b.waitFor(fmt.Sprintf(`%s > %d && !document.querySelector(".typing")`, botCount, before))
	if !b.check(`Array.from(document.querySelectorAll(".msg.me .bubble")).pop().textContent === "📷 Photo"`) {
		t.Errorf("the customer's photo is not shown as 📷 Photo")
	}
	if reply := b.text(`.log > .msg.bot:last-of-type .bubble`); !strings.Contains(reply, "1 photo") {
		t.Fatalf("reply to the photo: %q", reply)
	}
	b.shot("chat-photo")
	b.press("done")
	b.press("submit")
	reqs, err := e.st.AfterSalesByOrder(t.Context(), o.ID)
	if err != nil || len(reqs) != 1 || len(reqs[0].Media) != 1 || !strings.HasPrefix(reqs[0].Media[0], "media:") {
		t.Fatalf("after-sales %+v, %v", reqs, err)
	}

	s := b.staff(e)
	img := fmt.Sprintf(`[data-ref="after_sales:%d"] a.thumb[href="/staff/media/%s"] img`, reqs[0].ID, reqs[0].Media[0])
	// Loaded, with the session, under the console's policy: 4 by 3 pixels.
	s.waitFor(fmt.Sprintf(`(() => { const i = document.querySelector(%q); return !!i && i.complete && i.naturalWidth === 4 && i.naturalHeight === 3; })()`, img))
	s.shot("staff-photo")
}

// startBrowser starts headless Chromium with a tab on the chat page, or
// skips the test when there is no Chromium.
func startBrowser(t *testing.T, e *testEnv) *browser {
	t.Helper()
	return startBrowserAt(t, e.srv.URL+"/chat")
}

// startBrowserAt starts headless Chromium with a tab on url.
func startBrowserAt(t *testing.T, url string) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Skipf("browser test needs Chromium at %s: %v", chromiumPath, err)
	}
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	alloc, cancel := chromedp.NewExecAllocator(t.Context(),
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-background-timer-throttling", true),
		chromedp.Flag("disable-renderer-backgrounding", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(430, 860),
	)
	t.Cleanup(cancel)
	chat, cancelChat := chromedp.NewContext(alloc)
	t.Cleanup(cancelChat)
	// The first run starts the browser, which lives as long as chat: no
	// timeout on it, only on the steps after.
	if err := chromedp.Do(chat, chromedp.Navigate(url)); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return &browser{t: t, ctx: chat}
}

// staff opens the console in a profile of its own, so no cookie is shared
// with b, and logs in as alice.
func (b *browser) staff(e *testEnv) *browser {
	b.t.Helper()
	ctx, cancel := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())
	b.t.Cleanup(cancel)
	// Its first run opens its tab, which lives as long as the context of
	// that run: again no timeout.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/staff")); err != nil {
		b.t.Fatalf("open staff tab: %v", err)
	}
	s := &browser{t: b.t, ctx: ctx}
	s.do(chromedp.WaitVisible(chromedp.CSS(`input[name="user"]`)))
	s.shot("staff-login")
	s.do(
		chromedp.SendKeys(chromedp.CSS(`input[name="user"]`), "alice"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), alicePassword+"\n"),
	)
	s.do(chromedp.WaitReady(chromedp.CSS(`body.staff-body[data-ready="1"]`)))
	return s
}

// browser runs steps in one tab with a time limit each.
type browser struct {
	t   *testing.T
	ctx context.Context
}

func (b *browser) do(steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.t.Fatalf("browser: %v\npage: %s", err, b.pageText())
	}
}

// check evaluates a JavaScript expression that yields a boolean.
func (b *browser) check(js string) bool {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](js))
	if err != nil {
		b.t.Fatalf("evaluate %s: %v", js, err)
	}
	return v
}

func (b *browser) waitFor(js string) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingInterval(50*time.Millisecond))); err != nil {
		b.t.Fatalf("waiting for %s: %v\npage: %s", js, err, b.pageText())
	}
}

// cookie returns the value of the tab's cookie for url, HttpOnly or not.
func (b *browser) cookie(url, name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	res, err := chromedp.Call(ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{url}})
	if err != nil {
		b.t.Fatalf("cookies: %v", err)
	}
	for _, c := range res.Cookies {
		if c.Name == name {
			return c.Value
		}
	}
	b.t.Fatalf("no cookie %s for %s", name, url)
	return ""
}

func (b *browser) text(css string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 15*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.TextContent(chromedp.CSS(css)))
	if err != nil {
		b.t.Fatalf("text of %s: %v", css, err)
	}
	return s
}

func (b *browser) pageText() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body.innerText`))
	return s
}

// botCount is how many bot messages the chat shows, and whether a send is
// still waiting for its answer.
const botCount = `document.querySelectorAll(".msg.bot:not(.typing)").length`

// press clicks the option with the key in the newest bot message and waits
// for the answer.
func (b *browser) press(key string) {
	b.t.Helper()
	before := b.count()
	b.do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`.log > .msg.bot:last-of-type button.opt[data-key=%q]`, key))))
	b.waitFor(fmt.Sprintf(`%s > %d && !document.querySelector(".typing")`, botCount, before))
}

// say types a message, sends it with Enter and waits for the answer.
func (b *browser) say(text string) {
	b.t.Helper()
	before := b.count()
	b.do(chromedp.SendKeys(chromedp.ID("text"), text+"\n"))
	b.waitFor(fmt.Sprintf(`%s > %d && !document.querySelector(".typing")`, botCount, before))
}

func (b *browser) count() int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](botCount))
	if err != nil {
		b.t.Fatal(err)
	}
	return n
}

func (b *browser) shot(name string) {
	dir := os.Getenv(screenshotEnv)
	if dir == "" {
		return
	}
	png, err := chromedp.Run(b.ctx, chromedp.FullScreenshot(100))
	if err == nil {
		err = os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
	if err != nil {
		b.t.Logf("screenshot %s: %v", name, err)
	}
}

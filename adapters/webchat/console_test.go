package webchat

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store/storetest"
)

var shanghai = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		panic(err)
	}
	return loc
}()

func contains(t *testing.T, res response, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(string(res.body), w) {
			t.Errorf("page (%d) lacks %q:\n%s", res.status, w, res.body)
		}
	}
}

func lacks(t *testing.T, res response, not ...string) {
	t.Helper()
	for _, w := range not {
		if strings.Contains(string(res.body), w) {
			t.Errorf("page shows %q", w)
		}
	}
}

// TestConsoleOrderSearchAndPage finds an order by number, phone and whole name,
// and shows its page with items, local times, the audit trail of an
// approval and only the buttons the viewer's role allows.
func TestConsoleOrderSearchAndPage(t *testing.T) {
	eachEnv(t, Options{Location: shanghai, Lang: "en"}, func(t *testing.T, e *testEnv) {
		c := e.client()
		token := e.login(c, "alice", alicePassword)
		o := e.placeOrder(e.customer(e.client()))
		for _, q := range []string{o.Number, "13800000000", "138 0000 0000", "li lei"} {
			res := e.get(c, "/staff/orders?q="+url.QueryEscape(q))
			if res.status != http.StatusOK {
				t.Fatalf("search %q: %d", q, res.status)
			}
			contains(t, res, "/staff/orders/"+o.Number, "Awaiting approval", "¥76.00")
		}
		if res := e.get(c, "/staff/orders?q=999999999"); !strings.Contains(string(res.body), "Nothing found.") {
			t.Errorf("a search for nothing: %s", res.body)
		}
		page := e.get(c, "/staff/orders/"+o.Number)
		contains(t, page, "Green tea", "Li Lei", `data-action="approve"`, `data-action="reject"`,
			o.CreatedAt.In(shanghai).Format("2006-01-02 15:04"), "Asia/Shanghai")
		lacks(t, page, fmt.Sprintf(">order:%d<", o.ID), "customer webchat:")

		bob := e.client()
		e.login(bob, "bob", bobPassword)
		lacks(t, e.get(bob, "/staff/orders/"+o.Number), `data-action="approve"`, `data-action="reject"`)

		res := e.postJSON(c, "/staff/api/action", map[string]any{"ref": fmt.Sprintf("order:%d", o.ID), "action": "approve", "version": o.Version},
			map[string]string{csrfHeader: token})
		if res.status != http.StatusOK {
			t.Fatalf("approve: %d %s", res.status, res.body)
		}
		page = e.get(c, "/staff/orders/"+o.Number)
		contains(t, page, "Alice (Web chat)", "Awaiting approval → Confirmed", "approved the order", `data-action="ship"`)
		contains(t, e.get(bob, "/staff/orders/"+o.Number), `data-action="ship"`)
	})
}

// TestConsoleCustomerPage sums a customer's orders and lists them with the
// after-sales requests and handoffs.
func TestConsoleCustomerPage(t *testing.T) {
	eachEnv(t, Options{Lang: "en"}, func(t *testing.T, e *testEnv) {
		c := e.client()
		e.login(c, "alice", alicePassword)
		who := e.customer(e.client())
		o1, o2 := e.placeOrder(who), e.placeOrder(who)
		page := e.get(c, fmt.Sprintf("/staff/customers/%d", o1.CustomerID))
		contains(t, page, `class="order-count">2<`, `class="total-spend">¥152.00<`, `class="average">¥76.00<`,
			o1.Number, o2.Number, "Web chat · Web chat visitor", "No after-sales requests.", "No handoffs.")
		lacks(t, page, who)
		res := e.get(c, "/staff/customers?q=13800000000")
		if res.status != http.StatusOK {
			t.Fatalf("customer search: %d", res.status)
		}
		// Handoffs beyond the latest maxHandoffs are left out, and the page says so.
		for i := range maxHandoffs + 1 {
			at := time.Now().UTC().Add(time.Duration(i) * time.Minute)
			h := &bot.Handoff{CustomerID: o1.CustomerID, CreatedAt: at, ClosedAt: at.Add(time.Second), ClosedBy: "Bob (webchat)"}
			if err := e.st.CreateHandoff(t.Context(), h); err != nil {
				t.Fatal(err)
			}
		}
		page = e.get(c, fmt.Sprintf("/staff/customers/%d", o1.CustomerID))
		if n := strings.Count(string(page.body), `class="box handoff"`); n != maxHandoffs {
			t.Errorf("%d handoffs shown, want %d", n, maxHandoffs)
		}
		contains(t, page, "more-handoffs", "Bob (Web chat)")
		if res := e.get(c, "/staff/customers/"+fmt.Sprint(o1.CustomerID+1000)); res.status != http.StatusNotFound {
			t.Errorf("unknown customer: %d", res.status)
		}
	})
}

// TestConsoleBadInput answers unknown numbers with 404 and malformed
// parameters with 400 naming them, and needs a session for every page.
func TestConsoleBadInput(t *testing.T) {
	e := newEnvOn(t, storetest.SQLite(t), Options{Lang: "en"})
	c := e.client()
	e.login(c, "alice", alicePassword)
	for _, tt := range []struct {
		path   string
		status int
		want   string
	}{
		{"/staff/orders/100999", http.StatusNotFound, "Nothing has this number."},
		{"/staff/after-sales/S999", http.StatusNotFound, "Nothing has this number."},
		{"/staff/customers/abc", http.StatusNotFound, "Nothing has this number."},
		{"/staff/orders?limit=201", http.StatusBadRequest, "limit must be a number from 1 to 200"},
		{"/staff/orders?limit=0", http.StatusBadRequest, "limit must be"},
		{"/staff/orders?status=lost", http.StatusBadRequest, "status must be one of"},
		{"/staff/orders?channel=fax", http.StatusBadRequest, "channel must be one of"},
		{"/staff/orders?from=2026-13-01", http.StatusBadRequest, "from must be a date"},
		{"/staff/orders?from=2026-02-01&to=2026-01-01", http.StatusBadRequest, "from must not be after to"},
		{"/staff/orders?cursor=-4", http.StatusBadRequest, "cursor must be"},
		{"/staff/orders?q=%ff", http.StatusBadRequest, "q is not valid text"},
		{"/staff/orders?q=" + strings.Repeat("x", 101), http.StatusBadRequest, "q must be at most 100 bytes"},
		{"/staff/after-sales?type=gift", http.StatusBadRequest, "type must be one of"},
		{"/staff/customers?limit=1000", http.StatusBadRequest, "limit must be"},
		{"/staff/api/cards?limit=500", http.StatusBadRequest, "limit must be"},
		{"/staff/api/cards?kind=everything", http.StatusBadRequest, "kind must be one of"},
		{"/staff/api/cards?cursor=new.x.1", http.StatusBadRequest, "cursor must be"},
		{"/staff?kind=everything", http.StatusBadRequest, "kind must be one of"},
	} {
		res := e.get(c, tt.path)
		if res.status != tt.status || !strings.Contains(string(res.body), tt.want) {
			t.Errorf("%s: %d %s, want %d %q", tt.path, res.status, res.body, tt.status, tt.want)
		}
	}
	anon := e.client()
	for _, p := range []string{"/staff/orders", "/staff/orders/100001", "/staff/customers", "/staff/customers/1", "/staff/after-sales", "/staff/after-sales/S1"} {
		if res := e.get(anon, p); res.status != http.StatusSeeOther || res.header.Get("Location") != "/staff/login" {
			t.Errorf("%s without a session: %d %s", p, res.status, res.header.Get("Location"))
		}
	}
	if res := e.postForm(c, "/staff/lang", url.Values{"lang": {"en"}}); res.status != http.StatusForbidden {
		t.Errorf("language switch without CSRF token: %d", res.status)
	}
}

// TestConsoleLanguage shows the console in the shop's default language
// and, once a staff member switches, in theirs.
func TestConsoleLanguage(t *testing.T) {
	e := newEnvOn(t, storetest.SQLite(t), Options{})
	c := e.client()
	token := e.login(c, "alice", alicePassword)
	contains(t, e.get(c, "/staff/orders"), "订单号、姓名或电话")
	res := e.postForm(c, "/staff/lang", url.Values{"lang": {"en"}, "csrf": {token}, "back": {"/staff/orders?q=1"}})
	if res.status != http.StatusSeeOther || res.header.Get("Location") != "/staff/orders?q=1" {
		t.Fatalf("switch: %d %s", res.status, res.header.Get("Location"))
	}
	contains(t, e.get(c, "/staff/orders"), "Order number, name or phone")
	res = e.postForm(c, "/staff/lang", url.Values{"lang": {"zh"}, "csrf": {token}, "back": {"https://evil.example/"}})
	if res.header.Get("Location") != "/staff" {
		t.Errorf("switch sent the browser to %q", res.header.Get("Location"))
	}
}

// TestWorkQueuePaging pages through more open work than one page holds,
// oldest first, each item once, with the counts of every kind.
func TestWorkQueuePaging(t *testing.T) {
	eachEnv(t, Options{}, func(t *testing.T, e *testEnv) {
		c := e.client()
		e.login(c, "alice", alicePassword)
		who := e.customer(e.client())
		var want []string
		for range 5 {
			want = append(want, fmt.Sprintf("order:%d", e.placeOrder(who).ID))
		}
		var got []string
		cursor := ""
		for pages := 0; ; pages++ {
			var body queueResponse
			e.get(c, "/staff/api/cards?limit=2&cursor="+url.QueryEscape(cursor)).json(t, &body)
			if body.Counts["new"] != 5 || pages > 3 {
				t.Fatalf("page %d: %+v", pages, body)
			}
			for _, card := range body.Cards {
				got = append(got, card.Ref)
			}
			if cursor = body.Next; cursor == "" {
				break
			}
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("queue %v, want %v", got, want)
		}
		var first queueResponse
		e.get(c, "/staff/api/cards?limit=1").json(t, &first)
		if link := first.Links[want[0]]; !strings.HasPrefix(link, "/staff/orders/1") {
			t.Errorf("link of %s: %q", want[0], link)
		}
		cust, err := e.st.CustomerByUser(t.Context(), bot.WebChat, who)
		if err != nil {
			t.Fatal(err)
		}
		h := &bot.Handoff{CustomerID: cust.ID, Open: true, CreatedAt: time.Now().UTC()}
		if err := e.st.CreateHandoff(t.Context(), h); err != nil {
			t.Fatal(err)
		}
		var handoffs queueResponse
		e.get(c, "/staff/api/cards?kind=handoff").json(t, &handoffs)
		ref := fmt.Sprintf("handoff:%d", h.ID)
		if len(handoffs.Cards) != 1 || handoffs.Cards[0].Ref != ref || handoffs.Counts["handoff"] != 1 ||
			handoffs.Links[ref] != fmt.Sprintf("/staff/customers/%d", cust.ID) {
			t.Fatalf("handoff tab: %+v", handoffs)
		}
		var fulfil queueResponse
		e.get(c, "/staff/api/cards?kind=fulfil").json(t, &fulfil)
		if len(fulfil.Cards) != 0 || fulfil.Next != "" {
			t.Fatalf("fulfil tab: %+v", fulfil)
		}
	})
}

// TestConsoleAfterSales lists and finds a request by its number, status and
// type, shows its page with the actions the role allows, and links it from
// its order's and customer's pages.
func TestConsoleAfterSales(t *testing.T) {
	eachEnv(t, Options{Lang: "en"}, func(t *testing.T, e *testEnv) {
		c := e.client()
		e.login(c, "alice", alicePassword)
		who := e.customer(e.client())
		o := e.shippedOrder(who)
		cust, err := e.st.CustomerByUser(t.Context(), bot.WebChat, who)
		if err != nil {
			t.Fatal(err)
		}
		r, err := bot.NewAfterSales(cust, o, bot.Return, "Wrong colour", nil, time.Now().UTC())
		if err != nil {
			t.Fatal(err)
		}
		if err := e.st.CreateAfterSales(t.Context(), r); err != nil {
			t.Fatal(err)
		}
		link := "/staff/after-sales/" + r.Number
		for _, q := range []string{"", "?q=" + r.Number, "?q=" + o.Number, "?status=submitted", "?type=return", "?status=submitted&type=return"} {
			contains(t, e.get(c, "/staff/after-sales"+q), link, "Awaiting decision", "Return")
		}
		for _, q := range []string{"?status=resolved", "?type=repair", "?q=S0"} {
			lacks(t, e.get(c, "/staff/after-sales"+q), link)
		}
		page := e.get(c, link)
		contains(t, page, r.Number, "Wrong colour", "/staff/orders/"+o.Number, `data-action="approve"`, `data-action="reject"`)
		bob := e.client()
		e.login(bob, "bob", bobPassword)
		lacks(t, e.get(bob, link), `data-action="approve"`)
		contains(t, e.get(c, "/staff/orders/"+o.Number), link, "marked shipped", "SF Express SF1234567890")
		contains(t, e.get(c, fmt.Sprintf("/staff/customers/%d", cust.ID)), link)
	})
}

package webchat

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
)

func TestStaffLogin(t *testing.T) {
	t.Parallel()
	e := newEnv(t)

	t.Run("success", func(t *testing.T) {
		c := e.client()
		e.login(c, "alice", alicePassword)
		u, _ := url.Parse(e.srv.URL + "/staff")
		var session *http.Cookie
		for _, ck := range c.Jar.Cookies(u) {
			if ck.Name == sessionCookie {
				session = ck
			}
		}
		if session == nil {
			t.Fatal("no session cookie after login")
		}
		page := e.get(c, "/staff")
		if !bytes.Contains(page.body, []byte("Alice")) || !bytes.Contains(page.body, []byte("审批员")) {
			t.Fatalf("console does not show who is logged in: %s", page.body)
		}
	})

	fail := func(t *testing.T, user, pw string) response {
		c := e.client()
		page := e.get(c, "/staff/login")
		tok := formToken.FindSubmatch(page.body)
		return e.postForm(c, "/staff/login", url.Values{"user": {user}, "password": {pw}, "csrf": {string(tok[1])}})
	}
	var bodies []string
	for _, tt := range []struct{ name, user, pw string }{
		{"wrong password", "alice", "nope"},
		{"unknown user", "mallory", alicePassword},
		{"empty password", "alice", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := fail(t, tt.user, tt.pw)
			if res.status != http.StatusUnauthorized || !bytes.Contains(res.body, []byte("Wrong user or password")) {
				t.Fatalf("%d %s", res.status, res.body)
			}
			if res.header.Get("Set-Cookie") != "" && strings.Contains(res.header.Get("Set-Cookie"), sessionCookie) {
				t.Fatal("a failed login set a session")
			}
			bodies = append(bodies, strings.ReplaceAll(formToken.ReplaceAllString(string(res.body), ""), tt.user, ""))
		})
	}
	if len(bodies) == 3 && bodies[0] != bodies[1] {
		t.Error("a wrong password and an unknown user get different pages")
	}

	t.Run("without the form token", func(t *testing.T) {
		c := e.client()
		e.get(c, "/staff/login")
		res := e.postForm(c, "/staff/login", url.Values{"user": {"alice"}, "password": {alicePassword}})
		if res.status != http.StatusForbidden || e.cookie(c, "/staff", sessionCookie) != "" {
			t.Fatalf("login without token: %d", res.status)
		}
	})
}

func TestStaffRequiresSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	o := e.placeOrder(e.customer(e.client()))

	if res := e.get(c, "/staff"); res.status != http.StatusSeeOther || res.header.Get("Location") != "/staff/login" {
		t.Fatalf("console without session: %d %s", res.status, res.header.Get("Location"))
	}
	if res := e.get(c, "/staff/api/cards"); res.status != http.StatusUnauthorized {
		t.Fatalf("cards without session: %d", res.status)
	}
	res := e.postJSON(c, "/staff/api/action", map[string]any{"ref": fmt.Sprintf("order:%d", o.ID), "action": "approve", "version": o.Version}, nil)
	if res.status != http.StatusUnauthorized {
		t.Fatalf("action without session: %d", res.status)
	}
	if got := e.order(o.ID).Status; got != bot.Pending {
		t.Fatalf("order is %s after an action without session", got)
	}
}

func TestStaffSessionForgery(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	key, err := e.svc.Secret(t.Context(), "webchat-session")
	if err != nil {
		t.Fatal(err)
	}
	o := e.placeOrder(e.customer(e.client()))
	valid := e.sessionOf(e.client(), "alice", alicePassword)
	// A session row that has run out, and one of a user who is no staff.
	now := time.Now()
	for user, exp := range map[string]time.Time{"alice": now.Add(-time.Minute), "carol": now.Add(time.Hour)} {
		err := e.st.CreateStaffSession(t.Context(), bot.StaffSession{ID: sessionID(user + "-cookie"), Channel: bot.WebChat,
			UserID: user, Grant: grantOf(bot.Staff{Role: bot.Approver, PasswordHash: testHashes()["alice"]}), CreatedAt: now, ExpiresAt: exp})
		if err != nil {
			t.Fatal(err)
		}
	}

	// Each forgery is tried with the CSRF token that matches it, so only the
	// session check stands between it and the order; the valid session last
	// shows that the same request would have worked.
	tests := []struct {
		name   string
		cookie string
		status int
	}{
		{"never issued", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", http.StatusUnauthorized},
		{"one character changed", valid[:len(valid)-1] + string(valid[len(valid)-1]^1), http.StatusUnauthorized},
		{"its hash as stored", sessionID(valid), http.StatusUnauthorized},
		{"expired", "alice-cookie", http.StatusUnauthorized},
		{"not staff", "carol-cookie", http.StatusUnauthorized},
		{"garbage", "x", http.StatusUnauthorized},
		{"valid", valid, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.client()
			u, _ := url.Parse(e.srv.URL + "/staff")
			c.Jar.SetCookies(u, []*http.Cookie{{Name: sessionCookie, Value: tt.cookie, Path: "/staff"}})
			if res := e.get(c, "/staff/api/cards"); res.status != tt.status {
				t.Fatalf("cards: %d, want %d", res.status, tt.status)
			}
			tok := sign(key, "csrf", tt.cookie)
			res := e.postJSON(c, "/staff/api/action", map[string]any{"ref": fmt.Sprintf("order:%d", o.ID), "action": "approve", "version": o.Version},
				map[string]string{csrfHeader: tok})
			want := bot.Pending
			if tt.status == http.StatusOK {
				want = bot.Confirmed
			}
			if res.status != tt.status || e.order(o.ID).Status != want {
				t.Fatalf("action: %d, order %s", res.status, e.order(o.ID).Status)
			}
		})
	}
}

func TestStaffRemovedEndsSession(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	e.login(c, "bob", bobPassword)
	if res := e.get(c, "/staff/api/cards"); res.status != http.StatusOK {
		t.Fatalf("cards: %d", res.status)
	}
	if err := e.st.RemoveStaff(t.Context(), bot.WebChat, "bob"); err != nil {
		t.Fatal(err)
	}
	if res := e.get(c, "/staff/api/cards"); res.status != http.StatusUnauthorized {
		t.Fatalf("cards after removal: %d", res.status)
	}
}

func TestStaffActionCSRF(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	token := e.login(c, "alice", alicePassword)
	other := e.client()
	otherToken := e.login(other, "alice", alicePassword)
	if token == otherToken {
		t.Fatal("two sessions share a CSRF token")
	}
	o := e.placeOrder(e.customer(e.client()))
	body := map[string]any{"ref": fmt.Sprintf("order:%d", o.ID), "action": "approve", "version": o.Version}

	for _, tt := range []struct {
		name   string
		header map[string]string
	}{
		{"missing", nil},
		{"wrong", map[string]string{csrfHeader: "AAAA" + token[4:]}},
		{"of another session", map[string]string{csrfHeader: otherToken}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := e.postJSON(c, "/staff/api/action", body, tt.header)
			if res.status != http.StatusForbidden {
				t.Fatalf("status %d, want 403", res.status)
			}
			if got := e.order(o.ID).Status; got != bot.Pending {
				t.Fatalf("order is %s", got)
			}
		})
	}

	t.Run("logout needs it too", func(t *testing.T) {
		res := e.postForm(c, "/staff/logout", url.Values{})
		if res.status != http.StatusForbidden || e.get(c, "/staff/api/cards").status != http.StatusOK {
			t.Fatalf("logout without token: %d", res.status)
		}
		res = e.postForm(c, "/staff/logout", url.Values{"csrf": {token}})
		if res.status != http.StatusSeeOther || e.get(c, "/staff/api/cards").status != http.StatusUnauthorized {
			t.Fatalf("logout: %d", res.status)
		}
	})
}

func TestStaffAgentCannotApprove(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	token := e.login(c, "bob", bobPassword)
	o := e.placeOrder(e.customer(e.client()))
	res := e.postJSON(c, "/staff/api/action", map[string]any{"ref": fmt.Sprintf("order:%d", o.ID), "action": "approve", "version": o.Version},
		map[string]string{csrfHeader: token})
	if res.status != http.StatusForbidden || res.errorText(t) != "your role cannot do this" {
		t.Fatalf("agent approve: %d %s", res.status, res.body)
	}
	if got := e.order(o.ID); got.Status != bot.Pending || got.Version != o.Version {
		t.Fatalf("order is %s v%d after a refused approve", got.Status, got.Version)
	}
}

func TestStaffApprove(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	cust := e.client()
	custID := e.customer(cust)
	o := e.placeOrder(custID)
	ref := fmt.Sprintf("order:%d", o.ID)

	alice := e.client()
	token := e.login(alice, "alice", alicePassword)
	var work cardsResponse
	e.get(alice, "/staff/api/cards").json(t, &work)
	var card *bot.Card
	for i := range work.Cards {
		if work.Cards[i].Ref == ref {
			card = &work.Cards[i]
		}
	}
	if card == nil || !hasAction(*card, "approve") {
		t.Fatalf("open work %+v has no approvable card %s", work.Cards, ref)
	}

	// The console polls the feed while the order is approved.
	polled := make(chan response, 1)
	go func() { polled <- e.get(alice, "/staff/api/feed?after="+strconv.FormatInt(work.After, 10)) }()
	time.Sleep(100 * time.Millisecond)

	res := e.postJSON(alice, "/staff/api/action", map[string]any{"ref": ref, "action": "approve", "version": card.Version},
		map[string]string{csrfHeader: token})
	var done actionResponse
	res.json(t, &done)
	if res.status != http.StatusOK || done.Card.Ref != ref || hasAction(done.Card, "approve") || !strings.Contains(done.Card.Title, "已确认") {
		t.Fatalf("approve: %d %s", res.status, res.body)
	}
	if got := e.order(o.ID).Status; got != bot.Confirmed {
		t.Fatalf("order is %s", got)
	}

	var feed cardsResponse
	(<-polled).json(t, &feed)
	if len(feed.Cards) == 0 || feed.Cards[len(feed.Cards)-1].Ref != ref || feed.Cards[len(feed.Cards)-1].Version != done.Card.Version || feed.After <= work.After {
		t.Fatalf("staff feed after approve: %+v", feed)
	}

	// The customer's page receives the confirmation.
	var notes []message
	e.get(cust, "/chat/api/messages?after=0").json(t, &notes)
	if len(notes) != 1 || notes[0].Kind != "notice" || !strings.Contains(notes[0].Text, o.Number) {
		t.Fatalf("customer feed: %+v", notes)
	}

	// A second approver with the old card is told who was first.
	carolHash, _ := HashPassword("carol password")
	if err := e.st.SaveStaff(t.Context(), bot.Staff{Channel: bot.WebChat, UserID: "carol", Role: bot.Admin, PasswordHash: carolHash}); err != nil {
		t.Fatal(err)
	}
	carol := e.client()
	carolToken := e.login(carol, "carol", "carol password")
	res = e.postJSON(carol, "/staff/api/action", map[string]any{"ref": ref, "action": "approve", "version": card.Version},
		map[string]string{csrfHeader: carolToken})
	var conflict errorBody
	res.json(t, &conflict)
	if res.status != http.StatusConflict || !strings.Contains(conflict.Error, "already approved by Alice (webchat)") ||
		conflict.Card == nil || conflict.Card.Version != done.Card.Version {
		t.Fatalf("second approve: %d %s", res.status, res.body)
	}
	if n := len(e.feed(custID)); n != 1 {
		t.Fatalf("customer got %d notices, want 1", n)
	}
}

func TestStaffActionErrors(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	c := e.client()
	token := e.login(c, "alice", alicePassword)
	o := e.placeOrder(e.customer(e.client()))
	ref := fmt.Sprintf("order:%d", o.ID)
	tests := []struct {
		name   string
		body   any
		status int
	}{
		{"reject without reason", map[string]any{"ref": ref, "action": "reject", "version": o.Version}, http.StatusBadRequest},
		{"unknown order", map[string]any{"ref": "order:99999", "action": "approve", "version": 1}, http.StatusNotFound},
		{"stale version", map[string]any{"ref": ref, "action": "approve", "version": o.Version + 5}, http.StatusConflict},
		{"missing ref", map[string]any{"action": "approve"}, http.StatusBadRequest},
		{"oversized", map[string]any{"ref": ref, "action": "reject", "reason": strings.Repeat("x", 25<<10)}, http.StatusRequestEntityTooLarge},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := e.postJSON(c, "/staff/api/action", tt.body, map[string]string{csrfHeader: token})
			if res.status != tt.status || res.errorText(t) == "" {
				t.Fatalf("%d %s, want %d", res.status, res.body, tt.status)
			}
			if got := e.order(o.ID).Status; got != bot.Pending {
				t.Fatalf("order is %s", got)
			}
		})
	}
	t.Run("stale version sends the current card", func(t *testing.T) {
		res := e.postJSON(c, "/staff/api/action", map[string]any{"ref": ref, "action": "approve", "version": o.Version + 5}, map[string]string{csrfHeader: token})
		var body errorBody
		res.json(t, &body)
		if body.Card == nil || body.Card.Version != o.Version || body.Error != "this card changed, it now shows the current state" {
			t.Fatalf("%s", res.body)
		}
	})
	t.Run("wrong method", func(t *testing.T) {
		if res := e.get(c, "/staff/api/action"); res.status != http.StatusMethodNotAllowed {
			t.Fatalf("%d", res.status)
		}
	})
}

func hasAction(c bot.Card, id string) bool {
	for _, a := range c.Actions {
		if a.ID == id {
			return true
		}
	}
	return false
}

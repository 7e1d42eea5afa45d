package webchat

import (
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// tryLogin posts the login form as a fresh browser would.
func (e *testEnv) tryLogin(c *http.Client, user, pw string) response {
	e.t.Helper()
	page := e.get(c, "/staff/login")
	tok := formToken.FindSubmatch(page.body)
	if tok == nil {
		e.t.Fatalf("no csrf field in login form: %d %s", page.status, page.body)
	}
	return e.postForm(c, "/staff/login", url.Values{"user": {user}, "password": {pw}, "csrf": {string(tok[1])}})
}

// loginFrom posts the login form as if from addr.
func (e *testEnv) loginFrom(addr, user, pw string) *http.Response {
	e.t.Helper()
	form := httptest.NewRequest(http.MethodGet, "/staff/login", nil)
	page := e.serveFrom(addr, form)
	var nonce *http.Cookie
	for _, c := range page.Cookies() {
		if c.Name == loginCookie {
			nonce = c
		}
	}
	body, _ := io.ReadAll(page.Body)
	tok := formToken.FindStringSubmatch(string(body))
	if nonce == nil || tok == nil {
		e.t.Fatalf("login form: %d", page.StatusCode)
	}
	req := httptest.NewRequest(http.MethodPost, "/staff/login",
		strings.NewReader(url.Values{"user": {user}, "password": {pw}, "csrf": {tok[1]}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(nonce)
	return e.serveFrom(addr, req)
}

// TestLoginLockoutPerUser: five wrong passwords for a user lock it for 15
// minutes, against the right password too, wherever it comes from.
func TestLoginLockoutPerUser(t *testing.T) {
	eachEnv(t, Options{}, func(t *testing.T, e *testEnv) {
		clock := newClock()
		e.h.opts.Clock = clock.Now
		c := e.client()
		for i := range 5 {
			if res := e.tryLogin(c, "alice", "guess-"+string(rune('a'+i))); res.status != http.StatusUnauthorized {
				t.Fatalf("wrong password %d: %d", i, res.status)
			}
			clock.Add(time.Minute)
		}
		res := e.tryLogin(e.client(), "alice", alicePassword)
		// The first failure leaves the window 15 - 5 = 10 minutes from now.
		if secs := retryAfter(t, res.status, res.header, res.body, 900); secs != 10*60 {
			t.Fatalf("Retry-After %d, want 600", secs)
		}
		if !strings.Contains(string(res.body), "Too many failed logins") || strings.Contains(res.header.Get("Set-Cookie"), sessionCookie+"=") {
			t.Fatalf("locked login: %s %q", res.body, res.header.Get("Set-Cookie"))
		}
		if res := e.loginFrom("198.51.100.7:4000", "alice", alicePassword); res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("right password from another address while locked: %d", res.StatusCode)
		}
		// Bob is not locked by Alice's failures (from an address that did not fail).
		if res := e.loginFrom("192.0.2.50:4000", "bob", bobPassword); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("bob: %d", res.StatusCode)
		}

		logs := e.logs.String()
		if !strings.Contains(logs, "staff login failed") || !strings.Contains(logs, "remote=127.0.0.1") ||
			!strings.Contains(logs, "remote=198.51.100.7") || strings.Contains(logs, "guess-") || strings.Contains(logs, alicePassword) {
			t.Fatalf("the log should name user and address, never a password:\n%s", logs)
		}

		clock.Add(10*time.Minute + time.Second)
		e.login(e.client(), "alice", alicePassword)
	})
}

// TestLoginLockoutPerAddress: five failures from one address, whatever the
// users, lock that address and not others.
func TestLoginLockoutPerAddress(t *testing.T) {
	eachEnv(t, Options{}, func(t *testing.T, e *testEnv) {
		for _, user := range []string{"mallory", "root", strings.Repeat("x", 4000), "bob", "\xff\xfe"} {
			if res := e.tryLogin(e.client(), user, "123456"); res.status != http.StatusUnauthorized {
				t.Fatalf("%.20q: %d", user, res.status)
			}
		}
		res := e.tryLogin(e.client(), "alice", alicePassword)
		retryAfter(t, res.status, res.header, res.body, 900)
		if res := e.loginFrom("[2001:db8::1]:4000", "alice", alicePassword); res.StatusCode != http.StatusSeeOther {
			t.Fatalf("right password from another address: %d", res.StatusCode)
		}
	})
}

// TestLoginLockoutConcurrent: attempts sent all at once get no more
// password checks than the limit allows.
func TestLoginLockoutConcurrent(t *testing.T) {
	eachEnv(t, Options{}, func(t *testing.T, e *testEnv) {
		var mu sync.Mutex
		counts := map[int]int{}
		var wg sync.WaitGroup
		for i := range 20 {
			wg.Go(func() {
				res := e.loginFrom("203.0.113.5:"+string(rune('0'+i%10))+"000", "alice", "wrong")
				mu.Lock()
				counts[res.StatusCode]++
				mu.Unlock()
			})
		}
		wg.Wait()
		if counts[http.StatusUnauthorized] > 5 || counts[http.StatusUnauthorized]+counts[http.StatusTooManyRequests] != 20 {
			t.Fatalf("20 attempts at once: %v; want at most 5 checked, the rest 429", counts)
		}
	})
}

// TestSessionsEnd: logging out ends that session everywhere; a new password
// (even the same one again), a new role or removal end all of the user's.
func TestSessionsEnd(t *testing.T) {
	eachEnv(t, Options{}, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		// replay sends a session cookie from a browser that never logged out.
		replay := func(cookie string) int {
			c := e.client()
			e.setCookie(c, "/staff", sessionCookie, cookie)
			return e.get(c, "/staff/api/cards").status
		}
		t.Run("logout", func(t *testing.T) {
			c := e.client()
			csrf := e.login(c, "alice", alicePassword)
			cookie := e.cookie(c, "/staff", sessionCookie)
			other := e.sessionOf(e.client(), "alice", alicePassword)
			res := e.do(c, http.MethodPost, "/staff/logout", nil, map[string]string{csrfHeader: csrf})
			if res.status != http.StatusSeeOther {
				t.Fatalf("logout: %d %s", res.status, res.body)
			}
			if got := replay(cookie); got != http.StatusUnauthorized {
				t.Fatalf("the cookie after logout: %d", got)
			}
			if got := replay(other); got != http.StatusOK {
				t.Fatalf("another session of the same user after logout: %d", got)
			}
		})
		save := func(t *testing.T, change func(*bot.Staff)) {
			st, err := e.st.StaffMember(ctx, bot.WebChat, "alice")
			if err != nil {
				t.Fatal(err)
			}
			change(&st)
			if err := e.svc.SaveStaff(ctx, "test", st); err != nil {
				t.Fatal(err)
			}
		}
		for _, tt := range []struct {
			name   string
			change func(*bot.Staff)
			ends   bool
		}{
			{"name changed", func(s *bot.Staff) { s.Name = "Alice L." }, false},
			{"same password again", func(s *bot.Staff) { s.PasswordHash = mustHash(t, alicePassword) }, true},
			{"new password", func(s *bot.Staff) { s.PasswordHash = mustHash(t, "a new password") }, true},
			{"role changed", func(s *bot.Staff) { s.Role = bot.Agent }, true},
		} {
			t.Run(tt.name, func(t *testing.T) {
				st, _ := e.st.StaffMember(ctx, bot.WebChat, "alice")
				pw := alicePassword
				if CheckPassword(st.PasswordHash, "a new password") {
					pw = "a new password"
				}
				alice := e.sessionOf(e.client(), "alice", pw)
				bob := e.sessionOf(e.client(), "bob", bobPassword)
				save(t, tt.change)
				want := http.StatusOK
				if tt.ends {
					want = http.StatusUnauthorized
				}
				if got := replay(alice); got != want {
					t.Fatalf("alice's session: %d, want %d", got, want)
				}
				if got := replay(bob); got != http.StatusOK {
					t.Fatalf("bob's session: %d", got)
				}
			})
		}
	})
}

func mustHash(t *testing.T, pw string) string {
	t.Helper()
	h, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// TestSecureCookies: cookies are Secure when the request came over TLS or
// through a proxy that says https, not otherwise.
func TestSecureCookies(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct {
		name   string
		target string
		proto  string
		secure bool
	}{
		{"plain http", "http://shop.example/chat", "", false},
		{"tls", "https://shop.example/chat", "", true},
		{"behind a tls proxy", "http://shop.example/chat", "https", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, tt.target, nil)
			if tt.proto != "" {
				req.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			cs := e.serveFrom("192.0.2.1:1", req).Cookies()
			if len(cs) != 1 || cs[0].Secure != tt.secure {
				t.Fatalf("cookies %v, want one with Secure=%v", cs, tt.secure)
			}
		})
	}
}

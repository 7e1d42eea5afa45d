package main

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/store/storetest"
)

func TestTrustedProxiesSetting(t *testing.T) {
	for _, tt := range []struct {
		value string
		n     int
		bad   bool
	}{
		{"", 0, false},
		{"10.0.0.0/8, 192.168.1.5 ::1", 3, false},
		{"10.0.0.0/8,,  172.16.0.0/12", 2, false},
		{"10.0.0.0/33", 0, true},
		{"proxy.internal", 0, true},
	} {
		cfg, err := loadConfig(func(k string) string {
			return map[string]string{"ORDERBOT_TRUSTED_PROXIES": tt.value, "ORDERBOT_ENV_FILE": t.TempDir() + "/none"}[k]
		})
		if tt.bad {
			if err == nil || !strings.Contains(err.Error(), "ORDERBOT_TRUSTED_PROXIES") {
				t.Errorf("%q: %v, want an error naming the setting", tt.value, err)
			}
			continue
		}
		if err != nil || len(cfg.TrustedProxies) != tt.n {
			t.Errorf("%q: %v, %v; want %d entries", tt.value, cfg.TrustedProxies, err, tt.n)
		}
	}
}

// TestBehindProxies: the client's address and scheme come from the
// forwarding headers only when a trusted proxy sent them.
func TestBehindProxies(t *testing.T) {
	tp, err := parseTrustedProxies("10.0.0.0/8 192.0.2.1")
	if err != nil {
		t.Fatal(err)
	}
	var seen *http.Request
	h := behindProxies(tp, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = r }))
	for _, tt := range []struct {
		name, peer, xff, proto string
		wantAddr, wantProto    string
	}{
		{"untrusted peer spoofing", "203.0.113.9:5000", "198.51.100.1", "https", "203.0.113.9:5000", ""},
		{"trusted proxy", "10.1.2.3:5000", "198.51.100.1", "https", "198.51.100.1:0", "https"},
		{"client-made entries left of the real one", "10.1.2.3:5000", "6.6.6.6, 198.51.100.1", "http", "198.51.100.1:0", "http"},
		{"two trusted hops", "192.0.2.1:5000", "198.51.100.1, 10.9.9.9", "https", "198.51.100.1:0", "https"},
		{"proxies append their scheme", "10.1.2.3:5000", "198.51.100.1", "https, http", "198.51.100.1:0", "http"},
		{"garbage entry", "10.1.2.3:5000", "198.51.100.1, nonsense", "gopher", "10.1.2.3:5000", ""},
		{"trusted proxy, no header", "10.1.2.3:5000", "", "", "10.1.2.3:5000", ""},
		{"ipv6 client", "10.1.2.3:5000", "2001:db8::7", "https", "[2001:db8::7]:0", "https"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest(http.MethodGet, "/chat", nil)
			req.RemoteAddr = tt.peer
			if tt.xff != "" {
				req.Header.Set("X-Forwarded-For", tt.xff)
			}
			if tt.proto != "" {
				req.Header.Set("X-Forwarded-Proto", tt.proto)
			}
			req.Header.Set("X-Real-IP", "6.6.6.6")
			h.ServeHTTP(httptest.NewRecorder(), req)
			if seen.RemoteAddr != tt.wantAddr || seen.Header.Get("X-Forwarded-Proto") != tt.wantProto {
				t.Fatalf("RemoteAddr %q, X-Forwarded-Proto %q; want %q, %q", seen.RemoteAddr, seen.Header.Get("X-Forwarded-Proto"), tt.wantAddr, tt.wantProto)
			}
			if seen.Header.Get("X-Forwarded-For") != "" || seen.Header.Get("X-Real-IP") != "" {
				t.Fatalf("forwarding headers passed on: %v", seen.Header)
			}
		})
	}
}

// failLogin posts a wrong password as a fresh browser, with extra headers.
func failLogin(t *testing.T, s *server, user, pw string, header map[string]string) *http.Response {
	t.Helper()
	u := s.newUser()
	m := hiddenCSRF.FindSubmatch(u.get("/staff/login", http.StatusOK))
	form := url.Values{"user": {user}, "password": {pw}, "csrf": {string(m[1])}}
	req, _ := http.NewRequest(http.MethodPost, s.base+"/staff/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := u.c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res
}

// TestForwardedForThroughTheServer: the login lockout counts the real
// peer when it is not a trusted proxy, however X-Forwarded-For varies, and
// the client a trusted proxy names when it is.
func TestForwardedForThroughTheServer(t *testing.T) {
	t.Run("untrusted", func(t *testing.T) {
		s := startServer(t, map[string]string{"ORDERBOT_DB": storetest.DSN(t, "sqlite"), "ORDERBOT_DEMO": "true"})
		defer s.stop()
		for i, user := range []string{"a1", "a2", "a3", "a4", "a5"} {
			res := failLogin(t, s, user, "wrong-password", map[string]string{"X-Forwarded-For": "198.51.100." + string(rune('1'+i))})
			if res.StatusCode != http.StatusUnauthorized {
				t.Fatalf("%s: %d", user, res.StatusCode)
			}
		}
		res := failLogin(t, s, "demo", "demo", map[string]string{"X-Forwarded-For": "198.51.100.99", "X-Forwarded-Proto": "https"})
		if res.StatusCode != http.StatusTooManyRequests || res.Header.Get("Retry-After") == "" {
			t.Fatalf("a spoofed X-Forwarded-For got past the lockout: %d", res.StatusCode)
		}
		if secure, ok := chatCookieSecure(t, s); !ok || secure {
			t.Fatalf("an untrusted X-Forwarded-Proto: chat cookie set %v, Secure %v", ok, secure)
		}
	})
	t.Run("trusted", func(t *testing.T) {
		s := startServer(t, map[string]string{"ORDERBOT_DB": storetest.DSN(t, "sqlite"), "ORDERBOT_DEMO": "true",
			"ORDERBOT_TRUSTED_PROXIES": "127.0.0.1"})
		defer s.stop()
		attacker := map[string]string{"X-Forwarded-For": "198.51.100.1"}
		for _, user := range []string{"a1", "a2", "a3", "a4", "a5"} {
			failLogin(t, s, user, "wrong-password", attacker)
		}
		if res := failLogin(t, s, "demo", "demo", attacker); res.StatusCode != http.StatusTooManyRequests {
			t.Fatalf("the locked client: %d", res.StatusCode)
		}
		res := failLogin(t, s, "demo", "demo", map[string]string{"X-Forwarded-For": "198.51.100.2", "X-Forwarded-Proto": "https"})
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("another client behind the proxy: %d", res.StatusCode)
		}
		var secure bool
		for _, c := range res.Cookies() {
			secure = secure || c.Name == "orderbot_staff" && c.Secure
		}
		if !secure {
			t.Fatalf("session cookie behind a TLS proxy is not Secure: %v", res.Cookies())
		}
		if secure, ok := chatCookieSecure(t, s); !ok || !secure {
			t.Fatalf("behind a TLS proxy: chat cookie set %v, Secure %v", ok, secure)
		}
	})
}

// chatCookieSecure opens the chat as a new visitor saying it came over
// https, and reports whether the customer cookie was set and Secure.
func chatCookieSecure(t *testing.T, s *server) (secure, set bool) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.base+"/chat", nil)
	req.Header.Set("X-Forwarded-Proto", "https")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	for _, c := range res.Cookies() {
		if c.Name == "orderbot_chat" {
			return c.Secure, true
		}
	}
	return false, false
}

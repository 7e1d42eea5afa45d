package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// The shop's name, logo, time zone and embedding origins reach the chat
// page the server serves.
func TestServeChatShopSettings(t *testing.T) {
	s := startServer(t, map[string]string{
		"ORDERBOT_DB":            "sqlite:" + t.TempDir() + "/shop.db",
		"ORDERBOT_SHOP_NAME":     "西湖茶庄",
		"ORDERBOT_SHOP_LOGO":     "https://cdn.teashop.example/logo.png",
		"ORDERBOT_EMBED_ORIGINS": "https://www.teashop.example https://teashop.example:8443",
		"ORDERBOT_ADMIN_ADDR":    "off",
	})
	defer s.stop()
	res, err := http.Get(s.base + "/chat")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	page := string(body)
	if !strings.Contains(page, "<title>西湖茶庄</title>") || !strings.Contains(page, `src="https://cdn.teashop.example/logo.png"`) {
		t.Errorf("chat page lacks the shop's name or logo:\n%s", page)
	}
	csp := res.Header.Get("Content-Security-Policy")
	if !strings.HasSuffix(csp, "frame-ancestors 'self' https://www.teashop.example https://teashop.example:8443") {
		t.Errorf("CSP %q", csp)
	}
	var cookie *http.Cookie
	for _, c := range res.Cookies() {
		if c.Name == "orderbot_chat" {
			cookie = c
		}
	}
	if cookie == nil || cookie.SameSite != http.SameSiteNoneMode || !cookie.Secure || !cookie.Partitioned {
		t.Errorf("embedded chat cookie %+v, want SameSite=None; Secure; Partitioned", cookie)
	}
}

// A bad origin or logo stops the start with a message naming the variable.
func TestChatConfigRefusesBadValues(t *testing.T) {
	for _, bad := range [][]string{
		{"ORDERBOT_EMBED_ORIGINS", "https://ok.example http://shop.example"},
		{"ORDERBOT_EMBED_ORIGINS", "https://shop.example/chat"},
		{"ORDERBOT_EMBED_ORIGINS", "*"},
		{"ORDERBOT_EMBED_ORIGINS", "https://shop.example; script-src *"},
		{"ORDERBOT_SHOP_LOGO", "javascript:alert(1)"},
		{"ORDERBOT_SHOP_LOGO", "/logo.png"},
	} {
		_, err := loadConfig(func(k string) string {
			if k == bad[0] {
				return bad[1]
			}
			return ""
		})
		if err == nil || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%s=%q: err = %v, want one naming the variable", bad[0], bad[1], err)
		}
	}
}

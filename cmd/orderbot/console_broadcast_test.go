package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/store/storetest"
)

// TestConsoleBroadcastServed: the served console has the broadcast pages;
// a promotion written, submitted and approved there reaches the customer
// who subscribed (one approver may approve their own here).
func TestConsoleBroadcastServed(t *testing.T) {
	s := startServer(t, map[string]string{
		"ORDERBOT_DB": storetest.DSN(t, "sqlite"), "ORDERBOT_DEMO": "true", "ORDERBOT_BROADCAST_TWO_PEOPLE": "false",
	})
	defer func() {
		if err := s.stop(); err != nil {
			t.Error(err)
		}
	}()
	fan := s.newUser()
	fan.say("hello")
	fan.say("subscribe")
	staff := s.newUser()
	staff.login("demo", "demo")
	if !strings.Contains(string(staff.get("/staff/broadcasts", http.StatusOK)), `href="/staff/broadcasts/new"`) {
		t.Fatal("the console has no broadcast list")
	}
	post := func(path string, form url.Values) string {
		t.Helper()
		form.Set("csrf", staff.csrf)
		req, _ := http.NewRequest(http.MethodPost, s.base+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		res, err := staff.c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("%s: %d", path, res.StatusCode)
		}
		return res.Header.Get("Location")
	}
	page := post("/staff/broadcasts", url.Values{"text_zh": {"CONSOLE 新茶上市"}, "text_en": {"CONSOLE tea is in"}, "channel": {"webchat"}})
	post(page+"/submit", url.Values{})
	post(page+"/approve", url.Values{})
	fan.waitFor("CONSOLE")
}

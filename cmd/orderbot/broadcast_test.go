package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/store/storetest"
)

// TestBroadcastDeliveredEndToEnd: an agent writes a promotion through the
// served API, an approver approves it, and it reaches the web chat
// customer who subscribed, ending with how to unsubscribe, and only them.
func TestBroadcastDeliveredEndToEnd(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	s := startServer(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DEMO": "true"})
	defer func() {
		if err := s.stop(); err != nil {
			t.Error(err)
		}
	}()
	tokens := map[string]string{}
	for name, role := range map[string]string{"writer": "agent", "boss": "approver"} {
		out, err := cli(t, dsn, "", "token", "create", "--name", name, "--role", role)
		if tokens[name] = printedToken.FindString(out); err != nil || tokens[name] == "" {
			t.Fatalf("token create: %q, %v", out, err)
		}
	}
	fan, other := s.newUser(), s.newUser()
	fan.say("hello")
	fan.say("subscribe")
	other.say("hello")

	api := func(token, method, path, body string, want int) map[string]any {
		t.Helper()
		req, err := http.NewRequest(method, s.base+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Authorization", "Bearer "+tokens[token])
		var got map[string]any
		if err := json.Unmarshal(fan.do(req, want), &got); err != nil {
			t.Fatal(err)
		}
		return got
	}
	b := api("writer", "POST", "/api/v1/broadcasts", `{"text_zh":"SPRING 新茶上市","text_en":"SPRING tea is in","segment":{"channels":["webchat"]}}`, http.StatusCreated)
	path := fmt.Sprint("/api/v1/broadcasts/", b["id"])
	if got := api("writer", "POST", path+"/submit", "", http.StatusOK); got["audience"] != float64(1) {
		t.Fatalf("submitted: %v", got)
	}
	api("writer", "POST", path+"/approve", "", http.StatusForbidden)
	api("boss", "POST", path+"/approve", "", http.StatusOK)

	text := fan.waitFor("SPRING")
	if !strings.Contains(text, `"unsubscribe"`) && !strings.Contains(text, "退订") {
		t.Errorf("the promotion does not say how to stop them: %q", text)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got := api("writer", "GET", path, "", http.StatusOK)
		rep, _ := got["report"].(map[string]any)
		if got["status"] == "sent" && rep["targeted"] == float64(1) && rep["sent"] == float64(1) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("broadcast not reported sent: %v", got)
		}
		time.Sleep(100 * time.Millisecond)
	}
	var ms []message
	if err := json.Unmarshal(other.get("/chat/api/messages?after=0", http.StatusOK), &ms); err != nil {
		t.Fatal(err)
	}
	for _, m := range ms {
		if strings.Contains(m.Text, "SPRING") {
			t.Errorf("a customer who never subscribed got %q", m.Text)
		}
	}
}

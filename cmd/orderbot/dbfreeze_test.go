package main

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/store/storetest"
)

// With the database hung, /readyz says "not ready" and a customer's message
// fails with a server error, each within its deadline instead of for as
// long as the database hangs; once it answers again, so does the server.
func TestFrozenDatabaseFailsFast(t *testing.T) {
	dsn, proxy := storetest.MySQLWithProxy(t)
	s := startServer(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DEMO": "true"}, func(c *config) {
		c.Ops.RequestTimeout = 2 * time.Second
	})
	shopper := s.newUser()
	shopper.say("menu")

	proxy.Freeze()
	// Far longer than the deadlines: an answer must come, and in time.
	client := &http.Client{Timeout: 60 * time.Second}
	get := func(url string) (int, string) {
		t.Helper()
		res, err := client.Get(url)
		if err != nil {
			t.Fatalf("GET %s with the database frozen: %v", url, err)
		}
		defer res.Body.Close()
		body, _ := io.ReadAll(res.Body)
		return res.StatusCode, strings.TrimSpace(string(body))
	}
	if code, body := get(s.base + "/readyz"); code != http.StatusServiceUnavailable || body != "not ready" {
		t.Errorf("public /readyz with the database frozen: %d %q", code, body)
	}
	if code, body := get(s.admin + "/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "deadline") {
		t.Errorf("admin /readyz with the database frozen: %d %q", code, body)
	}
	// The metrics that need no database are still served.
	if code, body := get(s.admin + "/metrics"); code != http.StatusOK || !strings.Contains(body, "go_goroutines") ||
		strings.Contains(body, "orderbot_outbox_messages{") {
		t.Errorf("metrics with the database frozen: %d\n%s", code, body)
	}
	req, _ := http.NewRequest(http.MethodPost, s.base+"/chat/api/send", bytes.NewReader([]byte(`{"id":"f1","text":"orders"}`)))
	req.Header.Set("Content-Type", "application/json")
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("web chat send with the database frozen: %v", err)
	}
	res.Body.Close()
	if res.StatusCode < 500 {
		t.Errorf("web chat send with the database frozen: %d", res.StatusCode)
	}

	proxy.Resume()
	deadline := time.Now().Add(20 * time.Second)
	for code, _ := get(s.base + "/readyz"); code != http.StatusOK; code, _ = get(s.base + "/readyz") {
		if time.Now().After(deadline) {
			t.Fatalf("not ready 20 s after the database came back: %d", code)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := shopper.say("orders"); got == "" {
		t.Error("no reply after the database came back")
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
}

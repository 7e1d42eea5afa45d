package main

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/store/storetest"
)

// A client that sends its body one byte at a time is cut off once the body
// timeout has passed, on every route that reads a body; while such clients
// fill the connection limit, /healthz still answers.
func TestTricklingBodiesAreCutOff(t *testing.T) {
	tg := httptest.NewServer(&fakeTelegram{})
	defer tg.Close()
	sl := httptest.NewServer(&fakeSlack{})
	defer sl.Close()
	wx := httptest.NewServer(&fakeWeChat{})
	defer wx.Close()
	s := startServer(t, map[string]string{
		"ORDERBOT_DB": storetest.DSN(t, "sqlite"), "ORDERBOT_PUBLIC_URL": "https://shop.example",
		"ORDERBOT_TELEGRAM_TOKEN": "123:test", "ORDERBOT_TELEGRAM_API": tg.URL + "/bot%s/%s",
		"ORDERBOT_TELEGRAM_WEBHOOK_SECRET": "s3cret",
		"ORDERBOT_SLACK_BOT_TOKEN":         "xoxb-test", "ORDERBOT_SLACK_SIGNING_SECRET": "shh",
		"ORDERBOT_SLACK_API_URL": sl.URL + "/", "ORDERBOT_SLACK_STAFF_CHANNEL": "C1",
		"ORDERBOT_WECHAT_APP_ID": "wx123", "ORDERBOT_WECHAT_APP_SECRET": "secret", "ORDERBOT_WECHAT_TOKEN": "tok",
		"ORDERBOT_WECHAT_API_URL": wx.URL,
	}, func(c *config) {
		c.Ops.BodyTimeout = 500 * time.Millisecond
		c.Ops.MaxConns = 8
	})
	addr := strings.TrimPrefix(s.base, "http://")
	ts := fmt.Sprint(time.Now().Unix())
	wechatQuery := url.Values{"signature": {wechatSignature("tok", ts, "n1")}, "timestamp": {ts}, "nonce": {"n1"}}.Encode()
	paths := []string{"/wechat?" + wechatQuery, "/telegram/webhook", "/slack/events", "/chat/api/send"}

	closed := make(chan string, 3*len(paths))
	for i := range 3 * len(paths) {
		go trickle(t, addr, paths[i%len(paths)], closed)
	}
	healthy := &http.Client{Timeout: 10 * time.Second}
	res, err := healthy.Get(s.base + "/healthz")
	if err != nil {
		t.Fatalf("healthz while bodies trickle in: %v", err)
	}
	res.Body.Close()
	deadline := time.After(15 * time.Second)
	for range 3 * len(paths) {
		select {
		case <-closed:
		case <-deadline:
			t.Fatal("a connection sending its body one byte at a time is still open 15 s on, with a 500 ms body timeout")
		}
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
}

// trickle posts to path on addr, one byte of the body every 100 ms, and
// reports path on closed when the server has closed the connection.
func trickle(t *testing.T, addr, path string, closed chan<- string) {
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Errorf("dial: %v", err)
		return
	}
	defer c.Close()
	head := "POST " + path + " HTTP/1.1\r\nHost: " + addr + "\r\nContent-Type: application/json\r\n" +
		"X-Telegram-Bot-Api-Secret-Token: s3cret\r\nContent-Length: 10000\r\n\r\n"
	if _, err := io.WriteString(c, head); err != nil {
		t.Errorf("write head: %v", err)
		return
	}
	go func() {
		for {
			time.Sleep(100 * time.Millisecond)
			if _, err := c.Write([]byte("{")); err != nil {
				return
			}
		}
	}()
	_, _ = io.Copy(io.Discard, c) // until the server closes
	closed <- path
}

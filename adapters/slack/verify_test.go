package slack

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// Requests that Slack did not sign, or signed too long ago, are refused
// before anything reaches the core.
func TestUnverifiedRequestsAreRefused(t *testing.T) {
	e := newSQLiteEnv(t)
	n := e.order("cust1", "TEA", 1)
	e.deliver()
	card := e.cardOf(n)
	body := pressPayload("U1", card, "approve", card.buttons(t)["approve"].Value)
	before := e.slack.count()

	for _, tc := range []struct {
		name   string
		header func(http.Header)
	}{
		{"unsigned", func(http.Header) {}},
		{"signature only", func(h http.Header) {
			sign(h, testSecret, time.Now(), body)
			h.Del("X-Slack-Request-Timestamp")
		}},
		{"stale timestamp", func(h http.Header) { sign(h, testSecret, time.Now().Add(-6*time.Minute), body) }},
		{"future timestamp", func(h http.Header) { sign(h, testSecret, time.Now().Add(6*time.Minute), body) }},
		{"wrong secret", func(h http.Header) { sign(h, "not-the-secret", time.Now(), body) }},
		{"other body", func(h http.Header) { sign(h, testSecret, time.Now(), body+"&x=1") }},
		{"garbage signature", func(h http.Header) {
			sign(h, testSecret, time.Now(), body)
			h.Set("X-Slack-Signature", "v0=zz")
		}},
		{"replayed timestamp header", func(h http.Header) {
			sign(h, testSecret, time.Now().Add(-10*time.Minute), body)
			h.Set("X-Slack-Request-Timestamp", "9999999999")
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, path := range []string{"/slack/interactions", "/slack/events", "/slack/commands"} {
				if r := e.send(path, formType, body, tc.header); r.status != http.StatusUnauthorized {
					t.Fatalf("%s: %d %q", path, r.status, r.body)
				}
			}
		})
	}
	e.deliver()
	if o := e.orderByNumber(n); o.Status != bot.Pending || len(o.History) != 1 {
		t.Fatalf("order changed by an unverified request: %s", o.Status)
	}
	if after := e.slack.count(); after != before {
		t.Fatalf("unverified requests made %d Slack calls", after-before)
	}
	// The same press, signed, works: the refusals above were the signature's.
	e.signed("/slack/interactions", formType, body)
	e.a.Wait()
	if o := e.orderByNumber(n); o.Status != bot.Confirmed {
		t.Fatalf("signed press: %s", o.Status)
	}
}

func TestURLVerificationAndLimits(t *testing.T) {
	e := newSQLiteEnv(t, func(c *Config) { c.MaxBody = 4096 })
	body := `{"token":"legacy","challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P","type":"url_verification"}`
	if r := e.signed("/slack/events", "application/json", body); r.status != http.StatusOK || r.body != "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" {
		t.Fatalf("challenge answered %d %q", r.status, r.body)
	}
	if r := e.send("/slack/events", "application/json", body, nil); r.status != http.StatusUnauthorized {
		t.Fatalf("unsigned challenge answered %d", r.status)
	}
	big := "payload=" + strings.Repeat("x", 5000)
	if r := e.signed("/slack/interactions", formType, big); r.status != http.StatusRequestEntityTooLarge {
		t.Fatalf("oversized body answered %d", r.status)
	}
	if r := e.signed("/slack/interactions", formType, "payload=%7Bnot-json"); r.status != http.StatusBadRequest {
		t.Fatalf("malformed payload answered %d", r.status)
	}
	res, err := e.srv.Client().Get(e.srv.URL + "/slack/events")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusMethodNotAllowed {
		t.Fatalf("GET answered %d", res.StatusCode)
	}
}

func TestNewChecksTheConfiguration(t *testing.T) {
	ok := Config{BotToken: "xoxb-1", SigningSecret: "s", StaffChannel: "C1"}
	if _, err := New(nil, quietLog(t), ok); err != nil {
		t.Fatalf("valid config: %v", err)
	}
	for name, mod := range map[string]func(*Config){
		"no bot token":     func(c *Config) { c.BotToken = "" },
		"no channel":       func(c *Config) { c.StaffChannel = "" },
		"no secret or app": func(c *Config) { c.SigningSecret = "" },
		"bot token as app": func(c *Config) { c.AppToken = "xoxb-2" },
	} {
		c := ok
		mod(&c)
		if _, err := New(nil, quietLog(t), c); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	// Socket Mode alone serves no HTTP endpoint: nothing could be verified.
	a, err := New(nil, quietLog(t), Config{BotToken: "xoxb-1", AppToken: "xapp-1", StaffChannel: "C1"})
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	a.Register(mux)
	if _, pattern := mux.Handler(httptestRequest("/slack/events")); pattern != "" {
		t.Fatalf("socket mode registered %q", pattern)
	}
}

func httptestRequest(path string) *http.Request {
	r, _ := http.NewRequest(http.MethodPost, path, nil)
	return r
}

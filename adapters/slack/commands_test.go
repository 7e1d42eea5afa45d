package slack

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// commandReply is the part of a slash command's answer tests read.
type commandReply struct {
	ResponseType string  `json:"response_type"`
	Text         string  `json:"text"`
	Blocks       []block `json:"blocks"`
}

func (e *env) orders(user, text string) commandReply {
	e.t.Helper()
	form := url.Values{
		"command": {"/orders"}, "text": {text}, "user_id": {user}, "user_name": {"someone"},
		"channel_id": {staffChannel}, "team_id": {"T1"}, "response_url": {"https://hooks.slack.example/x"},
		"trigger_id": {"t1"},
	}
	r := e.signed("/slack/commands", formType, form.Encode())
	if r.status != http.StatusOK {
		e.t.Fatalf("/orders %s: %d %q", text, r.status, r.body)
	}
	var c commandReply
	if err := json.Unmarshal([]byte(r.body), &c); err != nil {
		e.t.Fatalf("/orders %s: %v in %q", text, err, r.body)
	}
	if c.ResponseType != "ephemeral" {
		e.t.Fatalf("/orders %s answered in the channel: %q", text, r.body)
	}
	return c
}

func TestOrdersCommand(t *testing.T) {
	e := newSQLiteEnv(t)
	pending := e.order("cust1", "TEA", 1)
	approved := e.order("cust2", "TEA", 2)
	e.deliver()
	e.press("U1", e.cardOf(approved), "approve")
	e.deliver()

	c := e.orders("U3", "pending")
	if !strings.Contains(c.Text, pending) || strings.Contains(c.Text, approved) || !strings.HasPrefix(c.Text, "1 awaiting") {
		t.Fatalf("pending: %q", c.Text)
	}

	c = e.orders("U3", "#"+approved)
	details := apiCall{Text: c.Text, Blocks: c.Blocks}
	if !strings.Contains(details.header(), approved) || !strings.Contains(details.allText(), "*Timeline*") ||
		!strings.Contains(details.allText(), "Approved by alice (Slack)") || len(details.buttons(t)) != 0 {
		t.Fatalf("details of %s:\n%s\nbuttons %+v", approved, details.allText(), details.buttons(t))
	}
	if c := e.orders("U3", "999999"); c.Text != "There is no order 999999." {
		t.Fatalf("unknown order: %q", c.Text)
	}

	today := time.Now().UTC().Format("2 Jan")
	if c := e.orders("U1", " today "); c.Text != "Today ("+today+"): *2* orders, revenue *CN¥114.00*." {
		t.Fatalf("today: %q", c.Text)
	}
	for _, text := range []string{"", "help", "pending now"} {
		if c := e.orders("U1", text); !strings.HasPrefix(c.Text, "Usage:") {
			t.Fatalf("%q: %q", text, c.Text)
		}
	}
	// Cards show customers' phones and addresses: staff only.
	if c := e.orders("U9", approved); c.Text != "You don't have permission to do that." || len(c.Blocks) != 0 {
		t.Fatalf("outsider got %+v", c)
	}
}

func TestOrdersTodayCountsTheShopDay(t *testing.T) {
	e := newSQLiteEnv(t, func(c *Config) {
		c.Clock = func() time.Time { return time.Date(2020, 1, 2, 3, 4, 5, 0, time.UTC) }
	})
	e.order("cust1", "TEA", 1) // placed now, not on 2020-01-02
	if c := e.orders("U1", "today"); c.Text != "Today (2 Jan): *0* orders, revenue *CN¥0.00*." {
		t.Fatalf("today: %q", c.Text)
	}
	// In Shanghai, 2020-01-01 17:00 UTC is already the 2nd, and the answer
	// is in the staff language.
	shanghai, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	zh := newSQLiteEnv(t, func(c *Config) {
		c.Clock = func() time.Time { return time.Date(2020, 1, 1, 17, 0, 0, 0, time.UTC) }
		c.Location, c.StaffLang = shanghai, "zh"
	})
	if c := zh.orders("U1", "today"); c.Text != "今天（1月2日）：*0* 笔订单，收入 *¥0.00*。" {
		t.Fatalf("today in Shanghai: %q", c.Text)
	}
}

func TestNothingPending(t *testing.T) {
	e := newSQLiteEnv(t)
	if c := e.orders("U1", "PENDING"); c.Text != "Nothing awaits a decision." {
		t.Fatalf("pending: %q", c.Text)
	}
}

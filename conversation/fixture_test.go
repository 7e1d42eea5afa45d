package conversation

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"
)

// now is the clock of every test conversation.
func now() time.Time { return time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC) }

func testCatalog() []Product {
	ps := []Product{
		{SKU: "TEA-GREEN", Name: "Green tea", NameZH: "绿茶", Category: "Tea", Description: "Spring harvest, 100 g.", Price: 3800, Stock: 10},
		{SKU: "TEA-OOLONG", Name: "Oolong", NameZH: "乌龙茶", Category: "Tea", Price: 4500, Stock: 2},
	}
	for i := 3; i <= 7; i++ {
		ps = append(ps, Product{SKU: fmt.Sprintf("TEA-%d", i), Name: fmt.Sprintf("Tea no. %d", i), Category: "Tea", Price: int64(1000 * i), Stock: 5})
	}
	return append(ps,
		Product{SKU: "CUP-GLASS", Name: "Glass cup", NameZH: "玻璃杯", Category: "Teaware", Price: 2500, Stock: 0},
		Product{SKU: "POT-CLAY", Name: "Clay pot", NameZH: "紫砂壶", Category: "Teaware", Price: 16800, Stock: 3},
	)
}

func testProfile() Contact {
	return Contact{Name: "张三", Phone: "13800138000", Address: "上海市浦东新区世纪大道 100 号"}
}

func at(day, hour int) time.Time { return time.Date(2025, 2, day, hour, 0, 0, 0, time.UTC) }

func testOrders() []OrderView {
	green := ItemView{Name: "Green tea", NameZH: "绿茶", Qty: 2, UnitPrice: 3800}
	return []OrderView{
		{Number: "100025", Status: "pending", Total: 7600, CreatedAt: at(28, 9), Items: []ItemView{green},
			Timeline: []TimelineEntry{{At: at(28, 9), Status: "pending"}}, CanCancel: true},
		{Number: "100024", Status: "confirmed", Total: 7600, CreatedAt: at(27, 9), Items: []ItemView{green},
			Timeline: []TimelineEntry{{At: at(27, 9), Status: "pending"}, {At: at(27, 11), Status: "confirmed"}}, CanCancel: true},
		{Number: "100023", Status: "shipped", Total: 16800, CreatedAt: at(20, 9),
			Items:    []ItemView{{Name: "Clay pot", NameZH: "紫砂壶", Qty: 1, UnitPrice: 16800}},
			Timeline: []TimelineEntry{{At: at(20, 9), Status: "pending"}, {At: at(20, 10), Status: "confirmed"}, {At: at(21, 15), Status: "shipped"}},
			Carrier:  "SF Express", Tracking: "SF1234567890", CanAfterSales: true},
		{Number: "100020", Status: "rejected", Total: 4500, CreatedAt: at(10, 9), RejectReason: "Out of stock for the season"},
		{Number: "100019", Status: "delivered", Total: 3800, CreatedAt: at(9, 9), OpenRequest: "R-7"},
	}
}

func testEnv() Env {
	return Env{Now: now(), Currency: "¥", Catalog: testCatalog(), Profile: testProfile(), Orders: testOrders()}
}

// chat drives a conversation the way the core does: Step, and Resolve when
// an intent comes back.
type chat struct {
	t    *testing.T
	env  Env
	s    State
	last Result
}

func newChat(t *testing.T, lang Lang) *chat {
	t.Helper()
	c := &chat{t: t, env: testEnv(), s: State{Lang: lang, Stage: stageMenu, LastActive: now()}}
	return c
}

// send runs one input. The state goes through JSON first, as the core
// stores it between messages.
func (c *chat) send(in Input) Result {
	c.t.Helper()
	prev := roundTrip(c.t, c.s)
	c.last = Step(c.env, prev, in)
	checkOmitted(c.t, c.env, func(env Env) Result { return Step(env, prev, in) })
	c.s = c.last.State
	checkStep(c.t, c.env, c.last)
	return c.last
}

func (c *chat) text(s string) Result    { c.t.Helper(); return c.send(Input{Text: s}) }
func (c *chat) press(key string) Result { c.t.Helper(); return c.send(Input{Button: key}) }

// resolve reports an outcome for the intent of the last step.
func (c *chat) resolve(out Outcome) Result {
	c.t.Helper()
	if c.last.Intent == nil {
		c.t.Fatalf("resolve: last step had no intent; reply: %q", c.reply())
	}
	it := c.last.Intent
	prev := roundTrip(c.t, c.s)
	c.last = Resolve(c.env, prev, it, out)
	checkOmitted(c.t, c.env, func(env Env) Result { return Resolve(env, prev, it, out) })
	c.s = c.last.State
	checkResolve(c.t, c.env, it, out, c.last)
	return c.last
}

// reply is the text of the last reply with its options, as a text-only
// channel shows it.
func (c *chat) reply() string {
	var parts []string
	for _, r := range c.last.Replies {
		parts = append(parts, r.Plain())
	}
	return strings.Join(parts, "\n---\n")
}

func (c *chat) options() []Option {
	if n := len(c.last.Replies); n > 0 {
		return c.last.Replies[n-1].Options
	}
	return nil
}

// wantStage fails unless the conversation is at st.
func (c *chat) wantStage(st Stage) {
	c.t.Helper()
	if c.s.Stage != st {
		c.t.Fatalf("stage = %q, want %q; reply:\n%s", c.s.Stage, st, c.reply())
	}
}

// wantSays fails unless the last reply contains every fragment.
func (c *chat) wantSays(fragments ...string) {
	c.t.Helper()
	got := c.reply()
	for _, f := range fragments {
		if !strings.Contains(got, f) {
			c.t.Fatalf("reply lacks %q:\n%s", f, got)
		}
	}
}

func (c *chat) wantNotSays(fragments ...string) {
	c.t.Helper()
	got := c.reply()
	for _, f := range fragments {
		if strings.Contains(got, f) {
			c.t.Fatalf("reply has %q:\n%s", f, got)
		}
	}
}

// hasOption reports whether the last reply offers an option with key.
func (c *chat) hasOption(key string) bool {
	for _, o := range c.options() {
		if o.Key == key {
			return true
		}
	}
	return false
}

func (c *chat) wantOption(key string) {
	c.t.Helper()
	if !c.hasOption(key) {
		c.t.Fatalf("no option %q in:\n%s", key, c.reply())
	}
}

func roundTrip(t testing.TB, s State) State {
	t.Helper()
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("encode state: %v", err)
	}
	var back State
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatalf("decode state %s: %v", raw, err)
	}
	return back
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }

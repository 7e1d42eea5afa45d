package bot_test

import (
	"fmt"
	"sync/atomic"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestStatementsPerMessage counts the SQL statements each kind of message
// costs, end to end in the core, and fails when one costs more than its
// budget: a hot path that grows a query is a regression to look at, not
// to find later in a load test. The budgets are today's costs; lower one
// when a change makes its message cheaper.
func TestStatementsPerMessage(t *testing.T) {
	st := storetest.SQLite(t)
	var n atomic.Int64
	s := newShop(t, st)
	st.OnStatement(func(string) { n.Add(1) })
	cost := func(f func()) int64 {
		before := n.Load()
		f()
		return n.Load() - before
	}
	say := func(text string) func() int64 { return func() int64 { return cost(func() { s.say("u1", text) }) } }
	press := func(key string) func() int64 { return func() int64 { return cost(func() { s.press("u1", key) }) } }
	s.say("u1", "menu") // a first message makes the customer
	steps := []struct {
		name   string
		cost   func() int64
		budget int64
	}{
		{"menu", say("menu"), 4},
		{"browse", press("browse"), 5},
		{"category", press("cat:Tea"), 5},
		{"product", press("sku:TEA"), 5},
		{"add", press("add"), 5},
		{"quantity", say("1"), 5},
		{"checkout", press("checkout"), 5},
		{"name", say("Li Lei"), 5},
		{"phone", say("13800138000"), 5},
		{"address", say("88 Wensan Road, Hangzhou"), 5},
		{"place order", press("confirm"), 17},
		{"orders", say("orders"), 7},
		{"product search", say("green tea"), 8},
		{"repeat of a message", func() int64 {
			s.send("u1", bot.Inbound{Text: "menu", DedupKey: "same"})
			return cost(func() { s.send("u1", bot.Inbound{Text: "menu", DedupKey: "same"}) })
		}, 1},
		{"staff approves", func() int64 {
			o := s.orderByNumber(s.order("u2", "TEA", 1))
			return cost(func() {
				if _, err := s.act("alice", fmt.Sprintf("order:%d", o.ID), bot.ActApprove, o.Version); err != nil {
					t.Fatal(err)
				}
			})
		}, 12},
	}
	for _, step := range steps {
		got := step.cost()
		t.Logf("%-20s %d statements", step.name, got)
		if got > step.budget {
			t.Errorf("%s: %d statements, budget %d", step.name, got, step.budget)
		}
	}
}

// TestOrderListCostIsFlat shows the orders view costs the same however many
// orders a customer has: no statement per order, nor per delivered order,
// whose after-sales requests the view shows.
func TestOrderListCostIsFlat(t *testing.T) {
	st := storetest.SQLite(t)
	var n atomic.Int64
	s := newShop(t, st)
	st.OnStatement(func(string) { n.Add(1) })
	count := func() int64 {
		before := n.Load()
		s.say("u1", "orders")
		return n.Load() - before
	}
	delivered := func() {
		number := s.order("u1", "TEA", 1)
		for _, action := range []string{bot.ActApprove, bot.ActShip, bot.ActDeliver} {
			o := s.orderByNumber(number)
			if _, err := s.act("alice", fmt.Sprintf("order:%d", o.ID), action, o.Version, "SF", "SF1"); err != nil {
				t.Fatalf("%s: %v", action, err)
			}
		}
	}
	s.order("u1", "TEA", 1)
	delivered()
	two := count()
	for range 5 {
		s.order("u1", "TEA", 1)
		delivered()
	}
	if twelve := count(); twelve != two {
		t.Errorf("orders view: %d statements with two orders, %d with twelve", two, twelve)
	}
}

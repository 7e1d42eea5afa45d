package bot_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/care"
	"github.com/orderbot/orderbot/bot/pay"
	"github.com/orderbot/orderbot/bot/tier"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestStatementsPerMessage counts the SQL statements each kind of message
// costs, end to end in the core, and fails when one costs more than its
// budget: a hot path that grows a query is a regression to look at, not
// to find later in a load test. The budgets are today's costs; lower one
// when a change makes its message cheaper.
func TestStatementsPerMessage(t *testing.T) {
	st := storetest.SQLite(t)
	checkStatements(t, st, newShop(t, st), map[string]int64{
		"menu": 4, "browse, catalog not kept yet": 5, "browse": 4, "category": 5, "product": 5, "add": 5,
		"quantity": 5, "checkout": 5, "name": 4, "phone": 4, "address": 4, "place order": 17,
		"orders": 7, "product search": 8, "repeat of a message": 1, "staff approves": 12,
	})
}

// TestStatementsPerMessageAsDeployed is TestStatementsPerMessage with
// tiers, customer care and pricing on, as cmd/orderbot runs the core: the
// tier costs a statement only where a step shows or uses it.
func TestStatementsPerMessageAsDeployed(t *testing.T) {
	st := storetest.SQLite(t)
	log := quietLog()
	tiers := tier.New(st, log, nil, time.UTC)
	careSvc := care.New(st, log, care.Config{StaffChannels: []string{bot.WebChat}, Membership: tiers}, nil)
	s := newShopWith(t, st, bot.Config{Membership: tiers, Care: careSvc, Pricing: pay.New(st, log, nil, pay.Shipping{})})
	checkStatements(t, st, s, map[string]int64{
		// Typed text outside an entry costs care two reads (a survey or
		// a visit it may answer), a step at the summary the shipping rule.
		"menu": 6, "browse, catalog not kept yet": 5, "browse": 4, "category": 5, "product": 5, "add": 5,
		"quantity": 5, "checkout": 5, "name": 5, "phone": 5, "address": 5, "place order": 20,
		"orders": 10, "product search": 11, "repeat of a message": 1, "staff approves": 13,
	})
}

// checkStatements walks customer u1 through the shop's steps, counting the
// statements of each, and fails a step that costs more than its budget.
func checkStatements(t *testing.T, st *store.Store, s *shop, budgets map[string]int64) {
	t.Helper()
	var n atomic.Int64
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
		name string
		cost func() int64
	}{
		{"menu", say("menu")},
		{"browse, catalog not kept yet", press("browse")},
		{"browse", func() int64 { s.say("u1", "menu"); return press("browse")() }},
		{"category", press("cat:Tea")},
		{"product", press("sku:TEA")},
		{"add", press("add")},
		{"quantity", say("1")},
		{"checkout", press("checkout")},
		{"name", say("Li Lei")},
		{"phone", say("13800138000")},
		{"address", say("88 Wensan Road, Hangzhou")},
		{"place order", press("confirm")},
		{"orders", say("orders")},
		{"product search", say("green tea")},
		{"repeat of a message", func() int64 {
			s.send("u1", bot.Inbound{Text: "menu", DedupKey: "same"})
			return cost(func() { s.send("u1", bot.Inbound{Text: "menu", DedupKey: "same"}) })
		}},
		{"staff approves", func() int64 {
			o := s.orderByNumber(s.order("u2", "TEA", 1))
			return cost(func() {
				if _, err := s.act("alice", fmt.Sprintf("order:%d", o.ID), bot.ActApprove, o.Version); err != nil {
					t.Fatal(err)
				}
			})
		}},
	}
	for _, step := range steps {
		got, budget := step.cost(), budgets[step.name]
		t.Logf("%-30s %d statements", step.name, got)
		if got > budget {
			t.Errorf("%s: %d statements, budget %d", step.name, got, budget)
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

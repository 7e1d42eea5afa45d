package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/broadcast"
	"github.com/orderbot/orderbot/bot/care"
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
	checkStatements(t, st, newShop(t, st), extras{}, map[string]int64{
		"menu":                         4,
		"browse, catalog not kept yet": 5,
		"browse":                       4,
		"category":                     5,
		"product":                      5,
		"add":                          5,
		"quantity":                     5,
		"checkout":                     5,
		"name":                         4,
		"phone":                        4,
		"address":                      4,
		"place order":                  17,
		"orders":                       7,
		"product search":               8,
		"repeat of a message":          1,
		"staff approves":               12,
		"help":                         5,
		"language 中文":                  5,
		"language English":             5,
		"language button":              4,
		"greeting":                     4,
		"thanks":                       4,
		"unknown text":                 4,
		"too long a text":              4,
		"stale button":                 4,
		"photo outside a request":      4,
		"order detail":                 7,
		"order from the list":          7,
		"track":                        7,
		"cart":                         4,
		"change quantity":              4,
		"pick a line":                  5,
		"new quantity":                 5,
		"remove an item":               4,
		"pick the line to remove":      4,
		"back":                         4,
		"buy":                          4,
		"checkout, details kept":       5,
		"coupon":                       4,
		"coupon code":                  4,
		"edit contact details":         4,
		"shared phone":                 4,
		"cancel":                       7,
		"cancel order N":               7,
		"keep the order":               7,
		"cancel confirmed":             17,
		"cancel request":               16,
		"staff rejects a cancel":       13,
		"staff approves a cancel":      14,
		"staff ships":                  12,
		"staff delivers":               12,
		"staff completes":              12,
		"staff rejects":                13,
		"staff marks paid":             12,
		"staff refunds":                12,
		"after-sales":                  8,
		"after-sales order":            8,
		"after-sales type":             8,
		"after-sales reason":           8,
		"after-sales photo":            8,
		"photos done":                  8,
		"submit request":               17,
		"after-sales in words":         9,
		"staff approves after-sales":   11,
		"staff resolves after-sales":   11,
		"request detail":               11,
		"staff approves with a note":   11,
		"staff rejects after-sales":    11,
		"discard request":              9,
		"human":                        8,
		"message to staff":             6,
		"photo to staff":               6,
		"staff replies":                6,
		"staff ends the chat":          7,
		"message after staff ended it": 6,
		"customer ends the chat":       8,
		"subscribe":                    4,
		"unsubscribe":                  4,
		"next page":                    5,
		"previous page":                5,
	})
}

// TestStatementsPerMessageAsDeployed is TestStatementsPerMessage with
// tiers, customer care, broadcasts and pricing on, as cmd/orderbot runs
// the core: the tier costs a statement only where a step shows or uses it.
func TestStatementsPerMessageAsDeployed(t *testing.T) {
	st := storetest.SQLite(t)
	s, x := deployedShop(t, st, bot.PayConfig{})
	checkStatements(t, st, s, x, map[string]int64{
		// Typed text outside an entry costs care one read (of the survey
		// and the visit it may answer), a step at the summary the shipping
		// rule.
		"menu":                         5,
		"browse, catalog not kept yet": 5,
		"browse":                       4,
		"category":                     5,
		"product":                      5,
		"add":                          5,
		"quantity":                     5,
		"checkout":                     5,
		"name":                         5,
		"phone":                        5,
		"address":                      5,
		"place order":                  20,
		"orders":                       9,
		"product search":               10,
		"repeat of a message":          1,
		"staff approves":               13,
		"help":                         6,
		"language 中文":                  6,
		"language English":             6,
		"language button":              4,
		"greeting":                     5,
		"thanks":                       5,
		"unknown text":                 5,
		"too long a text":              5,
		"stale button":                 4,
		"photo outside a request":      4,
		"order detail":                 9,
		"order from the list":          8,
		"track":                        9,
		"cart":                         5,
		"change quantity":              5,
		"pick a line":                  6,
		"new quantity":                 5,
		"remove an item":               5,
		"pick the line to remove":      5,
		"back":                         6,
		"buy":                          5,
		"checkout, details kept":       6,
		"coupon":                       5,
		"coupon code":                  9,
		"edit contact details":         5,
		"shared phone":                 5,
		"cancel":                       8,
		"cancel order N":               8,
		"keep the order":               8,
		"cancel confirmed":             18,
		"cancel request":               17,
		"staff rejects a cancel":       14,
		"staff approves a cancel":      15,
		"staff ships":                  13,
		"staff delivers":               13,
		"staff completes":              18,
		"staff rejects":                14,
		"staff marks paid":             13,
		"staff refunds":                17,
		"after-sales":                  9,
		"after-sales order":            8,
		"after-sales type":             9,
		"after-sales reason":           9,
		"after-sales photo":            9,
		"photos done":                  9,
		"submit request":               19,
		"after-sales in words":         10,
		"staff approves after-sales":   12,
		"staff resolves after-sales":   12,
		"request detail":               13,
		"staff approves with a note":   12,
		"staff rejects after-sales":    12,
		"discard request":              10,
		"human":                        10,
		"message to staff":             7,
		"photo to staff":               7,
		"staff replies":                7,
		"staff ends the chat":          8,
		"message after staff ended it": 7,
		"customer ends the chat":       9,
		"subscribe":                    9,
		"unsubscribe":                  9,
		"next page":                    5,
		"previous page":                5,
		"consent answer":               11,
		"survey answer":                8,
		"survey comment":               8,
		"staff closes a survey card":   7,
		"staff approves a broadcast":   5,
		"staff rejects a broadcast":    5,
		// A run of the job with one rule and one visit due: the rules,
		// the rule's due orders, the visit with its customer and message,
		// and the visits staff scheduled.
		"follow-up visit sent": 6,
		"follow-up answer":     6,
		"cart reminder sent":   3,
	})
}

// checkStatements walks customers through every kind of message the core
// handles, and staff through every action, counting the statements of each
// step, and fails a step that costs more than its budget or that did not
// do what it is named for. x holds the services cmd/orderbot adds to the
// core; the steps of one that is off are left out.
func checkStatements(t *testing.T, st *store.Store, s *shop, x extras, budgets map[string]int64) {
	t.Helper()
	countSteps(t, st, budgets, func(cost func(func()) int64) []statementStep {
		return statementSteps(t, s, x, cost)
	})
}

// countSteps runs the steps made by steps, giving them cost to count
// statements with, and fails a step over its budget or without one, and
// a budget without its step.
func countSteps(t *testing.T, st *store.Store, budgets map[string]int64, steps func(cost func(func()) int64) []statementStep) {
	t.Helper()
	var n atomic.Int64
	st.OnStatement(func(string) { n.Add(1) })
	cost := func(f func()) int64 {
		before := n.Load()
		f()
		return n.Load() - before
	}
	names := map[string]bool{}
	for _, step := range steps(cost) {
		names[step.name] = true
		budget, ok := budgets[step.name]
		got := step.cost()
		t.Logf("%-34s %d statements", step.name, got)
		if !ok {
			t.Errorf("%s: no budget", step.name)
		} else if got > budget {
			t.Errorf("%s: %d statements, budget %d", step.name, got, budget)
		}
	}
	for name := range budgets {
		if !names[name] {
			t.Errorf("budget for %q, which is no step", name)
		}
	}
}

// extras are the services beside the core that have steps of their own;
// nil when off.
type extras struct {
	care       *care.Service
	broadcasts *broadcast.Service
}

type statementStep struct {
	name string
	cost func() int64
}

// statementSteps are the steps checkStatements counts, in the order they
// run: each step's conversation state is what the steps before it left.
// Setting a step up (an order to ship, a request to decide) is not
// counted; each step checks its reply or the change it made.
func statementSteps(t *testing.T, s *shop, x extras, cost func(func()) int64) []statementStep {
	ctx := context.Background()
	k := stepKit{t: t, s: s, cost: cost}
	send, act, advance, feed, lastCard := k.send, k.act, k.advance, k.feed, k.lastCard
	say := func(text, want string) func() int64 { return send("u1", bot.Inbound{Text: text}, want) }
	press := func(key, want string) func() int64 { return send("u1", bot.Inbound{Button: key}, want) }
	photo := func(want string) func() int64 {
		return send("u1", bot.Inbound{Media: []string{"webchat-photo-1"}}, want)
	}
	// decide is a counted staff action on an order ("order") or its
	// cancel request ("cancel"), which must leave the order in status want.
	// number is read when the step runs: an earlier step sets it.
	decide := func(who, kind string, number *string, action string, want bot.OrderStatus, reason string) func() int64 {
		return func() int64 {
			o := s.orderByNumber(*number)
			a := bot.StaffAction{UserID: who, Ref: fmt.Sprintf("%s:%d", kind, o.ID), Action: action, Version: o.Version, Reason: reason}
			if action == bot.ActShip {
				a.Carrier, a.Tracking = "SF Express", "SF1234567890"
			}
			_, n := act(a)
			if got := s.orderByNumber(*number); got.Status != want || kind == "cancel" && got.CancelRequested {
				t.Errorf("%s %s: order %s is %s, cancel requested %v; want %s", kind, action, *number, got.Status, got.CancelRequested, want)
			}
			return n
		}
	}
	shipped := func(user string) string {
		n := s.order(user, "TEA", 1)
		advance(n, bot.ActApprove, bot.ActShip)
		return n
	}
	// fileRequest files a repair request for a shipped order of u1.
	fileRequest := func(number string) {
		t.Helper()
		s.say("u1", "menu")
		for _, k := range []string{"aftersales", "order:" + number, "type:repair"} {
			s.press("u1", k)
		}
		s.say("u1", "The lid arrived cracked.")
		s.press("u1", "done")
		if reply := texts(s.press("u1", "submit")); !strings.Contains(reply, "received your after-sales request") {
			t.Fatalf("request for %s not filed: %q", number, reply)
		}
	}
	request := func(number string) *bot.AfterSales {
		t.Helper()
		reqs, err := s.st.AfterSalesByOrder(ctx, s.orderByNumber(number).ID)
		if err != nil || len(reqs) != 1 {
			t.Fatalf("requests of %s: %+v, %v", number, reqs, err)
		}
		return reqs[0]
	}
	// decideRequest is a counted staff action on the request of an order,
	// which must leave it in status want.
	decideRequest := func(who string, number *string, action, reason string, want bot.RequestStatus) func() int64 {
		return func() int64 {
			r := request(*number)
			_, n := act(bot.StaffAction{UserID: who, Ref: fmt.Sprintf("after_sales:%d", r.ID), Action: action, Version: r.Version, Reason: reason})
			if got := request(*number); got.Status != want {
				t.Errorf("after-sales %s: request %s is %s, want %s", action, r.Number, got.Status, want)
			}
			return n
		}
	}
	lastNotice := func(user, want string) {
		t.Helper()
		ms := feed(user)
		if got := ms[len(ms)-1].Text; !strings.Contains(got, want) {
			t.Errorf("%s last told %q, want %q", user, got, want)
		}
	}
	// handoff is a counted staff action in u1's open handoff.
	handoff := func(action, text, told string) func() int64 {
		return func() int64 {
			_, n := act(bot.StaffAction{UserID: "ann", Ref: lastCard("handoff:"), Action: action, Text: text})
			lastNotice("u1", told)
			return n
		}
	}
	consent := func(yes, no string) string {
		if x.care != nil {
			return yes
		}
		return no
	}

	var first, second, third, theirs, rejected, noted, declined string
	s.say("u1", "menu") // a first message makes the customer
	steps := []statementStep{
		{"menu", say("menu", "What would you like to do")},
		{"browse, catalog not kept yet", press("browse", "Which category")},
		{"browse", func() int64 { s.say("u1", "menu"); return press("browse", "Which category")() }},
		{"category", press("cat:Tea", "choose a product")},
		{"product", press("sku:TEA", "Price:")},
		{"add", press("add", "how many")},
		{"quantity", say("1", "Added 1")},
		{"checkout", press("checkout", "Who should we deliver to")},
		{"name", say("Li Lei", "phone number")},
		{"phone", say("13800138000", "delivery address")},
		{"address", say("88 Wensan Road, Hangzhou", "Please check your order")},
		{"place order", func() int64 {
			return send("u1", bot.Inbound{Button: "confirm"}, "has been placed", func(out []*bot.Message) {
				first = orderNumber.FindString(texts(out))
			})()
		}},
		{"orders", say("orders", "Your recent orders")},
		{"product search", say("green tea", "Price:")},
		{"repeat of a message", func() int64 {
			once := texts(s.send("u1", bot.Inbound{Text: "help", DedupKey: "same"}))
			return send("u1", bot.Inbound{Text: "help", DedupKey: "same"}, once)()
		}},
		{"staff approves", func() int64 {
			theirs = s.order("u2", "TEA", 1)
			return decide("alice", "order", &theirs, bot.ActApprove, bot.Confirmed, "")()
		}},

		// Words typed in any state, and what the conversation reads in free text.
		{"help", say("help", "You can type these words")},
		{"language 中文", say("中文", "已切换为中文")},
		{"language English", say("English", "I'll speak English")},
		{"language button", func() int64 {
			s.say("u1", "menu")
			defer s.say("u1", "English")
			return press("lang", "已切换为中文")()
		}},
		{"greeting", say("hello", "How can I help")},
		{"thanks", say("thanks", "You're welcome")},
		{"unknown text", say("qwxzy", "didn't catch that")},
		{"too long a text", say(strings.Repeat("a", 501), "too long")},
		{"stale button", send("u1", bot.Inbound{Button: "submit"}, "no longer active", func(out []*bot.Message) {
			if !out[0].Stale {
				t.Error("a stale button's reply is not marked stale")
			}
		})},
		{"photo outside a request", photo("choose")},
		{"order detail", func() int64 { return say("order "+first, "Status:")() }},
		{"order from the list", func() int64 { s.say("u1", "orders"); return press("order:"+first, "Order "+first)() }},
		{"track", func() int64 { return say("where is my order", first)() }},

		// The cart, and a returning customer's checkout.
		{"cart", func() int64 {
			for _, sku := range []string{"TEA", "POT"} {
				s.say("u1", "menu")
				for _, k := range []string{"browse", "cat:Tea", "sku:" + sku, "add"} {
					s.press("u1", k)
				}
				s.say("u1", "1")
			}
			return say("my cart", "Your cart:")()
		}},
		{"change quantity", press("change", "Which item's quantity")},
		{"pick a line", say("1", "how many would you like")},
		{"new quantity", say("3", "Updated")},
		{"remove an item", press("remove", "Which item would you like to remove")},
		{"pick the line to remove", say("2", "Removed")},
		{"back", say("back", "What would you like to do")},
		{"buy", say("i want to buy", "Which category")},
		{"checkout, details kept", func() int64 { s.say("u1", "my cart"); return press("checkout", "Please check your order")() }},
		{"coupon", press("coupon", "type your coupon code")},
		{"coupon code", say("NOPE10", "isn't a valid coupon code")},
		{"edit contact details", press("edit", "Who should we deliver to")},
		{"shared phone", func() int64 {
			s.say("u1", "Li Lei")
			return send("u1", bot.Inbound{Phone: "13800138000"}, "delivery address")()
		}},

		// Cancelling.
		{"cancel", say("cancel", "Which order would you like to cancel")},
		{"cancel order N", func() int64 { return say("cancel "+first, "Cancel order "+first)() }},
		{"keep the order", press("no", "stays as it is")},
		{"cancel confirmed", func() int64 {
			s.say("u1", "cancel "+first)
			n := press("yes", "has been cancelled")()
			if o := s.orderByNumber(first); o.Status != bot.Cancelled {
				t.Errorf("cancel confirmed: order %s is %s", first, o.Status)
			}
			return n
		}},
		{"cancel request", func() int64 {
			second = s.order("u1", "TEA", 1)
			advance(second, bot.ActApprove)
			s.say("u1", "cancel "+second)
			n := press("yes", "sent your request to cancel")()
			if o := s.orderByNumber(second); !o.CancelRequested {
				t.Errorf("cancel request: order %s has none", second)
			}
			return n
		}},
		{"staff rejects a cancel", decide("alice", "cancel", &second, bot.ActReject, bot.Confirmed, "already packed")},
		{"staff approves a cancel", func() int64 {
			s.say("u1", "cancel "+second)
			s.press("u1", "yes")
			return decide("alice", "cancel", &second, bot.ActApprove, bot.Cancelled, "")()
		}},

		// Staff take an order through its life.
		{"staff ships", decide("ann", "order", &theirs, bot.ActShip, bot.Shipped, "")},
		{"staff delivers", decide("ann", "order", &theirs, bot.ActDeliver, bot.Delivered, "")},
		{"staff completes", decide("ann", "order", &theirs, bot.ActComplete, bot.Completed, "")},
		{"staff rejects", func() int64 {
			rejected = s.order("u2", "TEA", 1)
			return decide("alice", "order", &rejected, bot.ActReject, bot.Rejected, "sold out")()
		}},
		{"staff marks paid", func() int64 {
			n := decide("alice", "order", &theirs, bot.ActMarkPaid, bot.Completed, "")()
			if o := s.orderByNumber(theirs); o.PaymentStatus != bot.Paid {
				t.Errorf("mark paid: order %s is %s", theirs, o.PaymentStatus)
			}
			return n
		}},
		{"staff refunds", func() int64 {
			n := decide("alice", "order", &theirs, bot.ActRefund, bot.Completed, "")()
			if o := s.orderByNumber(theirs); o.PaymentStatus != bot.Refunded {
				t.Errorf("refund: order %s is %s", theirs, o.PaymentStatus)
			}
			return n
		}},

		// After-sales, step by step, and staff deciding requests.
		{"after-sales", func() int64 {
			third = shipped("u1")
			return say("after-sales", "Which order do you need after-sales help with")()
		}},
		{"after-sales order", func() int64 { return press("order:"+third, "What do you need for order")() }},
		{"after-sales type", press("type:repair", "please describe the problem")},
		{"after-sales reason", say("The lid arrived cracked.", "If you have photos")},
		{"after-sales photo", photo("Got it: 1 photo")},
		{"photos done", press("done", "Please check your request")},
		{"submit request", func() int64 {
			n := press("submit", "received your after-sales request")()
			if r := request(third); len(r.Media) != 1 {
				t.Errorf("request %s has %d photos", r.Number, len(r.Media))
			}
			return n
		}},
		{"after-sales in words", func() int64 { return say("refund "+third, "already has an after-sales request")() }},
		{"staff approves after-sales", decideRequest("bob", &third, bot.ActApprove, "", bot.Approved)},
		{"staff resolves after-sales", decideRequest("ann", &third, bot.ActResolve, "", bot.Resolved)},
		{"request detail", func() int64 { r := request(third); return say(r.Number, r.Number)() }},
		{"staff approves with a note", func() int64 {
			noted = shipped("u1")
			fileRequest(noted)
			return decideRequest("bob", &noted, bot.ActApproveNote, "Send it to 1 Tea Street.", bot.Approved)()
		}},
		{"staff rejects after-sales", func() int64 {
			declined = shipped("u1")
			fileRequest(declined)
			return decideRequest("bob", &declined, bot.ActReject, "worn by use", bot.Declined)()
		}},
		{"discard request", func() int64 {
			s.say("u1", "after-sales "+declined)
			s.press("u1", "type:return")
			s.say("u1", "Not what I expected.")
			s.press("u1", "done")
			return press("discard", "discarded")()
		}},

		// A person: the customer asks, writes, sends a photo; staff reply and end it.
		{"human", say("human", "A staff member will reply here soon")},
		{"message to staff", say("Is the pot big enough for four?", "Sent to our staff")},
		{"photo to staff", photo("Sent to our staff")},
		{"staff replies", handoff(bot.ActReply, "Yes, it serves four.", "Yes, it serves four.")},
		{"staff ends the chat", handoff(bot.ActClose, "", "ended the chat")},
		{"message after staff ended it", say("Thanks!", "Our staff have ended this chat")},
		{"customer ends the chat", func() int64 {
			if r := texts(s.say("u1", "human")); !strings.Contains(r, "A staff member") {
				t.Fatalf("human again: %q", r)
			}
			return say("end chat", "left the chat")()
		}},

		// Consent to promotions.
		{"subscribe", say("subscribe", consent("You're subscribed", "couldn't save"))},
		{"unsubscribe", say("unsubscribe", consent("You're unsubscribed", "couldn't save"))},

		// A category longer than a page.
		{"next page", func() int64 {
			var cups []bot.Product
			for i := range 6 {
				cups = append(cups, bot.Product{SKU: fmt.Sprintf("CUP%d", i), Name: fmt.Sprintf("Cup %d", i), Category: "Cups", Price: 1200, Stock: 10, Active: true})
			}
			if err := s.svc.ImportCatalog(ctx, "test", cups); err != nil {
				t.Fatal(err)
			}
			s.say("u1", "menu")
			s.press("u1", "browse") // loads the new catalog, uncounted
			s.press("u1", "cat:Cups")
			return press("next", "page 2 of 2")()
		}},
		{"previous page", press("prev", "page 1 of 2")},
	}
	if x.care != nil {
		steps = append(steps, careSteps(k, x.care)...)
		steps = append(steps, careJobSteps(k, x.care)...)
	}
	if x.broadcasts != nil {
		steps = append(steps, broadcastSteps(k, x.broadcasts)...)
	}
	return steps
}

// careSteps are the consent question after a first order, the survey
// after delivery and the card of an unhappy customer.
func careSteps(k stepKit, careSvc *care.Service) []statementStep {
	t, s, ctx := k.t, k.s, context.Background()
	send, act, advance, feed, lastCard := k.send, k.act, k.advance, k.feed, k.lastCard
	var asked, survey string
	return []statementStep{
		{"consent answer", func() int64 {
			asked = s.order("u3", "TEA", 1)
			return send("u3", bot.Inbound{Button: "consent_yes"}, "You're subscribed")()
		}},
		{"survey answer", func() int64 {
			advance(asked, bot.ActApprove, bot.ActShip, bot.ActDeliver)
			if _, err := careSvc.SendDue(ctx); err != nil {
				t.Fatal(err)
			}
			for _, m := range feed("u3") {
				for _, o := range m.Options {
					if strings.HasPrefix(o.Key, "survey:") && strings.HasSuffix(o.Key, ":2") {
						survey = o.Key
					}
				}
			}
			if survey == "" {
				t.Fatalf("no survey for order %s", asked)
			}
			return send("u3", bot.Inbound{Button: survey}, "sorry it wasn't better")()
		}},
		{"survey comment", send("u3", bot.Inbound{Text: "The tea was stale."}, "passed your comments on")},
		{"staff closes a survey card", func() int64 {
			res, n := act(bot.StaffAction{UserID: "ann", Ref: lastCard("survey:"), Action: bot.ActClose})
			if !strings.Contains(res.Card.Status, "ann") || len(res.Card.Actions) != 0 {
				t.Errorf("survey card after close: %q, actions %+v", res.Card.Status, res.Card.Actions)
			}
			return n
		}},
	}
}

// stepKit counts and checks the steps' events.
type stepKit struct {
	t    *testing.T
	s    *shop
	cost func(func()) int64
}

// send is one counted customer event whose reply must contain want.
func (k stepKit) send(user string, in bot.Inbound, want string, check ...func([]*bot.Message)) func() int64 {
	return func() int64 {
		var out []*bot.Message
		n := k.cost(func() { out = k.s.send(user, in) })
		if got := texts(out); !strings.Contains(got, want) {
			k.t.Errorf("%s sends %+v: reply %q lacks %q", user, in, got, want)
		}
		for _, c := range check {
			c(out)
		}
		return n
	}
}

// act is one counted staff action, which must be accepted.
func (k stepKit) act(a bot.StaffAction) (bot.StaffResult, int64) {
	a.Channel = bot.WebChat
	var res bot.StaffResult
	var err error
	n := k.cost(func() { res, err = k.s.svc.HandleStaffAction(context.Background(), a) })
	if err != nil {
		k.t.Errorf("%s %s by %s: %v", a.Action, a.Ref, a.UserID, err)
	}
	return res, n
}

// advance takes an order through staff actions, uncounted.
func (k stepKit) advance(number string, actions ...string) {
	k.t.Helper()
	for _, action := range actions {
		o := k.s.orderByNumber(number)
		if _, err := k.s.act("alice", fmt.Sprintf("order:%d", o.ID), action, o.Version, "SF", "SF1"); err != nil {
			k.t.Fatalf("%s %s: %v", action, number, err)
		}
	}
}

// feed is all queued to a recipient: the shop's feed is one page.
func (k stepKit) feed(recipient string) []*bot.Message {
	k.t.Helper()
	ms, err := k.s.st.Feed(context.Background(), bot.WebChat, recipient, 0, 10000)
	if err != nil {
		k.t.Fatal(err)
	}
	return ms
}

// lastCard is the ref of the latest staff card whose ref has prefix.
func (k stepKit) lastCard(prefix string) string {
	k.t.Helper()
	ref := ""
	for _, m := range k.feed(bot.StaffRecipient) {
		if m.Card != nil && strings.HasPrefix(m.Card.Ref, prefix) {
			ref = m.Card.Ref
		}
	}
	if ref == "" {
		k.t.Fatalf("no %s card", prefix)
	}
	return ref
}

// broadcastSteps are an approver's buttons on a broadcast's card.
func broadcastSteps(k stepKit, bcasts *broadcast.Service) []statementStep {
	ctx := context.Background()
	ann := bot.Staff{Channel: bot.WebChat, UserID: "ann", Name: "ann", Role: bot.Agent}
	decide := func(action string, want broadcast.Status) func() int64 {
		return func() int64 {
			b, err := bcasts.Create(ctx, ann, broadcast.Broadcast{TextZH: "新茶上市", TextEN: "New tea is in"})
			if err == nil {
				b, err = bcasts.Act(ctx, ann, b.ID, broadcast.ActSubmit)
			}
			if err != nil {
				k.t.Fatalf("broadcast to decide: %v", err)
			}
			_, n := k.act(bot.StaffAction{UserID: "alice", Ref: fmt.Sprintf("%s:%d", bot.RefBroadcast, b.ID), Action: action})
			if got, _, err := bcasts.Get(ctx, b.ID); err != nil || got.Status != want {
				k.t.Errorf("broadcast %d after %s: %s, %v", b.ID, action, got.Status, err)
			}
			return n
		}
	}
	return []statementStep{
		{"staff approves a broadcast", decide(bot.ActApprove, broadcast.Approved)},
		{"staff rejects a broadcast", decide(bot.ActReject, broadcast.Rejected)},
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

package tier_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/tier"
	"github.com/orderbot/orderbot/store"
)

// clock is a settable fake clock.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// shop is the core and the tiers on one real store, with staff of every role.
type shop struct {
	t     *testing.T
	st    *store.Store
	svc   *bot.Service
	tiers *tier.Service
	clock *clock
	seq   atomic.Int64
}

var (
	admin    = bot.Staff{Channel: bot.WebChat, UserID: "ada", Name: "ada", Role: bot.Admin}
	approver = bot.Staff{Channel: bot.WebChat, UserID: "alice", Name: "alice", Role: bot.Approver}
	agent    = bot.Staff{Channel: bot.WebChat, UserID: "ann", Name: "ann", Role: bot.Agent}
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func newShop(t *testing.T, st *store.Store) *shop {
	t.Helper()
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	tiers := tier.New(st, quiet(), c.Now, time.UTC)
	svc := bot.NewService(st, quiet(), bot.Config{StaffChannels: []string{bot.WebChat}, Clock: c.Now, Membership: tiers}, nil)
	err := svc.ImportCatalog(ctx, "test", []bot.Product{
		{SKU: "TEA", Name: "Green tea", NameZH: "绿茶", Category: "Tea", Price: 3800, Stock: 100, Active: true},
		{SKU: "POT", Name: "Clay pot", NameZH: "紫砂壶", Category: "Tea", Price: 16800, Stock: 30, Active: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []bot.Staff{admin, approver, agent} {
		if err := svc.SaveStaff(ctx, "test", s); err != nil {
			t.Fatal(err)
		}
	}
	return &shop{t: t, st: st, svc: svc, tiers: tiers, clock: c}
}

func (s *shop) send(user string, in bot.Inbound) []*bot.Message {
	s.t.Helper()
	in.Channel, in.UserID = bot.WebChat, user
	in.DedupKey = fmt.Sprintf("test:%d", s.seq.Add(1))
	out, err := s.svc.HandleInbound(context.Background(), in)
	if err != nil {
		s.t.Fatalf("%s sends %+v: %v", user, in, err)
	}
	return out
}

func (s *shop) say(user, text string) string {
	return texts(s.send(user, bot.Inbound{Text: text}))
}

func (s *shop) press(user, key string) string {
	return texts(s.send(user, bot.Inbound{Button: key}))
}

func texts(ms []*bot.Message) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.Text + "\n")
	}
	return b.String()
}

// toSummary takes a customer to the summary of an order of qty × sku.
func (s *shop) toSummary(user, sku string, qty int) {
	s.t.Helper()
	s.say(user, "menu")
	for _, k := range []string{"browse", "cat:Tea", "sku:" + sku, "add"} {
		s.press(user, k)
	}
	s.say(user, fmt.Sprint(qty))
	if strings.Contains(s.press(user, "checkout"), "Please check your order") {
		return
	}
	s.say(user, "Li Lei")
	s.say(user, "13800138000")
	s.say(user, "88 Wensan Road, Hangzhou")
}

var orderNumber = regexp.MustCompile(`\b1\d{5}\b`)

// order places an order and returns it.
func (s *shop) order(user, sku string, qty int) *bot.Order {
	s.t.Helper()
	s.toSummary(user, sku, qty)
	n := orderNumber.FindString(s.press(user, "confirm"))
	if n == "" {
		s.t.Fatal("no order number after confirm")
	}
	return s.load(n)
}

func (s *shop) load(number string) *bot.Order {
	s.t.Helper()
	o, err := s.st.OrderByNumber(context.Background(), number)
	if err != nil {
		s.t.Fatal(err)
	}
	return o
}

func (s *shop) act(who bot.Staff, ref, action string, version int, extra ...string) (bot.StaffResult, error) {
	a := bot.StaffAction{Channel: who.Channel, UserID: who.UserID, Ref: ref, Action: action, Version: version}
	if len(extra) == 2 {
		a.Carrier, a.Tracking = extra[0], extra[1]
	}
	return s.svc.HandleStaffAction(context.Background(), a)
}

// complete takes an order from wherever it is to completed, and returns
// the card of the last step.
func (s *shop) complete(number string) bot.Card {
	s.t.Helper()
	var res bot.StaffResult
	for _, step := range []struct {
		from   bot.OrderStatus
		who    bot.Staff
		action string
		extra  []string
	}{
		{bot.Pending, approver, bot.ActApprove, nil},
		{bot.Confirmed, agent, bot.ActShip, []string{"SF", "SF123"}},
		{bot.Shipped, agent, bot.ActDeliver, nil},
		{bot.Delivered, agent, bot.ActComplete, nil},
	} {
		o := s.load(number)
		if o.Status != step.from {
			continue
		}
		var err error
		if res, err = s.act(step.who, fmt.Sprintf("order:%d", o.ID), step.action, o.Version, step.extra...); err != nil {
			s.t.Fatalf("%s order %s: %v", step.action, number, err)
		}
	}
	return res.Card
}

func (s *shop) customerID(user string) int64 {
	s.t.Helper()
	c, err := s.st.CustomerByUser(context.Background(), bot.WebChat, user)
	if err != nil {
		s.t.Fatal(err)
	}
	return c.ID
}

func (s *shop) tierOf(user string) bot.Standing {
	s.t.Helper()
	st, err := s.tiers.CustomerTier(context.Background(), s.customerID(user))
	if err != nil {
		s.t.Fatal(err)
	}
	return st
}

// audit returns the trail of an entity as "actor action from→to" lines.
func (s *shop) audit(entity, ref string) []string {
	s.t.Helper()
	es, err := s.st.Audit(context.Background(), entity, ref)
	if err != nil {
		s.t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, fmt.Sprintf("%s %s %s→%s", e.Actor, e.Action, e.From, e.To))
	}
	return out
}

func field(c bot.Card, label string) string {
	for _, f := range c.Fields {
		if f.Label == label {
			return f.Value
		}
	}
	return ""
}

// lastCard is the latest card queued to staff for ref.
func (s *shop) lastCard(ref string) bot.Card {
	s.t.Helper()
	ms, err := s.st.Feed(context.Background(), bot.WebChat, bot.StaffRecipient, 0, 1000)
	if err != nil {
		s.t.Fatal(err)
	}
	var card bot.Card
	for _, m := range ms {
		if m.Card != nil && m.Card.Ref == ref {
			card = *m.Card
		}
	}
	return card
}

// fileAfterSales files a request of a type for an order through the chat.
func (s *shop) fileAfterSales(user, number, typ string) string {
	s.t.Helper()
	s.say(user, "menu")
	s.press(user, "aftersales")
	s.press(user, "order:"+number)
	s.press(user, "type:"+typ)
	s.say(user, "It is not what I ordered.")
	s.press(user, "done")
	return s.press(user, "submit")
}

// request returns the one after-sales request of an order.
func (s *shop) request(orderID int64) *bot.AfterSales {
	s.t.Helper()
	rs, err := s.st.AfterSalesByOrder(context.Background(), orderID)
	if err != nil || len(rs) != 1 {
		s.t.Fatalf("after-sales of order %d: %+v, %v", orderID, rs, err)
	}
	return rs[0]
}

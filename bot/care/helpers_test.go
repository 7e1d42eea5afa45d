package care_test

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
	"github.com/orderbot/orderbot/bot/care"
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

// shop is the core and customer care on one real store.
type shop struct {
	t     *testing.T
	st    *store.Store
	svc   *bot.Service
	care  *care.Service
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

func newShop(t *testing.T, st *store.Store, delay time.Duration) *shop {
	return newShopWith(t, st, care.Config{SurveyDelay: delay})
}

func newShopWith(t *testing.T, st *store.Store, cfg care.Config) *shop {
	t.Helper()
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	staff := []string{bot.WebChat}
	tiers := tier.New(st, quiet(), c.Now, time.UTC)
	cfg.StaffChannels, cfg.Clock, cfg.Membership = staff, c.Now, tiers
	if cfg.StaffLang == "" {
		cfg.StaffLang = bot.StaffLangEN // the tests read the cards in English
	}
	cs := care.New(st, quiet(), cfg, nil)
	svc := bot.NewService(st, quiet(), bot.Config{StaffChannels: staff, Clock: c.Now, Care: cs, Membership: tiers, StaffLang: cfg.StaffLang}, nil)
	err := svc.ImportCatalog(ctx, "test", []bot.Product{
		{SKU: "TEA", Name: "Green tea", NameZH: "绿茶", Category: "Tea", Price: 3800, Stock: 100, Active: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []bot.Staff{admin, approver, agent} {
		if err := svc.SaveStaff(ctx, "test", s); err != nil {
			t.Fatal(err)
		}
	}
	return &shop{t: t, st: st, svc: svc, care: cs, tiers: tiers, clock: c}
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

func (s *shop) say(user, text string) string { return texts(s.send(user, bot.Inbound{Text: text})) }

func (s *shop) press(user, key string) string { return texts(s.send(user, bot.Inbound{Button: key})) }

func texts(ms []*bot.Message) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.Text + "\n")
	}
	return b.String()
}

var orderNumber = regexp.MustCompile(`\b1\d{5}\b`)

// fillCart puts n teas in the customer's cart.
func (s *shop) fillCart(user string, n int) {
	s.t.Helper()
	s.say(user, "menu")
	for _, k := range []string{"browse", "cat:Tea", "sku:TEA", "add"} {
		s.press(user, k)
	}
	s.say(user, fmt.Sprint(n))
}

// order places an order of one tea and returns the reply to the confirm
// and the order.
func (s *shop) order(user string) (string, *bot.Order) {
	s.t.Helper()
	s.say(user, "menu")
	for _, k := range []string{"browse", "cat:Tea", "sku:TEA", "add"} {
		s.press(user, k)
	}
	s.say(user, "1")
	if !strings.Contains(s.press(user, "checkout"), "Please check your order") {
		s.say(user, "Li Lei")
		s.say(user, "13800138000")
		s.say(user, "88 Wensan Road, Hangzhou")
	}
	reply := s.press(user, "confirm")
	n := orderNumber.FindString(reply)
	if n == "" {
		s.t.Fatalf("no order number after confirm: %q", reply)
	}
	return reply, s.load(n)
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

// deliver takes an order from pending to delivered.
func (s *shop) deliver(o *bot.Order) {
	s.t.Helper()
	for _, step := range []struct {
		who    bot.Staff
		action string
		extra  []string
	}{{approver, bot.ActApprove, nil}, {agent, bot.ActShip, []string{"SF", "SF123"}}, {agent, bot.ActDeliver, nil}} {
		cur := s.load(o.Number)
		if _, err := s.act(step.who, fmt.Sprintf("order:%d", o.ID), step.action, cur.Version, step.extra...); err != nil {
			s.t.Fatalf("%s order %s: %v", step.action, o.Number, err)
		}
	}
}

// sendDue runs the survey job once.
func (s *shop) sendDue() int {
	s.t.Helper()
	n, err := s.care.SendDue(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

// feed is everything queued to a recipient of the web chat.
func (s *shop) feed(recipient string) []*bot.Message {
	s.t.Helper()
	ms, err := s.st.Feed(context.Background(), bot.WebChat, recipient, 0, 1000)
	if err != nil {
		s.t.Fatal(err)
	}
	return ms
}

// surveys are the survey questions queued to a customer.
func (s *shop) surveys(user string) []*bot.Message {
	var out []*bot.Message
	for _, m := range s.feed(user) {
		if m.Kind == bot.KindNotice && len(m.Options) == 5 && strings.HasPrefix(m.Options[0].Key, "survey:") {
			out = append(out, m)
		}
	}
	return out
}

// lastCard is the latest card queued to staff for ref.
func (s *shop) lastCard(ref string) (bot.Card, int) {
	s.t.Helper()
	var card bot.Card
	n := 0
	for _, m := range s.feed(bot.StaffRecipient) {
		if m.Card != nil && m.Card.Ref == ref {
			card, n = *m.Card, n+1
		}
	}
	return card, n
}

func field(c bot.Card, label string) string {
	for _, f := range c.Fields {
		if f.Label == label {
			return f.Value
		}
	}
	return ""
}

func (s *shop) customerID(user string) int64 {
	s.t.Helper()
	c, err := s.st.CustomerByUser(context.Background(), bot.WebChat, user)
	if err != nil {
		s.t.Fatal(err)
	}
	return c.ID
}

func (s *shop) survey(id int64) care.Survey {
	s.t.Helper()
	sv, err := s.st.Survey(context.Background(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return sv
}

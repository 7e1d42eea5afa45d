package bot_test

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// shop is a service on a real store with a catalog and three staff members.
type shop struct {
	t     *testing.T
	st    *store.Store
	svc   *bot.Service
	clock *fakeClock
	seq   atomic.Int64
}

func newShop(t *testing.T, st *store.Store) *shop {
	t.Helper()
	return newShopWith(t, st, bot.Config{})
}

// newShopWith is newShop with settings of the test's own; staff channels
// and the clock are the shop's.
func newShopWith(t *testing.T, st *store.Store, cfg bot.Config) *shop {
	t.Helper()
	ctx := context.Background()
	clock := newClock()
	cfg.StaffChannels, cfg.Clock = []string{bot.WebChat}, clock.Now
	if cfg.StaffLang == "" {
		cfg.StaffLang = bot.StaffLangEN // the tests read English cards
	}
	svc := bot.NewService(st, quietLog(), cfg, nil)
	err := svc.ImportCatalog(ctx, "test", []bot.Product{
		{SKU: "TEA", Name: "Green tea", NameZH: "绿茶", Category: "Tea", Price: 3800, Stock: 100, Active: true},
		{SKU: "POT", Name: "Clay pot", NameZH: "紫砂壶", Category: "Tea", Price: 16800, Stock: 10, Active: true},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []bot.Staff{
		{Channel: bot.WebChat, UserID: "alice", Name: "alice", Role: bot.Approver},
		{Channel: bot.WebChat, UserID: "bob", Name: "bob", Role: bot.Approver},
		{Channel: bot.WebChat, UserID: "ann", Name: "ann", Role: bot.Agent},
	} {
		if err := svc.SaveStaff(ctx, "test", s); err != nil {
			t.Fatal(err)
		}
	}
	return &shop{t: t, st: st, svc: svc, clock: clock}
}

// send is one customer event; key "" gets a fresh dedup key.
func (s *shop) send(user string, in bot.Inbound) []*bot.Message {
	s.t.Helper()
	in.Channel, in.UserID = bot.WebChat, user
	if in.DedupKey == "" {
		in.DedupKey = fmt.Sprintf("test:%d", s.seq.Add(1))
	}
	out, err := s.svc.HandleInbound(context.Background(), in)
	if err != nil {
		s.t.Fatalf("%s sends %+v: %v", user, in, err)
	}
	return out
}

func (s *shop) say(user, text string) []*bot.Message { return s.send(user, bot.Inbound{Text: text}) }
func (s *shop) press(user, key string) []*bot.Message {
	return s.send(user, bot.Inbound{Button: key})
}

// toSummary takes a customer from the menu to the order summary of qty × sku.
func (s *shop) toSummary(user, sku string, qty int) {
	s.t.Helper()
	s.say(user, "menu") // typed: it works from any stage, a placed order's page too
	for _, k := range []string{"browse", "cat:Tea", "sku:" + sku, "add"} {
		s.press(user, k)
	}
	s.say(user, fmt.Sprint(qty))
	if strings.Contains(texts(s.press(user, "checkout")), "Please check your order") {
		return // a returning customer's details are filled in
	}
	s.say(user, "Li Lei")
	s.say(user, "13800138000")
	s.say(user, "88 Wensan Road, Hangzhou")
}

var orderNumber = regexp.MustCompile(`\b1\d{5}\b`)

// order places an order and returns its number.
func (s *shop) order(user, sku string, qty int) string {
	s.t.Helper()
	s.toSummary(user, sku, qty)
	n := orderNumber.FindString(texts(s.press(user, "confirm")))
	if n == "" {
		s.t.Fatalf("no order number after confirm")
	}
	return n
}

func (s *shop) orderByNumber(n string) *bot.Order {
	s.t.Helper()
	o, err := s.st.OrderByNumber(context.Background(), n)
	if err != nil {
		s.t.Fatal(err)
	}
	return o
}

func (s *shop) act(user, ref, action string, version int, extra ...string) (bot.StaffResult, error) {
	a := bot.StaffAction{Channel: bot.WebChat, UserID: user, Ref: ref, Action: action, Version: version}
	if len(extra) > 0 {
		a.Reason, a.Carrier = extra[0], extra[0]
	}
	if len(extra) > 1 {
		a.Tracking = extra[1]
	}
	return s.svc.HandleStaffAction(context.Background(), a)
}

func (s *shop) feed(user string) []*bot.Message {
	s.t.Helper()
	ms, err := s.svc.Feed(context.Background(), bot.WebChat, user, 0)
	if err != nil {
		s.t.Fatal(err)
	}
	return ms
}

func texts(ms []*bot.Message) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.Text)
		b.WriteString("\n")
	}
	return b.String()
}

func stock(t *testing.T, st *store.Store, sku string) int {
	t.Helper()
	p, err := st.Product(context.Background(), sku)
	if err != nil {
		t.Fatal(err)
	}
	return p.Stock
}

func TestOrderApprovalAndCustomerIsTold(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		n := s.order("u1", "POT", 2)
		o := s.orderByNumber(n)
		if o.Status != bot.Pending || o.Total != 2*16800 || o.Contact.Phone != "13800138000" || stock(t, st, "POT") != 8 {
			t.Fatalf("placed order %+v, stock %d", o, stock(t, st, "POT"))
		}
		cards, err := s.svc.OpenWork(context.Background())
		if err != nil || len(cards) != 1 || cards[0].Ref != fmt.Sprintf("order:%d", o.ID) {
			t.Fatalf("open work %+v, %v", cards, err)
		}
		if total := cards[0].Fields[2]; total.Label != "Total" || total.Value != "CN¥336.00" {
			t.Fatalf("card total %+v", total)
		}
		if _, err := s.act("alice", cards[0].Ref, bot.ActApprove, cards[0].Version); err != nil {
			t.Fatal(err)
		}
		if got := s.orderByNumber(n); got.Status != bot.Confirmed || got.History[len(got.History)-1].Actor != "alice (webchat)" {
			t.Fatalf("after approval: %+v", got)
		}
		feed := s.feed("u1")
		if last := feed[len(feed)-1]; last.Kind != bot.KindNotice || !strings.Contains(last.Text, n) {
			t.Fatalf("customer not told: %+v", last)
		}
		audit, err := st.Audit(context.Background(), "order", n)
		if err != nil || len(audit) != 2 || audit[1].Actor != "alice (webchat)" || audit[1].From != "pending" || audit[1].To != "confirmed" {
			t.Fatalf("audit %+v, %v", audit, err)
		}
		// The customer sees the new status when they ask.
		if reply := texts(s.say("u1", "order "+n)); !strings.Contains(reply, n) {
			t.Fatalf("order lookup: %q", reply)
		}
	})
}

func TestLastUnitsUnderConcurrency(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		const customers = 50
		for i := range customers {
			s.toSummary(fmt.Sprintf("c%d", i), "POT", 1)
		}
		var wg sync.WaitGroup
		for i := range customers {
			wg.Go(func() { s.press(fmt.Sprintf("c%d", i), "confirm") })
		}
		wg.Wait()
		orders, err := st.OrdersByStatus(context.Background(), []bot.OrderStatus{bot.Pending}, 100)
		if err != nil {
			t.Fatal(err)
		}
		if len(orders) != 10 || stock(t, st, "POT") != 0 {
			t.Fatalf("%d orders for 10 units, stock left %d", len(orders), stock(t, st, "POT"))
		}
	})
}

func TestTwoApproversAtOnceOneDecisionStands(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		o := s.orderByNumber(s.order("u1", "TEA", 1))
		ref := fmt.Sprintf("order:%d", o.ID)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		for i, who := range []string{"alice", "bob"} {
			wg.Go(func() {
				if who == "alice" {
					_, errs[i] = s.act(who, ref, bot.ActApprove, o.Version)
				} else {
					_, errs[i] = s.act(who, ref, bot.ActReject, o.Version, "sold out")
				}
			})
		}
		wg.Wait()
		winner, loser := 0, 1
		if errs[0] != nil {
			winner, loser = 1, 0
		}
		var decided *bot.DecidedError
		if errs[winner] != nil || !errors.As(errs[loser], &decided) {
			t.Fatalf("errors %v", errs)
		}
		name := []string{"alice", "bob"}[winner]
		if decided.By != name+" (webchat)" {
			t.Fatalf("loser told %q decided, want %s", decided.By, name)
		}
		got := s.orderByNumber(o.Number)
		if len(got.History) != 2 {
			t.Fatalf("history %+v", got.History)
		}
		notices := 0
		for _, m := range s.feed("u1") {
			if m.Kind == bot.KindNotice {
				notices++
			}
		}
		if notices != 1 {
			t.Fatalf("customer got %d notices, want 1", notices)
		}
	})
}

func TestStaffActionsAreAuthorizedAndChecked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		o := s.orderByNumber(s.order("u1", "TEA", 1))
		ref := fmt.Sprintf("order:%d", o.ID)
		cases := []struct {
			name, user, ref, action string
			version                 int
			want                    error
		}{
			{"agent cannot approve", "ann", ref, bot.ActApprove, o.Version, bot.ErrForbidden},
			{"stranger cannot act", "mallory", ref, bot.ActApprove, o.Version, bot.ErrForbidden},
			{"unknown order", "alice", "order:999999", bot.ActApprove, 1, bot.ErrNotFound},
			{"forged ref", "alice", "order;drop", bot.ActApprove, 1, bot.ErrNotFound},
			{"unknown action", "alice", ref, "refund_everything", o.Version, bot.ErrInvalid},
			{"reject without reason", "alice", ref, bot.ActReject, o.Version, bot.ErrInvalid},
			{"ship before approval", "ann", ref, bot.ActShip, o.Version, &bot.StateError{}},
			{"stale card", "alice", ref, bot.ActApprove, o.Version + 5, &bot.StateError{}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				_, err := s.act(c.user, c.ref, c.action, c.version)
				var stateErr *bot.StateError
				if _, isState := c.want.(*bot.StateError); isState && !errors.As(err, &stateErr) || !isState && !errors.Is(err, c.want) {
					t.Fatalf("got %v, want %v", err, c.want)
				}
				if got := s.orderByNumber(o.Number); got.Status != bot.Pending || got.Version != o.Version {
					t.Fatalf("order changed: %s v%d", got.Status, got.Version)
				}
			})
		}
	})
}

func TestFullLifecycleWithCancelAndAfterSales(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		ctx := context.Background()

		// Pending: the customer cancels at once and the stock comes back.
		n1 := s.order("u1", "POT", 3)
		s.say("u1", "cancel "+n1)
		s.press("u1", "yes")
		if o := s.orderByNumber(n1); o.Status != bot.Cancelled || stock(t, st, "POT") != 10 {
			t.Fatalf("cancel pending: %s, stock %d", o.Status, stock(t, st, "POT"))
		}

		// Confirmed: cancel becomes a request that staff reject.
		o2 := s.orderByNumber(s.order("u1", "POT", 1))
		if _, err := s.act("alice", fmt.Sprintf("order:%d", o2.ID), bot.ActApprove, o2.Version); err != nil {
			t.Fatal(err)
		}
		s.say("u1", "cancel "+o2.Number)
		s.press("u1", "yes")
		o2 = s.orderByNumber(o2.Number)
		if !o2.CancelRequested {
			t.Fatal("no cancel request")
		}
		cards, err := s.svc.OpenWork(ctx)
		if err != nil || !hasCard(cards, fmt.Sprintf("cancel:%d", o2.ID)) {
			t.Fatalf("the cancel request is not among the open work: %+v, %v", cards, err)
		}
		if _, err := s.act("alice", fmt.Sprintf("cancel:%d", o2.ID), bot.ActReject, o2.Version, "already packed"); err != nil {
			t.Fatal(err)
		}
		o2 = s.orderByNumber(o2.Number)
		if _, err := s.act("ann", fmt.Sprintf("order:%d", o2.ID), bot.ActShip, o2.Version, "SF Express", "SF1234567890"); err != nil {
			t.Fatal(err)
		}
		if reply := texts(s.say("u1", "order "+o2.Number)); !strings.Contains(reply, "SF1234567890") {
			t.Fatalf("tracking not shown: %q", reply)
		}
		// Shipped: no cancel, but after-sales.
		s.say("u1", "cancel "+o2.Number)
		if o := s.orderByNumber(o2.Number); o.Status != bot.Shipped {
			t.Fatalf("shipped order changed by cancel: %s", o.Status)
		}
		s.say("u1", "menu")
		s.press("u1", "aftersales")
		s.press("u1", "order:"+o2.Number)
		s.press("u1", "type:repair")
		s.say("u1", "The lid arrived cracked.")
		s.send("u1", bot.Inbound{Media: []string{"webchat-photo-1"}})
		s.press("u1", "done")
		reply := texts(s.press("u1", "submit"))
		reqs, err := st.AfterSalesByOrder(ctx, o2.ID)
		if err != nil || len(reqs) != 1 || !strings.Contains(reply, reqs[0].Number) || len(reqs[0].Media) != 1 {
			t.Fatalf("after-sales %+v, %v, reply %q", reqs, err, reply)
		}
		r := reqs[0]
		if _, err := s.act("ann", fmt.Sprintf("after_sales:%d", r.ID), bot.ActApprove, r.Version); !errors.Is(err, bot.ErrForbidden) {
			t.Fatalf("agent approved after-sales: %v", err)
		}
		if _, err := s.act("bob", fmt.Sprintf("after_sales:%d", r.ID), bot.ActApprove, r.Version); err != nil {
			t.Fatal(err)
		}
		feed := s.feed("u1")
		if last := feed[len(feed)-1]; last.Notice == nil || last.Notice.RequestNumber != r.Number {
			t.Fatalf("customer not told of the approval: %+v", last)
		}
	})
}

func TestRepeatedEventHasOneEffect(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		s.toSummary("u1", "TEA", 2)
		first := s.send("u1", bot.Inbound{Button: "confirm", DedupKey: "webchat:u1:abc"})
		again := s.send("u1", bot.Inbound{Button: "confirm", DedupKey: "webchat:u1:abc"})
		if texts(first) != texts(again) || first[0].ID != again[0].ID {
			t.Fatalf("repeat got a different reply:\n%s\n---\n%s", texts(first), texts(again))
		}
		orders, _ := st.OrdersByStatus(context.Background(), []bot.OrderStatus{bot.Pending}, 10)
		if len(orders) != 1 || stock(t, st, "TEA") != 98 {
			t.Fatalf("%d orders, stock %d", len(orders), stock(t, st, "TEA"))
		}
	})
}

func TestCustomersSeeOnlyTheirOwnOrders(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		n := s.order("u1", "TEA", 1)
		s.say("u2", "order "+n)
		s.say("u2", "cancel "+n)
		s.press("u2", "yes")
		if o := s.orderByNumber(n); o.Status != bot.Pending {
			t.Fatalf("another customer changed the order: %s", o.Status)
		}
		for _, m := range s.feed("u2") {
			if strings.Contains(m.Text, "Wensan") || strings.Contains(m.Text, "13800138000") {
				t.Fatalf("u2 saw u1's order: %q", m.Text)
			}
		}
	})
}

// A crash right after the order commits loses nothing: the next process's
// dispatcher delivers the staff card, and exactly once.
// TestCustomerRecordFollowsTheirMessages: a message saves the
// conversation only, unless the customer's platform name changed or the
// step changed their contact details: both must still reach the record.
func TestCustomerRecordFollowsTheirMessages(t *testing.T) {
	st := storetest.SQLite(t)
	s := newShop(t, st)
	ctx := context.Background()
	s.send("u1", bot.Inbound{Text: "menu", DisplayName: "Ming"})
	s.send("u1", bot.Inbound{Text: "help", DisplayName: "Ming W."})
	c, err := st.CustomerByUser(ctx, bot.WebChat, "u1")
	if err != nil || c.DisplayName != "Ming W." || len(c.Conversation) == 0 {
		t.Fatalf("after a new platform name: %+v, %v", c, err)
	}
	s.order("u1", "POT", 1)
	if c, _ = st.CustomerByUser(ctx, bot.WebChat, "u1"); c.Phone != "13800138000" || c.DisplayName != "Ming W." {
		t.Fatalf("after an order: %+v", c)
	}
}

func TestStaffCardDeliveredOnceAfterCrash(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st) // no dispatcher runs: the process "dies" after commit
		s.order("u1", "TEA", 1)

		staff := &recordingSender{}
		customer := &recordingSender{}
		restarted := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: fanout{staff, customer}}, quietLog(),
			bot.DispatcherConfig{Owner: "restarted", Clock: s.clock.Now})
		if _, err := restarted.DeliverDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		if _, err := restarted.DeliverDue(context.Background()); err != nil {
			t.Fatal(err)
		}
		if got := len(staff.messages()); got != 1 {
			t.Fatalf("staff card delivered %d times, want 1", got)
		}
	})
}

// fanout routes staff cards and customer messages to different senders.
type fanout struct{ staff, customer bot.Sender }

func (f fanout) Send(ctx context.Context, m *bot.Message) (string, error) {
	if m.Recipient == bot.StaffRecipient {
		return f.staff.Send(ctx, m)
	}
	return f.customer.Send(ctx, m)
}

func hasCard(cards []bot.Card, ref string) bool {
	for _, c := range cards {
		if c.Ref == ref {
			return true
		}
	}
	return false
}

func TestStaleButtonIsMarkedOnTheReplies(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		s.say("u1", "menu")
		if r := s.press("u1", "browse"); r[0].Stale {
			t.Fatal("a current button was marked stale")
		}
		first := s.send("u1", bot.Inbound{Button: "confirm", DedupKey: "old-press"})
		again := s.send("u1", bot.Inbound{Button: "confirm", DedupKey: "old-press"})
		if !first[0].Stale || !again[0].Stale || first[0].Lang == "" || again[0].Lang != first[0].Lang {
			t.Fatalf("stale press: %+v, repeated: %+v", first[0], again[0])
		}
	})
}

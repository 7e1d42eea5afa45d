package store_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/report"
	"github.com/orderbot/orderbot/bot/tier"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// shanghai is the shop's zone in the report fixture: UTC+8, so the first
// and last eight hours of a local day fall on other UTC days.
func shanghai(t testing.TB) *time.Location {
	loc, err := time.LoadLocation("Asia/Shanghai")
	must(t, err)
	return loc
}

// step is one change of a fixture order, minutes after it was placed.
type step struct {
	after time.Duration
	do    func(o *bot.Order, at time.Time) error
}

func approve(after time.Duration) step {
	return step{after, func(o *bot.Order, at time.Time) error { return o.Approve("staff", at) }}
}

func reject(after time.Duration) step {
	return step{after, func(o *bot.Order, at time.Time) error { return o.Reject("staff", "out of stock", at) }}
}

func ship(after time.Duration) step {
	return step{after, func(o *bot.Order, at time.Time) error { return o.Ship("staff", "SF", "SF1", at) }}
}

func deliver(after time.Duration) step {
	return step{after, func(o *bot.Order, at time.Time) error { return o.Deliver("staff", at) }}
}

func cancel(after time.Duration) step {
	return step{after, func(o *bot.Order, at time.Time) error {
		if _, err := o.CancelByCustomer("customer", at); err != nil {
			return err
		}
		if o.Status == bot.Confirmed {
			return o.ApproveCancel("staff", at)
		}
		return nil
	}}
}

var (
	fxTea  = bot.OrderItem{SKU: "TEA-1", Name: "Green tea", NameZH: "绿茶", UnitPrice: 3800}
	fxCake = bot.OrderItem{SKU: "CAKE-1", Name: "CAKE-1", NameZH: "", UnitPrice: 15000}
)

func qty(it bot.OrderItem, n int) bot.OrderItem { it.Qty = n; return it }

// fxOrder stores an order placed at local time at, moved through steps.
func fxOrder(t testing.TB, s *store.Store, c bot.Customer, at time.Time, items []bot.OrderItem, steps ...step) *bot.Order {
	t.Helper()
	o, err := bot.NewOrder(c, items, bot.Contact{Name: "N", Phone: "13800000000", Address: "A"}, at)
	must(t, err)
	for _, st := range steps {
		must(t, st.do(o, at.Add(st.after)))
	}
	must(t, s.CreateOrder(context.Background(), o))
	return o
}

// fxRequest stores an after-sales request on o filed at local time at,
// resolved a day later when resolve is set.
func fxRequest(t testing.TB, s *store.Store, c bot.Customer, o *bot.Order, typ bot.AfterSalesType, at time.Time, resolve bool) {
	t.Helper()
	a, err := bot.NewAfterSales(c, o, typ, "reason", nil, at)
	must(t, err)
	if resolve {
		must(t, a.Approve("staff", "", at.Add(time.Hour)))
		must(t, a.Resolve("staff", at.Add(24*time.Hour)))
	}
	must(t, s.CreateAfterSales(context.Background(), a))
}

// seedReportFixture stores the orders whose KPIs for 2026-03-10 (Shanghai)
// are computed by hand in TestReportKPIs.
func seedReportFixture(t testing.TB, s *store.Store, loc *time.Location) {
	ctx := context.Background()
	at := func(day, h, m, sec int) time.Time { return time.Date(2026, 3, day, h, m, sec, 0, loc) }
	a, err := s.LockCustomer(ctx, bot.Telegram, "A")
	must(t, err)
	b, err := s.LockCustomer(ctx, bot.Telegram, "B")
	must(t, err)
	c, err := s.LockCustomer(ctx, bot.Slack, "C")
	must(t, err)
	d, err := s.LockCustomer(ctx, bot.WeChat, "D")
	must(t, err)
	tea := func(n int) []bot.OrderItem { return []bot.OrderItem{qty(fxTea, n)} }
	// Top products take names from the catalog; CAKE-1 is not in it.
	products(t, s, bot.Product{SKU: "TEA-1", Name: "Green tea", NameZH: "绿茶", Price: 3800, Stock: 100, Active: true})

	// o0: the day before, 30 s before local midnight (UTC: 15:59:30 on the 9th).
	o0 := fxOrder(t, s, a, at(9, 23, 59, 30), tea(1), approve(time.Minute), ship(time.Hour), deliver(2*time.Hour))
	// o1: 30 s after local midnight, which UTC still calls the 9th.
	fxOrder(t, s, a, at(10, 0, 0, 30), tea(2), approve(10*time.Minute), ship(24*time.Hour+10*time.Minute))
	fxOrder(t, s, b, at(10, 9, 0, 0), tea(1), reject(30*time.Minute))
	fxOrder(t, s, b, at(10, 12, 0, 0), []bot.OrderItem{qty(fxCake, 1)}, cancel(5*time.Minute))
	o4 := fxOrder(t, s, c, at(10, 15, 0, 0), []bot.OrderItem{qty(fxCake, 2), qty(fxTea, 1)},
		approve(60*time.Minute), ship(3*time.Hour), deliver(5*time.Hour))
	fxOrder(t, s, c, at(10, 16, 0, 0), tea(1), approve(20*time.Minute), cancel(2*time.Hour))
	// o5: 30 s before the next local midnight (UTC: 15:59:30 on the 10th).
	fxOrder(t, s, d, at(10, 23, 59, 30), tea(3), approve(5*time.Minute))
	// o6: 30 s after it, which UTC would still count on the 10th.
	fxOrder(t, s, d, at(11, 0, 0, 30), []bot.OrderItem{qty(fxCake, 1)}, approve(time.Minute))

	// Tiers now: A has no row (the first tier, regular), B's tier was taken
	// off the ladder (regular too), C is gold, D silver.
	must(t, s.SaveCustomerTier(ctx, tier.Member{CustomerID: b.ID, Tier: "platinum"}))
	must(t, s.SaveCustomerTier(ctx, tier.Member{CustomerID: c.ID, Tier: "gold", Pinned: true}))
	must(t, s.SaveCustomerTier(ctx, tier.Member{CustomerID: d.ID, Tier: "silver"}))

	fxRequest(t, s, a, o0, bot.Complaint, at(10, 10, 0, 0), false)
	fxRequest(t, s, c, o4, bot.Refund, at(10, 20, 0, 0), true)
	fxRequest(t, s, c, o4, bot.Repair, at(11, 0, 0, 30), false) // the next local day
}

func f(v float64) *float64 { return &v }

func TestReportKPIs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loc := shanghai(t)
		seedReportFixture(t, s, loc)
		day := report.Day(report.Date{Year: 2026, Month: 3, Day: 10}, loc)
		rep, err := report.Compute(context.Background(), s, day)
		must(t, err)

		want := report.Summary{
			From: "2026-03-10", To: "2026-03-10", Timezone: "Asia/Shanghai",
			OrdersPlaced: 6, OrdersConfirmed: 4, OrdersRejected: 1, OrdersCancelled: 2,
			// o1 7600 + o4 33800 + o5 11400, less o4 refunded.
			Revenue: 19000, Refunds: 33800, AverageOrderValue: 6333,
			// decisions 5, 10, 20, 30, 60 min; shipments 2 h and 24 h.
			DecisionMinutesP50: f(20), DecisionMinutesP90: f(60), ShipHoursP50: f(2), ShipHoursP90: f(24),
			CancellationRate: 0.3333,
			AfterSales:       map[string]int{"complaint": 1, "refund": 1},
			AfterSalesRate:   map[string]float64{"complaint": 0.1667, "refund": 0.1667},
			// A returns (o0 the day before); B, C, D are new; D ordered once.
			NewCustomers: 3, ReturningCustomers: 1, RepeatRate: 0.75,
			TopProducts: []report.ProductSale{
				{SKU: "TEA-1", Name: "Green tea", NameZH: "绿茶", Qty: 6, Revenue: 22800},
				{SKU: "CAKE-1", Name: "CAKE-1", NameZH: "", Qty: 2, Revenue: 30000},
			},
			TopProductsByRevenue: []report.ProductSale{
				{SKU: "CAKE-1", Name: "CAKE-1", NameZH: "", Qty: 2, Revenue: 30000},
				{SKU: "TEA-1", Name: "Green tea", NameZH: "绿茶", Qty: 6, Revenue: 22800},
			},
			// A and B regular, C gold, D silver.
			CustomersByTier: map[string]int{"regular": 2, "silver": 1, "gold": 1},
		}
		sameJSON(t, "all channels", rep.Summary, want)

		tg := want
		tg.Channel = bot.Telegram
		tg.OrdersPlaced, tg.OrdersConfirmed, tg.OrdersRejected, tg.OrdersCancelled = 3, 1, 1, 1
		tg.Revenue, tg.Refunds, tg.AverageOrderValue = 7600, 0, 7600
		tg.DecisionMinutesP50, tg.DecisionMinutesP90, tg.ShipHoursP50, tg.ShipHoursP90 = f(10), f(30), f(24), f(24)
		tg.CancellationRate = 0.3333
		tg.AfterSales, tg.AfterSalesRate = map[string]int{"complaint": 1}, map[string]float64{"complaint": 0.3333}
		tg.NewCustomers, tg.ReturningCustomers, tg.RepeatRate = 1, 1, 1
		tg.TopProducts = []report.ProductSale{{SKU: "TEA-1", Name: "Green tea", NameZH: "绿茶", Qty: 2, Revenue: 7600}}
		tg.TopProductsByRevenue = tg.TopProducts
		tg.CustomersByTier = map[string]int{"regular": 2, "silver": 0, "gold": 0}
		sameJSON(t, "telegram", rep.ByChannel[bot.Telegram], tg)

		sl := want
		sl.Channel = bot.Slack
		sl.OrdersPlaced, sl.OrdersConfirmed, sl.OrdersRejected, sl.OrdersCancelled = 2, 2, 0, 1
		sl.Revenue, sl.Refunds, sl.AverageOrderValue = 0, 33800, 0
		sl.DecisionMinutesP50, sl.DecisionMinutesP90, sl.ShipHoursP50, sl.ShipHoursP90 = f(20), f(60), f(2), f(2)
		sl.CancellationRate = 0.5
		sl.AfterSales, sl.AfterSalesRate = map[string]int{"refund": 1}, map[string]float64{"refund": 0.5}
		sl.NewCustomers, sl.ReturningCustomers, sl.RepeatRate = 1, 0, 1
		sl.TopProducts = []report.ProductSale{
			{SKU: "CAKE-1", Name: "CAKE-1", NameZH: "", Qty: 2, Revenue: 30000},
			{SKU: "TEA-1", Name: "Green tea", NameZH: "绿茶", Qty: 1, Revenue: 3800},
		}
		sl.TopProductsByRevenue = sl.TopProducts
		sl.CustomersByTier = map[string]int{"regular": 0, "silver": 0, "gold": 1}
		sameJSON(t, "slack", rep.ByChannel[bot.Slack], sl)

		wc := want
		wc.Channel = bot.WeChat
		wc.OrdersPlaced, wc.OrdersConfirmed, wc.OrdersRejected, wc.OrdersCancelled = 1, 1, 0, 0
		wc.Revenue, wc.Refunds, wc.AverageOrderValue = 11400, 0, 11400
		wc.DecisionMinutesP50, wc.DecisionMinutesP90, wc.ShipHoursP50, wc.ShipHoursP90 = f(5), f(5), nil, nil
		wc.CancellationRate = 0
		wc.AfterSales, wc.AfterSalesRate = map[string]int{}, map[string]float64{}
		wc.NewCustomers, wc.ReturningCustomers, wc.RepeatRate = 1, 0, 0
		wc.TopProducts = []report.ProductSale{{SKU: "TEA-1", Name: "Green tea", NameZH: "绿茶", Qty: 3, Revenue: 11400}}
		wc.TopProductsByRevenue = wc.TopProducts
		wc.CustomersByTier = map[string]int{"regular": 0, "silver": 1, "gold": 0}
		sameJSON(t, "wechat", rep.ByChannel[bot.WeChat], wc)
		if len(rep.ByChannel) != 3 {
			t.Errorf("channels = %v, want telegram, slack, wechat", rep.Channels())
		}
		sameJSON(t, "telegram by name", rep.Channel(bot.Telegram), tg)
		if wc := rep.Channel(bot.WebChat); wc.Channel != bot.WebChat || wc.OrdersPlaced != 0 || wc.From != "2026-03-10" || wc.AfterSales == nil ||
			len(wc.CustomersByTier) != 3 || wc.CustomersByTier["gold"] != 0 {
			t.Errorf("a channel without orders: %+v", wc)
		}
	})
}

// TestReportDays: the daily series puts each order on its local day.
func TestReportDays(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loc := shanghai(t)
		seedReportFixture(t, s, loc)
		r := report.Range{From: report.Date{Year: 2026, Month: 3, Day: 9}, To: report.Date{Year: 2026, Month: 3, Day: 11}, Loc: loc}
		rep, err := report.Compute(context.Background(), s, r)
		must(t, err)
		want := []report.DayPoint{
			{Date: report.Date{Year: 2026, Month: 3, Day: 9}, Orders: 1, Revenue: 3800},
			{Date: report.Date{Year: 2026, Month: 3, Day: 10}, Orders: 6, Revenue: 19000},
			{Date: report.Date{Year: 2026, Month: 3, Day: 11}, Orders: 1, Revenue: 15000},
		}
		sameJSON(t, "days", rep.Days, want)
		if rep.OrdersPlaced != 8 || rep.NewCustomers != 4 || rep.ReturningCustomers != 0 {
			t.Errorf("3-day range: placed %d new %d returning %d, want 8, 4, 0", rep.OrdersPlaced, rep.NewCustomers, rep.ReturningCustomers)
		}
	})
}

// TestReportEmptyRange: a range without orders is zeros, not an error.
func TestReportEmptyRange(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loc := shanghai(t)
		seedReportFixture(t, s, loc)
		rep, err := report.Compute(context.Background(), s, report.Day(report.Date{Year: 2025, Month: 1, Day: 1}, loc))
		must(t, err)
		if rep.OrdersPlaced != 0 || rep.Revenue != 0 || rep.DecisionMinutesP50 != nil || len(rep.ByChannel) != 0 || len(rep.TopProducts) != 0 {
			t.Errorf("empty range: %+v", rep.Summary)
		}
	})
}

// TestReportCustomersByTier: a customer who ordered on two channels counts
// once in the overall figure and once on each channel; customers who did
// not order in the range are not counted.
func TestReportCustomersByTier(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		loc := shanghai(t)
		at := time.Date(2026, 3, 10, 12, 0, 0, 0, loc)
		a, err := s.LockCustomer(ctx, bot.Telegram, "A")
		must(t, err)
		idle, err := s.LockCustomer(ctx, bot.Telegram, "idle")
		must(t, err)
		must(t, s.SaveCustomerTier(ctx, tier.Member{CustomerID: a.ID, Tier: "gold"}))
		must(t, s.SaveCustomerTier(ctx, tier.Member{CustomerID: idle.ID, Tier: "silver"}))
		items := []bot.OrderItem{qty(fxTea, 1)}
		fxOrder(t, s, a, at, items)
		fxOrder(t, s, a, at.Add(time.Hour), items)
		onWeb := a
		onWeb.Channel = bot.WebChat
		fxOrder(t, s, onWeb, at.Add(2*time.Hour), items)
		fxOrder(t, s, idle, at.AddDate(0, 0, -3), items) // outside the range

		rep, err := report.Compute(ctx, s, report.Day(report.Date{Year: 2026, Month: 3, Day: 10}, loc))
		must(t, err)
		want := map[string]int{"regular": 0, "silver": 0, "gold": 1}
		sameJSON(t, "all channels", rep.CustomersByTier, want)
		sameJSON(t, "telegram", rep.Channel(bot.Telegram).CustomersByTier, want)
		sameJSON(t, "web chat", rep.Channel(bot.WebChat).CustomersByTier, want)
		if len(rep.Tiers) != 3 || rep.Tiers[2].NameZH != "金卡" {
			t.Errorf("ladder = %+v, want regular, silver, gold with names", rep.Tiers)
		}
	})
}

func sameJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.MarshalIndent(got, "", " ")
	must(t, err)
	w, err := json.MarshalIndent(want, "", " ")
	must(t, err)
	if string(g) != string(w) {
		t.Errorf("%s:\ngot  %s\nwant %s", what, g, w)
	}
}

package report

import (
	"math"
	"slices"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// This file is the one place where the KPIs are defined; README's table
// describes the same definitions. Every KPI counts the orders placed
// (created) during the range, whatever happened to them since, except the
// after-sales rates, which count requests filed during the range.

// revenueStatuses are the statuses of an order that earns revenue:
// confirmed and every later step except cancellation.
var revenueStatuses = []string{string(bot.Confirmed), string(bot.Shipped), string(bot.Delivered), string(bot.Completed)}

// refundTypes are the after-sales types whose resolution gives the customer
// their money back. Requests carry no amount yet, so a resolved one refunds
// the whole order.
var refundTypes = []string{string(bot.Refund), string(bot.Return)}

// TopN is how many products the top lists keep.
const TopN = 10

// Summary is the KPIs of one range, for all channels (Channel "") or one.
type Summary struct {
	From     string `json:"from"`
	To       string `json:"to"`
	Timezone string `json:"timezone"`
	Channel  string `json:"channel"`

	OrdersPlaced    int `json:"orders_placed"`
	OrdersConfirmed int `json:"orders_confirmed"`
	OrdersRejected  int `json:"orders_rejected"`
	OrdersCancelled int `json:"orders_cancelled"`

	Revenue           int64 `json:"revenue"`
	Refunds           int64 `json:"refunds"`
	AverageOrderValue int64 `json:"average_order_value"`

	DecisionMinutesP50 *float64 `json:"decision_minutes_p50"`
	DecisionMinutesP90 *float64 `json:"decision_minutes_p90"`
	ShipHoursP50       *float64 `json:"ship_hours_p50"`
	ShipHoursP90       *float64 `json:"ship_hours_p90"`

	CancellationRate float64            `json:"cancellation_rate"`
	AfterSales       map[string]int     `json:"after_sales"`
	AfterSalesRate   map[string]float64 `json:"after_sales_rate"`

	NewCustomers       int     `json:"new_customers"`
	ReturningCustomers int     `json:"returning_customers"`
	RepeatRate         float64 `json:"repeat_rate"`

	TopProducts          []ProductSale `json:"top_products"`
	TopProductsByRevenue []ProductSale `json:"top_products_by_revenue"`

	// CSATAverage is the mean score (1–5, to two decimals) of the surveys
	// sent in the range that were answered; CSATResponseRate the share of
	// those sent that were answered. Both null when none was sent (average:
	// none answered). Surveys go out after delivery and after a resolved
	// after-sales request, so they count by when they were sent.
	CSATAverage      *float64 `json:"csat_average"`
	CSATResponseRate *float64 `json:"csat_response_rate"`
	// CustomersByTier counts the customers who placed an order in the range
	// (new and returning alike) by the tier they hold now, every tier of
	// the ladder present. Tiers are not kept as history, so a past range is
	// read with today's tiers: "who bought, by standing now".
	CustomersByTier map[string]int `json:"customers_by_tier"`
}

// tally gathers one channel's (or all channels') facts before they become a
// Summary.
type tally struct {
	placed, confirmed, rejected, cancelled int
	revenueOrders                          int
	gross, refunds                         int64
	decisionMin, shipHours                 []float64
	inRange                                map[int64]int // customer → orders placed in the range
	afterSales                             map[string]int
	products                               map[string]*ProductSale
	surveys                                SurveyCount
	tiers                                  map[string]int // stored tier → customers
}

func newTally() *tally {
	return &tally{inRange: map[int64]int{}, afterSales: map[string]int{}, products: map[string]*ProductSale{}, tiers: map[string]int{}}
}

// addOrder counts one order placed in the range.
func (t *tally) addOrder(o OrderFact) {
	t.placed++
	t.inRange[o.CustomerID]++
	switch bot.OrderStatus(o.Status) {
	case bot.Rejected:
		t.rejected++
	case bot.Cancelled:
		t.cancelled++
	}
	if !o.ConfirmedAt.IsZero() {
		t.confirmed++
	}
	if slices.Contains(revenueStatuses, o.Status) {
		t.revenueOrders++
		t.gross += o.Total
		if o.Refunded {
			t.refunds += o.Total
		}
	}
	if !o.DecidedAt.IsZero() {
		t.decisionMin = append(t.decisionMin, o.DecidedAt.Sub(o.CreatedAt).Minutes())
	}
	if !o.ConfirmedAt.IsZero() && !o.ShippedAt.IsZero() {
		t.shipHours = append(t.shipHours, o.ShippedAt.Sub(o.ConfirmedAt).Hours())
	}
}

func (t *tally) addSale(p ProductSale) {
	cur := t.products[p.SKU]
	if cur == nil {
		cp := p
		cp.Channel = ""
		t.products[p.SKU] = &cp
		return
	}
	cur.Qty += p.Qty
	cur.Revenue += p.Revenue
}

// summary turns the tally into KPIs; prior maps customers to their orders
// before the range; ladder is the shop's tiers, lowest first.
func (t *tally) summary(r Range, channel string, prior map[int64]int, ladder []TierName) Summary {
	s := Summary{
		From: r.From.String(), To: r.To.String(), Timezone: r.Loc.String(), Channel: channel,
		OrdersPlaced: t.placed, OrdersConfirmed: t.confirmed, OrdersRejected: t.rejected, OrdersCancelled: t.cancelled,
		Revenue: t.gross - t.refunds, Refunds: t.refunds,
		DecisionMinutesP50: percentile(t.decisionMin, 50), DecisionMinutesP90: percentile(t.decisionMin, 90),
		ShipHoursP50: percentile(t.shipHours, 50), ShipHoursP90: percentile(t.shipHours, 90),
		CancellationRate: ratio(t.cancelled, t.placed),
		AfterSales:       t.afterSales, AfterSalesRate: map[string]float64{},
	}
	if t.revenueOrders > 0 {
		s.AverageOrderValue = int64(math.Round(float64(s.Revenue) / float64(t.revenueOrders)))
	}
	for typ, n := range t.afterSales {
		if t.placed > 0 {
			s.AfterSalesRate[typ] = ratio(n, t.placed)
		}
	}
	repeat := 0
	for c, n := range t.inRange {
		if prior[c] > 0 {
			s.ReturningCustomers++
		} else {
			s.NewCustomers++
		}
		if prior[c]+n >= 2 {
			repeat++
		}
	}
	s.RepeatRate = ratio(repeat, len(t.inRange))
	s.TopProducts, s.TopProductsByRevenue = top(t.products)
	s.CSATAverage, s.CSATResponseRate = csat(t.surveys)
	s.CustomersByTier = byTier(t.tiers, ladder)
	return s
}

func (t *tally) addSurveys(c SurveyCount) {
	t.surveys.Sent += c.Sent
	t.surveys.Answered += c.Answered
	t.surveys.ScoreSum += c.ScoreSum
}

// csat is the satisfaction KPIs of surveys sent: the average answered
// score, to two decimals, and the share answered.
func csat(c SurveyCount) (average, responseRate *float64) {
	if c.Sent == 0 {
		return nil, nil
	}
	rate := ratio(c.Answered, c.Sent)
	if c.Answered == 0 {
		return nil, &rate
	}
	avg := math.Round(float64(c.ScoreSum)/float64(c.Answered)*100) / 100
	return &avg, &rate
}

// countTiers counts the tally's ordering customers by their stored tier
// ("" for none).
func (t *tally) countTiers(stored map[int64]string) {
	for c := range t.inRange {
		t.tiers[stored[c]]++
	}
}

// byTier puts the customers counted by their stored tier on the ladder: a
// customer without a tier row, or whose tier was since taken off the
// ladder, holds the first tier (as bot/tier reads it). Without a ladder
// the stored names are kept as they are.
func byTier(stored map[string]int, ladder []TierName) map[string]int {
	out := make(map[string]int, len(ladder))
	for _, t := range ladder {
		out[t.Name] = 0
	}
	for name, n := range stored {
		if _, ok := out[name]; !ok && len(ladder) > 0 {
			name = ladder[0].Name
		}
		if name != "" {
			out[name] += n
		}
	}
	return out
}

// top ranks products by quantity and by revenue, ties broken by the other
// figure and then the SKU so the order never depends on map iteration.
func top(ps map[string]*ProductSale) (byQty, byRevenue []ProductSale) {
	all := make([]ProductSale, 0, len(ps))
	for _, p := range ps {
		all = append(all, *p)
	}
	rank := func(key func(ProductSale) (int64, int64)) []ProductSale {
		out := slices.Clone(all)
		slices.SortFunc(out, func(a, b ProductSale) int {
			a1, a2 := key(a)
			b1, b2 := key(b)
			switch {
			case a1 != b1:
				return cmpDesc(a1, b1)
			case a2 != b2:
				return cmpDesc(a2, b2)
			}
			return cmpStr(a.SKU, b.SKU)
		})
		return out[:min(TopN, len(out))]
	}
	byQty = rank(func(p ProductSale) (int64, int64) { return p.Qty, p.Revenue })
	byRevenue = rank(func(p ProductSale) (int64, int64) { return p.Revenue, p.Qty })
	return byQty, byRevenue
}

func cmpDesc(a, b int64) int {
	if a > b {
		return -1
	}
	return 1
}

func cmpStr(a, b string) int {
	if a < b {
		return -1
	}
	if a > b {
		return 1
	}
	return 0
}

// percentile is the nearest-rank percentile p of xs, rounded to a tenth;
// nil when there is no sample, so "none" is not shown as zero.
func percentile(xs []float64, p int) *float64 {
	if len(xs) == 0 {
		return nil
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	i := int(math.Ceil(float64(p)/100*float64(len(s)))) - 1
	v := math.Round(s[max(i, 0)]*10) / 10
	return &v
}

// ratio is n/d rounded to four places, 0 when d is 0.
func ratio(n, d int) float64 {
	if d == 0 {
		return 0
	}
	return math.Round(float64(n)/float64(d)*10000) / 10000
}

// DayPoint is one day of the chart's series.
type DayPoint struct {
	Date    Date
	Orders  int
	Revenue int64
}

// dayIndex is the position in r of the local day of t, or -1.
func dayIndex(r Range, t time.Time) int {
	d := DateOf(t, r.Loc)
	if d.Before(r.From) || r.To.Before(d) {
		return -1
	}
	return Range{From: r.From, To: d, Loc: r.Loc}.Days() - 1
}

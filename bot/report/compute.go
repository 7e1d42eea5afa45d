package report

import (
	"context"
	"fmt"
	"slices"
	"sync"
)

// Report is the KPIs of a range for all channels, the same for each channel
// that had orders or requests, and the range's day-by-day series.
type Report struct {
	Summary
	ByChannel map[string]Summary `json:"by_channel"`
	Days      []DayPoint         `json:"-"`
	// Tiers is the shop's ladder, lowest first, for showing CustomersByTier
	// in order and by name.
	Tiers []TierName `json:"-"`
	rng   Range
}

// Channel is the summary of one channel: zeros for a channel that had no
// orders or requests in the range, not an error.
func (r *Report) Channel(ch string) Summary {
	if s, ok := r.ByChannel[ch]; ok {
		return s
	}
	return newTally().summary(r.rng, ch, nil, r.Tiers)
}

// Channels lists the channels of ByChannel in a stable order.
func (r *Report) Channels() []string {
	out := make([]string, 0, len(r.ByChannel))
	for c := range r.ByChannel {
		out = append(out, c)
	}
	slices.Sort(out)
	return out
}

// Compute reads the range's facts from src and computes its report. The
// reads are independent and run at once: on MySQL each gets its own
// connection, on SQLite they queue for the one connection.
func Compute(ctx context.Context, src Source, r Range) (*Report, error) {
	from, to := r.Start(), r.End()
	var (
		wg                 sync.WaitGroup
		prior              map[int64]int
		sales              []ProductSale
		reqs               []AfterSalesCount
		tiers              map[int64]string
		ladder             []TierName
		priorErr, salesErr error
		reqsErr, tiersErr  error
		surveys            []SurveyCount
		surveysErr         error
	)
	wg.Go(func() { prior, priorErr = src.PriorOrders(ctx, from, to) })
	wg.Go(func() { sales, salesErr = src.ProductSales(ctx, from, to, revenueStatuses) })
	// The survey counts are small: they follow the after-sales counts on
	// that connection rather than take another.
	wg.Go(func() {
		if reqs, reqsErr = src.AfterSalesCounts(ctx, from, to); reqsErr == nil {
			surveys, surveysErr = src.SurveyCounts(ctx, from, to)
		}
	})
	wg.Go(func() {
		if ladder, tiersErr = src.TierLadder(ctx); tiersErr == nil {
			tiers, tiersErr = src.OrderingCustomerTiers(ctx, from, to)
		}
	})
	all, chans, days, ordersErr := tallyOrders(ctx, src, r)
	wg.Wait()
	switch {
	case ordersErr != nil:
		return nil, fmt.Errorf("report orders: %w", ordersErr)
	case priorErr != nil:
		return nil, fmt.Errorf("report customers: %w", priorErr)
	case salesErr != nil:
		return nil, fmt.Errorf("report products: %w", salesErr)
	case reqsErr != nil:
		return nil, fmt.Errorf("report after-sales: %w", reqsErr)
	case surveysErr != nil:
		return nil, fmt.Errorf("report surveys: %w", surveysErr)
	case tiersErr != nil:
		return nil, fmt.Errorf("report tiers: %w", tiersErr)
	}
	of := func(ch string) *tally {
		if chans[ch] == nil {
			chans[ch] = newTally()
		}
		return chans[ch]
	}
	for _, p := range sales {
		all.addSale(p)
		of(p.Channel).addSale(p)
	}
	for _, a := range reqs {
		all.afterSales[a.Type] += a.N
		of(a.Channel).afterSales[a.Type] += a.N
	}
	for _, c := range surveys {
		all.addSurveys(c)
		of(c.Channel).addSurveys(c)
	}
	// Customers are counted once per tally: once overall, once on each
	// channel they ordered on.
	all.countTiers(tiers)
	for _, t := range chans {
		t.countTiers(tiers)
	}
	rep := &Report{Summary: all.summary(r, "", prior, ladder), ByChannel: map[string]Summary{}, Days: days, Tiers: ladder, rng: r}
	for ch, t := range chans {
		rep.ByChannel[ch] = t.summary(r, ch, prior, ladder)
	}
	return rep, nil
}

// tallyOrders counts the orders of r overall, per channel and per day.
func tallyOrders(ctx context.Context, src Source, r Range) (*tally, map[string]*tally, []DayPoint, error) {
	all, chans := newTally(), map[string]*tally{}
	days := make([]DayPoint, r.Days())
	for i, d := range r.Dates() {
		days[i].Date = d
	}
	err := src.OrderFacts(ctx, r.Start(), r.End(), refundTypes, func(o OrderFact) error {
		all.addOrder(o)
		if chans[o.Channel] == nil {
			chans[o.Channel] = newTally()
		}
		chans[o.Channel].addOrder(o)
		if i := dayIndex(r, o.CreatedAt); i >= 0 {
			days[i].Orders++
			days[i].Revenue += netRevenue(o)
		}
		return nil
	})
	return all, chans, days, err
}

// netRevenue is what one order adds to revenue, by the same rule as
// Summary.Revenue.
func netRevenue(o OrderFact) int64 {
	if !slices.Contains(revenueStatuses, o.Status) || o.Refunded {
		return 0
	}
	return o.Total
}

// ChartDays is how many days the chart shows at least.
const ChartDays = 30

// ChartRange is the range a report's chart shows: the range itself when it
// is long enough, otherwise the ChartDays days ending with its last day.
func ChartRange(r Range) Range {
	if r.Days() >= ChartDays {
		return r
	}
	return Range{From: r.To.AddDays(1 - ChartDays), To: r.To, Loc: r.Loc}
}

// Compare computes the report of r and, when r is a single day, the reports
// of the day before and of the same weekday a week before.
func Compare(ctx context.Context, src Source, r Range) (Comparison, error) {
	var c Comparison
	var err error
	if c.Report, err = Compute(ctx, src, r); err != nil {
		return c, err
	}
	if r.Days() != 1 {
		return c, nil
	}
	if c.DayBefore, err = Compute(ctx, src, Day(r.From.AddDays(-1), r.Loc)); err != nil {
		return c, err
	}
	if c.WeekBefore, err = Compute(ctx, src, Day(r.From.AddDays(-7), r.Loc)); err != nil {
		return c, err
	}
	return c, nil
}

package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// metric is one line of the text report: its label per language and how to
// read and show it from a summary.
type metric struct {
	zh, en string
	value  func(Summary) float64
	show   func(v float64, currency string) string
}

func number(v float64, _ string) string { return fmt.Sprintf("%.0f", v) }
func money(v float64, cur string) string {
	return fmt.Sprintf("%s%.2f", cur, v/100)
}
func percent(v float64, _ string) string { return fmt.Sprintf("%.1f%%", v*100) }
func minutes(v float64, _ string) string { return fmt.Sprintf("%.1f min", v) }
func hours(v float64, _ string) string   { return fmt.Sprintf("%.1f h", v) }
func score(v float64, _ string) string   { return fmt.Sprintf("%.2f / 5", v) }

func orZero(p *float64) float64 {
	if p == nil {
		return 0
	}
	return *p
}

var metrics = []metric{
	{"下单", "orders placed", func(s Summary) float64 { return float64(s.OrdersPlaced) }, number},
	{"已确认", "confirmed", func(s Summary) float64 { return float64(s.OrdersConfirmed) }, number},
	{"已拒绝", "rejected", func(s Summary) float64 { return float64(s.OrdersRejected) }, number},
	{"已取消", "cancelled", func(s Summary) float64 { return float64(s.OrdersCancelled) }, number},
	{"收入", "revenue", func(s Summary) float64 { return float64(s.Revenue) }, money},
	{"退款", "refunds", func(s Summary) float64 { return float64(s.Refunds) }, money},
	{"客单价", "average order", func(s Summary) float64 { return float64(s.AverageOrderValue) }, money},
	{"审核用时中位数", "decision time p50", func(s Summary) float64 { return orZero(s.DecisionMinutesP50) }, minutes},
	{"审核用时 P90", "decision time p90", func(s Summary) float64 { return orZero(s.DecisionMinutesP90) }, minutes},
	{"发货用时中位数", "ship time p50", func(s Summary) float64 { return orZero(s.ShipHoursP50) }, hours},
	{"取消率", "cancellation rate", func(s Summary) float64 { return s.CancellationRate }, percent},
	{"新客户", "new customers", func(s Summary) float64 { return float64(s.NewCustomers) }, number},
	{"回头客", "returning customers", func(s Summary) float64 { return float64(s.ReturningCustomers) }, number},
	{"复购率", "repeat rate", func(s Summary) float64 { return s.RepeatRate }, percent},
	{"满意度", "satisfaction", func(s Summary) float64 { return orZero(s.CSATAverage) }, score},
	{"评价回复率", "survey response rate", func(s Summary) float64 { return orZero(s.CSATResponseRate) }, percent},
}

// tierMetrics are the customers_by_tier lines, one per tier of the ladder
// in its order, named as staff see tiers elsewhere.
func tierMetrics(ladder []TierName) []metric {
	out := make([]metric, len(ladder))
	for i, t := range ladder {
		name := t.Name
		out[i] = metric{
			zh: "下单客户·" + cmpOr(t.NameZH, t.Name), en: "customers · " + cmpOr(t.NameEN, t.Name),
			value: func(s Summary) float64 { return float64(s.CustomersByTier[name]) },
			show:  number,
		}
	}
	return out
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// Comparison is a report with the reports it is compared against; either
// may be nil.
type Comparison struct {
	Report, DayBefore, WeekBefore *Report
}

// Line is one KPI as staff read it, in one language: its label, its value
// and its change against the day before and the same weekday a week before
// ("↑2", "↓¥3.00", "=", or "" when there is nothing to compare with).
type Line struct {
	Label, Value, VsDayBefore, VsWeekBefore string
}

// Lines are the KPIs of c's report in lang ("zh" or "en"), in the order and
// words of the daily report, for the chat, the terminal and the console.
func Lines(lang, currency string, c Comparison) []Line {
	zh := lang != "en"
	s := c.Report.Summary
	ms := append(slices.Clone(metrics), tierMetrics(c.Report.Tiers)...)
	out := make([]Line, len(ms))
	for i, m := range ms {
		label := m.en
		if zh {
			label = m.zh
		}
		v := m.value(s)
		out[i] = Line{Label: label, Value: m.show(v, currency),
			VsDayBefore: delta(m, v, c.DayBefore, currency), VsWeekBefore: delta(m, v, c.WeekBefore, currency)}
	}
	return out
}

// CompareLabels are the names of the two comparisons in lang.
func CompareLabels(lang string) (dayBefore, weekBefore string) {
	if lang == "en" {
		return "vs day before", "vs last week"
	}
	return "较前日", "较上周同日"
}

// WriteText writes the report as staff read it in chat or a terminal, in
// lang ("zh" or "en"), each KPI with arrows against the day before and the
// same weekday a week before when those are given.
func WriteText(w io.Writer, shop, currency, lang string, c Comparison) error {
	zh := lang != "en"
	s := c.Report.Summary
	var b strings.Builder
	if zh {
		fmt.Fprintf(&b, "%s 报告 %s", shop, span(s))
	} else {
		fmt.Fprintf(&b, "%s report %s", shop, span(s))
	}
	fmt.Fprintf(&b, " (%s)\n", s.Timezone)
	dayLabel, weekLabel := CompareLabels(lang)
	for _, l := range Lines(lang, currency, c) {
		fmt.Fprintf(&b, "%s: %s", l.Label, l.Value)
		if l.VsDayBefore != "" {
			fmt.Fprintf(&b, "  %s %s", dayLabel, l.VsDayBefore)
		}
		if l.VsWeekBefore != "" {
			fmt.Fprintf(&b, "  %s %s", weekLabel, l.VsWeekBefore)
		}
		b.WriteByte('\n')
	}
	writeTop(&b, s, currency, zh)
	_, err := io.WriteString(w, b.String())
	return err
}

func span(s Summary) string {
	if s.From == s.To {
		return s.From
	}
	return s.From + " – " + s.To
}

// delta is "↑2" (or ↓, or = when equal), empty without a report to
// compare with.
func delta(m metric, v float64, other *Report, currency string) string {
	if other == nil {
		return ""
	}
	d := v - m.value(other.Summary)
	switch {
	case d > 0:
		return "↑" + m.show(d, currency)
	case d < 0:
		return "↓" + m.show(-d, currency)
	}
	return "="
}

func writeTop(b *strings.Builder, s Summary, currency string, zh bool) {
	if len(s.TopProducts) == 0 {
		return
	}
	if zh {
		b.WriteString("畅销商品:\n")
	} else {
		b.WriteString("top products:\n")
	}
	for i, p := range s.TopProducts {
		name := p.Name
		if zh && p.NameZH != "" {
			name = p.NameZH
		}
		fmt.Fprintf(b, "%d. %s (%s) ×%d %s\n", i+1, name, p.SKU, p.Qty, money(float64(p.Revenue), currency))
	}
}

// OfChannel is the comparison narrowed to one channel ("" keeps all).
func (c Comparison) OfChannel(ch string) Comparison {
	if ch == "" {
		return c
	}
	narrow := func(r *Report) *Report {
		if r == nil {
			return nil
		}
		cp := *r
		cp.Summary = r.Channel(ch)
		return &cp
	}
	return Comparison{Report: narrow(c.Report), DayBefore: narrow(c.DayBefore), WeekBefore: narrow(c.WeekBefore)}
}

package report

import (
	"fmt"
	"io"
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

// Comparison is a report with the reports it is compared against; either
// may be nil.
type Comparison struct {
	Report, DayBefore, WeekBefore *Report
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
	for _, m := range metrics {
		label := m.en
		if zh {
			label = m.zh
		}
		v := m.value(s)
		fmt.Fprintf(&b, "%s: %s", label, m.show(v, currency))
		b.WriteString(delta(m, v, c.DayBefore, currency, zh, "较前日", "vs day before"))
		b.WriteString(delta(m, v, c.WeekBefore, currency, zh, "较上周同日", "vs last week"))
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

// delta is "  ↑2 vs day before" (or ↓, or = when equal), empty without a
// report to compare with.
func delta(m metric, v float64, other *Report, currency string, zh bool, zhLabel, enLabel string) string {
	if other == nil {
		return ""
	}
	label := enLabel
	if zh {
		label = zhLabel
	}
	d := v - m.value(other.Summary)
	switch {
	case d > 0:
		return fmt.Sprintf("  %s ↑%s", label, m.show(d, currency))
	case d < 0:
		return fmt.Sprintf("  %s ↓%s", label, m.show(-d, currency))
	}
	return fmt.Sprintf("  %s =", label)
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

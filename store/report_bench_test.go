package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot/report"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// benchOrders is how many orders the report benchmarks seed, over benchDays.
const (
	benchOrders    = 100_000
	benchCustomers = 20_000
	benchDays      = 30
)

// seedBulk fills a fresh MySQL database with benchOrders orders placed over
// the benchDays local days ending 2026-03-10 (two items each; most
// confirmed, some shipped, rejected or cancelled), in multi-row INSERTs.
func seedBulk(b *testing.B) (*store.Store, report.Range) {
	b.Helper()
	return seedBulkHistory(b, 0)
}

// seedBulkHistory is seedBulk with the shop's past before the range:
// months copies of its orders and their items, each placed benchDays
// earlier than the one after, by the same customers.
func seedBulkHistory(b *testing.B, months int) (*store.Store, report.Range) {
	b.Helper()
	dsn := storetest.DSN(b, "mysql")
	db, err := sql.Open("mysql", strings.TrimPrefix(dsn, "mysql:"))
	must(b, err)
	defer db.Close()
	loc := shanghai(b)
	r := report.Range{From: report.Date{Year: 2026, Month: 2, Day: 9}, To: report.Date{Year: 2026, Month: 3, Day: 10}, Loc: loc}
	start, span := r.Start().UTC(), r.End().Sub(r.Start())
	ts := func(t time.Time) string { return t.UTC().Format("'2006-01-02 15:04:05.000'") }

	bulk(b, db, "INSERT INTO customers (id, channel, user_id, display_name, name, phone, address, lang, unreachable, created_at, updated_at) VALUES",
		benchCustomers, func(i int) string {
			return fmt.Sprintf("(%d,'telegram','u%d','','','','','zh',0,%s,%s)", i+1, i, ts(start), ts(start))
		})
	// Every fifth customer has a tier row: one in five of those gold, the
	// rest silver; the others hold the first tier.
	bulk(b, db, "INSERT INTO customer_tiers (customer_id, tier, pinned, spend, orders, updated_at) VALUES",
		benchCustomers/5, func(i int) string {
			t := "silver"
			if i%5 == 0 {
				t = "gold"
			}
			return fmt.Sprintf("(%d,'%s',0,0,0,%s)", 5*i+1, t, ts(start))
		})
	statuses := []string{"confirmed", "shipped", "delivered", "completed", "rejected", "cancelled", "pending", "shipped"}
	created := func(i int) time.Time { return start.Add(span / benchOrders * time.Duration(i)) }
	bulk(b, db, "INSERT INTO orders (id, number, customer_id, channel, status, total, contact_name, contact_phone, contact_address, reject_reason, carrier, tracking, cancel_requested, version, created_at, updated_at) VALUES",
		benchOrders, func(i int) string {
			return fmt.Sprintf("(%d,'%d',%d,'telegram','%s',%d,'','','','','','',0,1,%s,%s)",
				i+1, 100001+i, i*7919%benchCustomers+1, statuses[i%len(statuses)], 3800+i%5*1000, ts(created(i)), ts(created(i)))
		})
	bulk(b, db, "INSERT INTO order_items (order_id, sku, name, name_zh, unit_price, qty) VALUES",
		2*benchOrders, func(j int) string {
			return fmt.Sprintf("(%d,'SKU-%d','Product %d','商品%d',1900,%d)", j/2+1, j%40, j%40, j%40, 1+j%3)
		})
	bulk(b, db, "INSERT INTO order_history (order_id, from_status, to_status, changed_at, actor, note) VALUES",
		2*benchOrders, func(j int) string {
			i := j / 2
			st, at := statuses[i%len(statuses)], created(i).Add(time.Duration(5+i%90)*time.Minute)
			switch {
			case j%2 == 0 && st != "pending" && st != "cancelled":
				to := "confirmed"
				if st == "rejected" {
					to = "rejected"
				}
				return fmt.Sprintf("(%d,'pending','%s',%s,'staff','')", i+1, to, ts(at))
			case j%2 == 1 && (st == "shipped" || st == "delivered" || st == "completed"):
				return fmt.Sprintf("(%d,'confirmed','shipped',%s,'staff','')", i+1, ts(at.Add(time.Duration(1+i%48)*time.Hour)))
			}
			return fmt.Sprintf("(%d,'','pending',%s,'customer','')", i+1, ts(created(i)))
		})
	for k := 1; k <= months; k++ {
		_, err = db.Exec(fmt.Sprintf(`INSERT INTO orders (id, number, customer_id, channel, status, total, contact_name, contact_phone,
	contact_address, reject_reason, carrier, tracking, cancel_requested, version, created_at, updated_at)
SELECT id + %[1]d, CONCAT('h%[2]d-', number), customer_id, channel, status, total, contact_name, contact_phone,
	contact_address, reject_reason, carrier, tracking, cancel_requested, version,
	created_at - INTERVAL %[3]d DAY, updated_at - INTERVAL %[3]d DAY FROM orders WHERE id <= %[4]d`, k*benchOrders, k, k*benchDays, benchOrders))
		must(b, err)
		_, err = db.Exec(fmt.Sprintf(`INSERT INTO order_items (order_id, sku, name, name_zh, unit_price, qty)
SELECT order_id + %d, sku, name, name_zh, unit_price, qty FROM order_items WHERE order_id <= %d`, k*benchOrders, benchOrders))
		must(b, err)
	}
	_, err = db.Exec("ANALYZE TABLE customers, customer_tiers, orders, order_items, order_history, after_sales")
	must(b, err)
	s, err := store.Open(context.Background(), dsn, storetest.Logger(b))
	must(b, err)
	b.Cleanup(func() { s.Close() })
	return s, r
}

// bulk inserts n rows made by row, 2,000 to a statement.
func bulk(b *testing.B, db *sql.DB, insert string, n int, row func(int) string) {
	b.Helper()
	const batch = 2000
	for lo := 0; lo < n; lo += batch {
		var sb strings.Builder
		sb.WriteString(insert)
		for i := lo; i < min(lo+batch, n); i++ {
			if i > lo {
				sb.WriteByte(',')
			}
			sb.WriteString(row(i))
		}
		_, err := db.Exec(sb.String())
		must(b, err)
	}
}

// BenchmarkReport30Days computes a 30-day report over 100,000 orders on
// MySQL (run with ORDERBOT_TEST_MYSQL_DSN set).
func BenchmarkReport30Days(b *testing.B) {
	s, r := seedBulk(b)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		rep, err := report.Compute(ctx, s, r)
		must(b, err)
		if rep.OrdersPlaced != benchOrders {
			b.Fatalf("placed = %d, want %d", rep.OrdersPlaced, benchOrders)
		}
		if n := rep.CustomersByTier["gold"]; n != benchCustomers/25 {
			b.Fatalf("gold customers = %d, want %d", n, benchCustomers/25)
		}
	}
}

// historyMonths is how many earlier months of orders the history
// benchmarks put before the range.
const historyMonths = 5

// BenchmarkReport30DaysWithHistory is BenchmarkReport30Days in a shop
// with historyMonths months of orders before the range (600,000 in all):
// a report must cost what its range holds, not what the shop ever sold,
// and the customers' earlier orders must be counted from their index.
func BenchmarkReport30DaysWithHistory(b *testing.B) {
	s, r := seedBulkHistory(b, historyMonths)
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		rep, err := report.Compute(ctx, s, r)
		must(b, err)
		if rep.OrdersPlaced != benchOrders || rep.NewCustomers != 0 {
			b.Fatalf("placed = %d, want %d; new customers = %d, want 0", rep.OrdersPlaced, benchOrders, rep.NewCustomers)
		}
	}
}

// BenchmarkExportOrders exports the items of the first quarter of the
// orders and of all 100,000 (200,000 items) as CSV and XLSX, and reports
// the peak heap seen while each ran: flat means the same for both sizes.
func BenchmarkExportOrders(b *testing.B) {
	s, r := seedBulk(b)
	quarter := report.Range{From: r.From, To: r.From.AddDays(benchDays/4 - 1), Loc: r.Loc}
	for _, format := range []string{"csv", "xlsx"} {
		for _, rr := range []struct {
			name string
			r    report.Range
		}{{"quarter", quarter}, {"all", r}} {
			b.Run(format+"-"+rr.name, func(b *testing.B) {
				for b.Loop() {
					runtime.GC()
					peak := watchHeap()
					must(b, report.Export(context.Background(), s, "orders", format, rr.r.Start(), rr.r.End(), rr.r.Loc, io.Discard))
					b.ReportMetric(float64(peak())/(1<<20), "peak-heap-MB")
				}
			})
		}
	}
}

// watchHeap samples the heap in use every 5 ms until the returned function
// is called, which gives the highest sample.
func watchHeap() func() uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		var m runtime.MemStats
		for {
			runtime.ReadMemStats(&m)
			if m.HeapInuse > peak.Load() {
				peak.Store(m.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	return func() uint64 { close(done); <-stopped; return peak.Load() }
}

// BenchmarkReportPlans logs each report query's time and EXPLAIN over the
// seeded 100,000 orders.
func BenchmarkReportPlans(b *testing.B) { reportPlans(b, 0) }

// BenchmarkReportPlansWithHistory is BenchmarkReportPlans with
// historyMonths months of orders before the range.
func BenchmarkReportPlansWithHistory(b *testing.B) { reportPlans(b, historyMonths) }

func reportPlans(b *testing.B, months int) {
	s, r := seedBulkHistory(b, months)
	for b.Loop() {
		plans, err := store.ExplainReport(context.Background(), s, r.Start(), r.End(),
			[]string{"refund", "return"}, []string{"confirmed", "shipped", "delivered", "completed"})
		must(b, err)
		fmt.Println(plans) // b.Log truncates long output
	}
}

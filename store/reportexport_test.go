package store_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/orderbot/orderbot/bot/report"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func exportCSV(t *testing.T, s *store.Store, kind string, r report.Range) [][]string {
	t.Helper()
	var buf bytes.Buffer
	must(t, report.Export(context.Background(), s, kind, "csv", r.Start(), r.End(), r.Loc, &buf))
	if !bytes.HasPrefix(buf.Bytes(), []byte("\xEF\xBB\xBF")) {
		t.Fatalf("%s CSV has no UTF-8 byte-order mark", kind)
	}
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	must(t, err)
	return rows
}

func TestExports(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		loc := shanghai(t)
		seedReportFixture(t, s, loc)
		day := report.Day(report.Date{Year: 2026, Month: 3, Day: 10}, loc)

		orders := exportCSV(t, s, "orders", day)
		if len(orders) != 1+7 || strings.Join(orders[0], ",") != strings.Join(report.OrderColumns, ",") {
			t.Fatalf("orders export: %d rows, header %v; want 7 items of 6 orders", len(orders)-1, orders[0])
		}
		first := strings.Join(orders[1], "|")
		if !strings.Contains(first, "|2026-03-10 00:00:30|shipped|telegram|") || !strings.Contains(first, "|TEA-1|Green tea|绿茶|2|3800|7600|7600") {
			t.Errorf("first order row = %s", first)
		}

		customers := exportCSV(t, s, "customers", day)
		want := []string{
			"telegram||||2|11400|2026-03-09 23:59:30|2026-03-10 00:00:30", // A: o0 and o1
			"telegram||||2|0|2026-03-10 09:00:00|2026-03-10 12:00:00",
			"slack||||2|33800|2026-03-10 15:00:00|2026-03-10 16:00:00",
			"wechat||||2|26400|2026-03-10 23:59:30|2026-03-11 00:00:30", // D: o5 and o6 (the next day)
		}
		if len(customers) != 1+len(want) {
			t.Fatalf("customers export: %v", customers)
		}
		for i, w := range want {
			if got := strings.Join(customers[i+1][1:], "|"); got != w {
				t.Errorf("customer row %d = %s, want %s", i, got, w)
			}
		}

		reqs := exportCSV(t, s, "after-sales", day)
		if len(reqs) != 3 || reqs[1][5] != "complaint" || reqs[2][5] != "refund" || reqs[2][1] != "2026-03-10 20:00:00" {
			t.Errorf("after-sales export: %v", reqs)
		}

		var buf bytes.Buffer
		must(t, report.Export(context.Background(), s, "orders", "xlsx", day.Start(), day.End(), loc, &buf))
		f, err := excelize.OpenReader(&buf)
		must(t, err)
		defer f.Close()
		rows, err := f.GetRows("orders")
		must(t, err)
		if len(rows) != 8 || rows[1][10] != "绿茶" || rows[1][1] != "2026-03-10 00:00:30" {
			t.Errorf("xlsx orders: %d rows, first %v", len(rows), rows[1])
		}
	})
}

package main

import (
	"bytes"
	"testing"

	"github.com/orderbot/orderbot/store/storetest"
)

// TestServedDashboard: serve wires the console's dashboard to the store,
// with its chart and downloads.
func TestServedDashboard(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	s := startServer(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DEMO": "true"})
	u := s.newUser()
	u.login("demo", "demo")
	if page := u.get("/staff/reports", 200); !bytes.Contains(page, []byte("下单客户·普通")) {
		t.Errorf("dashboard:\n%s", page)
	}
	if png := u.get("/staff/reports/chart.png", 200); !bytes.HasPrefix(png, []byte("\x89PNG")) {
		t.Errorf("chart is not a PNG: %.16q", png)
	}
	if csv := u.get("/staff/reports/exports/orders.csv?from=2026-01-01&to=2026-01-31", 200); !bytes.HasPrefix(csv, []byte("\uFEFForder_number,")) {
		t.Errorf("export: %.40q", csv)
	}
	u.get("/staff/reports?from=2026-02-01&to=2026-01-01", 400)
}

package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

// rowsSource serves fixed after-sales rows.
type rowsSource struct{ rows [][]any }

func (s rowsSource) ExportOrderItems(context.Context, time.Time, time.Time, *time.Location, func([]any) error) error {
	return nil
}
func (s rowsSource) ExportCustomers(context.Context, time.Time, time.Time, *time.Location, func([]any) error) error {
	return nil
}
func (s rowsSource) ExportAfterSales(_ context.Context, _, _ time.Time, _ *time.Location, fn func([]any) error) error {
	for _, r := range s.rows {
		if err := fn(r); err != nil {
			return err
		}
	}
	return nil
}

// TestExportDefusesFormulas: text a customer typed cannot become a formula
// in the spreadsheet staff open.
func TestExportDefusesFormulas(t *testing.T) {
	evil := `=HYPERLINK("http://evil.example","click")`
	src := rowsSource{rows: [][]any{{"A1", "2026-03-10 10:00:00", "100001", "telegram", int64(-5), "refund", "submitted", evil, "+1 call me"}}}
	var buf bytes.Buffer
	if err := Export(context.Background(), src, "after-sales", "csv", time.Time{}, time.Time{}, time.UTC, &buf); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(buf.Bytes()[3:])).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[1]; got[7] != "'"+evil || got[8] != "'+1 call me" || got[4] != "-5" || got[0] != "A1" {
		t.Errorf("csv row = %q", got)
	}
	buf.Reset()
	if err := Export(context.Background(), src, "after-sales", "xlsx", time.Time{}, time.Time{}, time.UTC, &buf); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	formula, err := f.GetCellFormula("after-sales", "H2")
	if err != nil || formula != "" {
		t.Errorf("xlsx H2 has formula %q (%v)", formula, err)
	}
	if v, _ := f.GetCellValue("after-sales", "H2"); v != evil {
		t.Errorf("xlsx H2 = %q, want the text as typed", v)
	}
}

func TestExportRefusesUnknownKindAndFormat(t *testing.T) {
	var buf bytes.Buffer
	if err := Export(context.Background(), rowsSource{}, "payments", "csv", time.Time{}, time.Time{}, time.UTC, &buf); err == nil {
		t.Error("unknown export kind accepted")
	}
	if err := Export(context.Background(), rowsSource{}, "orders", "pdf", time.Time{}, time.Time{}, time.UTC, &buf); err == nil {
		t.Error("unknown format accepted")
	}
	if buf.Len() != 0 {
		t.Errorf("refused export wrote %d bytes", buf.Len())
	}
}

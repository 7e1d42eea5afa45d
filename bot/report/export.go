package report

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// ExportSource streams the rows of the exports, placed or filed in
// [from, to), in a stable order. fn gets each row's cells; the slice may be
// reused after fn returns.
type ExportSource interface {
	// ExportOrderItems: one row per order item, in the order of OrderColumns.
	ExportOrderItems(ctx context.Context, from, to time.Time, loc *time.Location, fn func([]any) error) error
	// ExportCustomers: the customers who ordered in the range, with their
	// all-time totals, in the order of CustomerColumns.
	ExportCustomers(ctx context.Context, from, to time.Time, loc *time.Location, fn func([]any) error) error
	// ExportAfterSales: the requests filed in the range, in the order of
	// AfterSalesColumns.
	ExportAfterSales(ctx context.Context, from, to time.Time, loc *time.Location, fn func([]any) error) error
}

// The columns of each export. Money is in minor units (分), as everywhere.
var (
	OrderColumns = []string{"order_number", "created_at", "status", "channel", "customer_id", "contact_name",
		"contact_phone", "contact_address", "sku", "name", "name_zh", "qty", "unit_price", "line_total", "order_total"}
	CustomerColumns = []string{"customer_id", "channel", "name", "phone", "lang", "order_count",
		"total_spent", "first_order_at", "last_order_at"}
	AfterSalesColumns = []string{"number", "created_at", "order_number", "channel", "customer_id", "type",
		"status", "reason", "decision_reason"}
)

// TimeLayout is how exports write times, in the shop's zone.
const TimeLayout = "2006-01-02 15:04:05"

// Export writes the export kind ("orders", "customers", "after-sales") of
// [from, to) to w as format ("csv" or "xlsx"), streaming the rows.
func Export(ctx context.Context, src ExportSource, kind, format string, from, to time.Time, loc *time.Location, w io.Writer) error {
	var cols []string
	var stream func(context.Context, time.Time, time.Time, *time.Location, func([]any) error) error
	switch kind {
	case "orders":
		cols, stream = OrderColumns, src.ExportOrderItems
	case "customers":
		cols, stream = CustomerColumns, src.ExportCustomers
	case "after-sales":
		cols, stream = AfterSalesColumns, src.ExportAfterSales
	default:
		return fmt.Errorf("unknown export %q: want orders, customers or after-sales", kind)
	}
	var sh sheet
	var err error
	switch format {
	case "csv":
		sh, err = newCSVSheet(w)
	case "xlsx":
		sh, err = newXLSXSheet(w, kind)
	default:
		return &FlagError{"format", fmt.Sprintf("%q: want csv or xlsx", format)}
	}
	if err != nil {
		return err
	}
	header := make([]any, len(cols))
	for i, c := range cols {
		header[i] = c
	}
	if err := sh.row(header); err != nil {
		return err
	}
	if err := stream(ctx, from, to, loc, sh.row); err != nil {
		return fmt.Errorf("export %s: %w", kind, err)
	}
	return sh.close()
}

// sheet is one output format.
type sheet interface {
	row(cells []any) error
	close() error
}

type csvSheet struct {
	w   *csv.Writer
	buf []string
}

func newCSVSheet(w io.Writer) (*csvSheet, error) {
	// The byte-order mark makes Excel read the file as UTF-8, so Chinese
	// names are not garbled.
	if _, err := io.WriteString(w, "\uFEFF"); err != nil {
		return nil, err
	}
	return &csvSheet{w: csv.NewWriter(w)}, nil
}

func (s *csvSheet) row(cells []any) error {
	s.buf = s.buf[:0]
	for _, c := range cells {
		if str, ok := c.(string); ok {
			s.buf = append(s.buf, defuse(str))
			continue
		}
		s.buf = append(s.buf, fmt.Sprint(c))
	}
	return s.w.Write(s.buf)
}

// defuse keeps a spreadsheet from reading text as a formula: customers
// write names, addresses and reasons, and "=HYPERLINK(...)" typed into a
// chat must not become a live formula on a staff member's computer. A
// leading apostrophe is how spreadsheets mark text. (XLSX cells are typed
// as strings, so they need nothing.)
func defuse(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func (s *csvSheet) close() error {
	s.w.Flush()
	return s.w.Error()
}

// xlsxSheet writes through excelize's StreamWriter, which keeps rows in a
// temporary file rather than in memory.
type xlsxSheet struct {
	f   *excelize.File
	sw  *excelize.StreamWriter
	w   io.Writer
	n   int
	buf []any
}

func newXLSXSheet(w io.Writer, name string) (*xlsxSheet, error) {
	f := excelize.NewFile()
	if err := f.SetSheetName("Sheet1", name); err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	sw, err := f.NewStreamWriter(name)
	if err != nil {
		return nil, fmt.Errorf("xlsx: %w", err)
	}
	return &xlsxSheet{f: f, sw: sw, w: w}, nil
}

func (s *xlsxSheet) row(cells []any) error {
	s.n++
	cell, err := excelize.CoordinatesToCellName(1, s.n)
	if err != nil {
		return err
	}
	// SetRow keeps the slice until the next row, so pass a copy.
	s.buf = append(s.buf[:0], cells...)
	return s.sw.SetRow(cell, s.buf)
}

func (s *xlsxSheet) close() error {
	defer s.f.Close()
	if err := s.sw.Flush(); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	if err := s.f.Write(s.w); err != nil {
		return fmt.Errorf("xlsx: %w", err)
	}
	return nil
}

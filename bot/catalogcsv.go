package bot

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// catalogColumns is the CSV layout: the first four are required.
func catalogColumns() []string {
	return []string{"sku", "name", "price", "stock", "name_zh", "category", "category_zh",
		"description", "description_zh", "image_url", "active"}
}

// CatalogFile is a parsed catalog CSV: its products and the columns it had.
// Importing it changes only those columns of known products, so a file
// that updates prices cannot blank the Chinese texts it does not carry.
type CatalogFile struct {
	Products []Product
	Columns  []string
}

// keepAbsent returns p with every field whose column the file lacks taken
// from old, the product stored under the same sku.
func (f CatalogFile) keepAbsent(p, old Product) Product {
	has := map[string]bool{}
	for _, c := range f.Columns {
		has[c] = true
	}
	keep := func(col string, dst *string, src string) {
		if !has[col] {
			*dst = src
		}
	}
	keep("name_zh", &p.NameZH, old.NameZH)
	keep("category", &p.Category, old.Category)
	keep("category_zh", &p.CategoryZH, old.CategoryZH)
	keep("description", &p.Description, old.Description)
	keep("description_zh", &p.DescriptionZH, old.DescriptionZH)
	keep("image_url", &p.ImageURL, old.ImageURL)
	if !has["active"] {
		p.Active = old.Active
	}
	return p
}

// LineError is one bad row of a catalog CSV.
type LineError struct {
	Line int
	Err  error
}

// CSVError lists every bad row; when it is returned nothing was imported.
type CSVError struct{ Lines []LineError }

func (e *CSVError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d bad rows, nothing imported:", len(e.Lines))
	for _, l := range e.Lines {
		fmt.Fprintf(&b, "\n  line %d: %v", l.Line, l.Err)
	}
	return b.String()
}

func (e *CSVError) Unwrap() error { return ErrInvalid }

// ParseCatalogCSV reads products from CSV. It reads the whole file and
// reports every bad row by line number, so a shop fixes them all at once.
func ParseCatalogCSV(r io.Reader) (CatalogFile, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	header, err := cr.Read()
	if err != nil {
		return CatalogFile{}, fmt.Errorf("%w: read header: %v", ErrInvalid, err)
	}
	cols, err := headerIndex(header)
	if err != nil {
		return CatalogFile{}, err
	}
	products, err := parseRows(cr, cols)
	if err != nil {
		return CatalogFile{}, err
	}
	f := CatalogFile{Products: products}
	for _, c := range catalogColumns() {
		if _, ok := cols[c]; ok {
			f.Columns = append(f.Columns, c)
		}
	}
	return f, nil
}

func parseRows(cr *csv.Reader, cols map[string]int) ([]Product, error) {
	var (
		products []Product
		bad      CSVError
		seen     = map[string]int{}
	)
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line, _ := cr.FieldPos(0)
		if err != nil {
			bad.Lines = append(bad.Lines, LineError{Line: line, Err: err})
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				continue // a malformed row; the reader resumes at the next one
			}
			break
		}
		p, err := parseProductRow(rec, cols)
		if err == nil {
			if first, dup := seen[p.SKU]; dup {
				err = fmt.Errorf("sku %s already on line %d", p.SKU, first)
			}
		}
		if err != nil {
			bad.Lines = append(bad.Lines, LineError{Line: line, Err: err})
			continue
		}
		seen[p.SKU] = line
		products = append(products, p)
	}
	if len(bad.Lines) > 0 {
		return nil, &bad
	}
	return products, nil
}

func headerIndex(header []string) (map[string]int, error) {
	known := map[string]bool{}
	for _, c := range catalogColumns() {
		known[c] = true
	}
	cols := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(h, "\ufeff")))
		if !known[h] {
			return nil, fmt.Errorf("%w: line 1: unknown column %q", ErrInvalid, h)
		}
		if _, dup := cols[h]; dup {
			return nil, fmt.Errorf("%w: line 1: column %q twice", ErrInvalid, h)
		}
		cols[h] = i
	}
	for _, req := range catalogColumns()[:4] {
		if _, ok := cols[req]; !ok {
			return nil, fmt.Errorf("%w: line 1: missing required column %q", ErrInvalid, req)
		}
	}
	return cols, nil
}

func parseProductRow(rec []string, cols map[string]int) (Product, error) {
	get := func(name string) string {
		if i, ok := cols[name]; ok && i < len(rec) {
			return strings.TrimSpace(rec[i])
		}
		return ""
	}
	if len(rec) != len(cols) {
		return Product{}, fmt.Errorf("has %d fields, the header has %d", len(rec), len(cols))
	}
	price, err := ParsePrice(get("price"))
	if err != nil {
		return Product{}, err
	}
	stock, err := strconv.Atoi(get("stock"))
	if err != nil {
		return Product{}, fmt.Errorf("stock %q is not a whole number", get("stock"))
	}
	active, err := parseActive(get("active"))
	if err != nil {
		return Product{}, err
	}
	p := Product{
		SKU: get("sku"), Name: get("name"), NameZH: get("name_zh"), Category: get("category"),
		CategoryZH: get("category_zh"), Description: get("description"), DescriptionZH: get("description_zh"),
		ImageURL: get("image_url"), Price: price, Stock: stock, Active: active,
	}
	return p, p.Validate()
}

// ParsePrice turns a decimal price such as "38.00" into minor units,
// refusing more than two decimals rather than rounding money.
func ParsePrice(s string) (int64, error) {
	whole, frac, hasFrac := strings.Cut(s, ".")
	if whole == "" || len(frac) > 2 || (hasFrac && frac == "") {
		return 0, fmt.Errorf("price %q must be a decimal with at most 2 decimals", s)
	}
	w, err := strconv.ParseUint(whole, 10, 40)
	if err != nil {
		return 0, fmt.Errorf("price %q must be a non-negative decimal", s)
	}
	var f uint64
	if frac != "" {
		if f, err = strconv.ParseUint(frac, 10, 8); err != nil {
			return 0, fmt.Errorf("price %q must be a non-negative decimal", s)
		}
		if len(frac) == 1 {
			f *= 10
		}
	}
	return int64(w*100 + f), nil
}

func parseActive(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "", "1", "true", "yes", "y":
		return true, nil
	case "0", "false", "no", "n":
		return false, nil
	}
	return false, fmt.Errorf("active %q must be true or false", s)
}

// money is a price as the catalog file writes it: 38.00, without currency.
func money(minor int64) string { return fmt.Sprintf("%d.%02d", minor/100, minor%100) }

// WriteCatalogCSV writes products in the format ParseCatalogCSV reads. It
// starts with a UTF-8 byte order mark, without which Excel reads the file
// in the system's legacy code page and garbles the Chinese.
func WriteCatalogCSV(w io.Writer, ps []Product) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return fmt.Errorf("write catalog: %w", err)
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(catalogColumns()); err != nil {
		return fmt.Errorf("write catalog: %w", err)
	}
	for _, p := range ps {
		row := []string{p.SKU, p.Name, money(p.Price), strconv.Itoa(p.Stock), p.NameZH, p.Category,
			p.CategoryZH, p.Description, p.DescriptionZH, p.ImageURL, strconv.FormatBool(p.Active)}
		if err := cw.Write(row); err != nil {
			return fmt.Errorf("write catalog: %w", err)
		}
	}
	cw.Flush()
	return cw.Error()
}

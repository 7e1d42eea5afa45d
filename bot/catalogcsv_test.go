package bot

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"
)

func TestParsePrice(t *testing.T) {
	cases := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"38.00", 3800, true}, {"38", 3800, true}, {"38.5", 3850, true}, {"0.99", 99, true},
		{"38.123", 0, false}, {"-1", 0, false}, {"1e3", 0, false}, {"", 0, false}, {"38.", 0, false},
		{".5", 0, false}, {"1,000", 0, false}, {"12.3a", 0, false},
	}
	for _, c := range cases {
		got, err := ParsePrice(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("ParsePrice(%q) = %d, %v; want %d ok=%v", c.in, got, err, c.want, c.ok)
		}
	}
}

func TestParseCatalogCSV(t *testing.T) {
	good := "sku,name,price,stock,name_zh,category,active\nT1,Green tea,38.00,10,绿茶,Tea,true\nT2,\"Black, strong\",12.5,0,,Tea,no\n"
	f, err := ParseCatalogCSV(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	ps := f.Products
	if want := []string{"sku", "name", "price", "stock", "name_zh", "category", "active"}; !slices.Equal(f.Columns, want) {
		t.Errorf("columns %v, want %v", f.Columns, want)
	}
	if len(ps) != 2 || ps[0].Price != 3800 || ps[0].NameZH != "绿茶" || !ps[0].Active || ps[1].Name != "Black, strong" || ps[1].Active {
		t.Fatalf("got %+v", ps)
	}

	bad := "sku,name,price,stock\nT1,Tea,38.001,1\nT2,Tea,1.00,-3\nT3,Tea,1.00,2\nT3,Tea again,1.00,2\n,NoSku,1,1\nT5,Tea,1.00\n"
	_, err = ParseCatalogCSV(strings.NewReader(bad))
	var csvErr *CSVError
	if !errors.As(err, &csvErr) || !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %v", err)
	}
	var lines []int
	for _, l := range csvErr.Lines {
		lines = append(lines, l.Line)
	}
	if want := []int{2, 3, 5, 6, 7}; !slices.Equal(lines, want) {
		t.Fatalf("bad lines %v, want %v (%v)", lines, want, err)
	}

	for _, header := range []string{"sku,name,price\n", "sku,name,price,stock,colour\n", ""} {
		if _, err := ParseCatalogCSV(strings.NewReader(header)); !errors.Is(err, ErrInvalid) {
			t.Errorf("header %q: got %v", header, err)
		}
	}
}

func TestCatalogCSVRoundTrip(t *testing.T) {
	in := []Product{{SKU: "A", Name: "Tea, green", NameZH: "绿茶", Category: "Tea", CategoryZH: "茶",
		Price: 1205, Stock: 3, Active: true, Description: "line1\nline2", DescriptionZH: "明前，\"新茶\"",
		ImageURL: "https://shop.example/a.jpg"}}
	var buf bytes.Buffer
	if err := WriteCatalogCSV(&buf, in); err != nil {
		t.Fatal(err)
	}
	// Excel needs the byte order mark to read the file as UTF-8.
	if !bytes.HasPrefix(buf.Bytes(), []byte("\xef\xbb\xbfsku,")) {
		t.Fatalf("export does not start with a UTF-8 BOM: %q", buf.Bytes()[:8])
	}
	f, err := ParseCatalogCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if out := f.Products; len(out) != 1 || out[0] != in[0] {
		t.Fatalf("round trip: got %+v, want %+v", f.Products, in)
	}
}

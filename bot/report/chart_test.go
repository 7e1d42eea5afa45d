package report

import (
	"bytes"
	"image"
	"image/png"
	"testing"

	"golang.org/x/image/font/sfnt"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

func charter(t *testing.T, lang string) *Charter {
	t.Helper()
	c, err := NewCharter(lang)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func thirtyDays(orders int) []DayPoint {
	r := Range{From: Date{2026, 2, 9}, To: Date{2026, 3, 10}}
	days := make([]DayPoint, 0, 30)
	for i, d := range r.Dates() {
		days = append(days, DayPoint{Date: d, Orders: orders * (i % 7), Revenue: int64(orders*(i%5)) * 3800})
	}
	return days
}

func decodeChart(t *testing.T, c *Charter, days []DayPoint) image.Image {
	t.Helper()
	var buf bytes.Buffer
	if err := c.WritePNG(&buf, "茶叶小铺", "¥", days); err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(&buf)
	if err != nil {
		t.Fatalf("chart is not a PNG: %v", err)
	}
	if b := img.Bounds(); b.Dx() != ChartWidth || b.Dy() != ChartHeight {
		t.Fatalf("chart is %dx%d, want %dx%d", b.Dx(), b.Dy(), ChartWidth, ChartHeight)
	}
	return img
}

// count is the number of pixels of img in r that match.
func count(img image.Image, r image.Rectangle, match func(r, g, b uint32) bool) int {
	n := 0
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			cr, cg, cb, _ := img.At(x, y).RGBA()
			if match(cr>>8, cg>>8, cb>>8) {
				n++
			}
		}
	}
	return n
}

func blue(r, g, b uint32) bool   { return b > 200 && r < 100 }
func red(r, g, b uint32) bool    { return r > 180 && g < 80 && b < 80 }
func violet(r, g, b uint32) bool { return r > 0x70 && r < 0xa0 && g > 0x40 && g < 0x78 && b > 0xd8 }

func TestChartDrawsBarsAndLine(t *testing.T) {
	img := decodeChart(t, charter(t, "zh"), thirtyDays(3))
	all := img.Bounds()
	if n := count(img, all, blue); n < 500 {
		t.Errorf("%d blue bar pixels, want bars", n)
	}
	if n := count(img, all, red); n < 300 {
		t.Errorf("%d red line pixels, want a line", n)
	}
	centre := image.Rect(ChartWidth/2-80, ChartHeight/4-20, ChartWidth/2+80, ChartHeight/4+20)
	if n := count(img, centre, violet); n > 20 {
		t.Errorf("a chart with orders has %d pixels of the no-orders label", n)
	}
}

func TestChartEmptySaysNoOrders(t *testing.T) {
	for _, days := range [][]DayPoint{thirtyDays(0), nil} {
		img := decodeChart(t, charter(t, "zh"), days)
		centre := image.Rect(ChartWidth/2-80, ChartHeight/4-20, ChartWidth/2+80, ChartHeight/4+20)
		if n := count(img, centre, violet); n < 100 {
			t.Errorf("%d days without orders: %d label pixels in the centre, want the no-orders label", len(days), n)
		}
		if n := count(img, img.Bounds(), blue); n != 0 {
			t.Errorf("empty chart has %d bar pixels", n)
		}
	}
}

// TestChartFontHasEveryLabelGlyph: no label falls back to .notdef (glyph 0),
// the box that shows as tofu.
func TestChartFontHasEveryLabelGlyph(t *testing.T) {
	f, err := sfnt.Parse(cjkFont)
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	w := words("zh")
	for _, s := range []string{w.chartOrders, w.chartRevenue, w.ordersAxis, w.revenueAxis, w.noOrders, "茶叶小铺¥·", "orders per day 0123456789-:().,"} {
		for _, r := range s {
			if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
				t.Errorf("%q in %q has no glyph (index %d, %v)", r, s, g, err)
			}
		}
	}
}

// TestChartRendersChinese draws strings the way the chart draws labels:
// Chinese strings must put ink on the canvas and two of them must differ,
// while characters the font lacks all draw the same .notdef glyph (in this
// font an empty one), which Chinese text must not look like.
func TestChartRendersChinese(t *testing.T) {
	c := charter(t, "zh")
	render := func(s string) []byte {
		canvas := vgimg.NewWith(vgimg.UseWH(vg.Points(200), vg.Points(40)), vgimg.UseDPI(chartDPI))
		dc := draw.New(canvas)
		st := c.style(vg.Points(20))
		st.XAlign, st.YAlign = draw.XLeft, draw.YBottom
		dc.FillText(st, vg.Point{X: 4, Y: 4}, s)
		img := canvas.Image().(*image.RGBA)
		return img.Pix
	}
	orders, revenue := render("每日订单"), render("每日收入")
	tofu1, tofu2 := render("\ue000\ue001\ue002\ue003"), render("\ue004\ue005\ue006\ue007")
	if !bytes.Equal(tofu1, tofu2) {
		t.Fatal("characters the font lacks should all draw the same .notdef box; the comparison below would prove nothing")
	}
	if bytes.Equal(orders, revenue) {
		t.Error("每日订单 and 每日收入 draw the same pixels: Chinese is not rendered")
	}
	if bytes.Equal(orders, tofu1) || bytes.Equal(revenue, tofu1) {
		t.Error("Chinese draws as .notdef (tofu)")
	}
	if blank := render(""); !bytes.Equal(tofu1, blank) || bytes.Equal(orders, blank) {
		t.Error("want .notdef empty in this font and Chinese not empty")
	}
}

package report

import (
	_ "embed"
	"fmt"
	"image/color"
	"io"

	"golang.org/x/image/font/opentype"
	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/text"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
)

// cjkFont is WenQuanYi Micro Hei (Apache 2.0, see font/README.md): a host
// may have no font with Chinese glyphs at all, and the chart's labels are
// Chinese for most shops. It has Latin letters and digits too.
//
//go:embed font/wqy-microhei.ttf
var cjkFont []byte

// ChartWidth and ChartHeight are the chart's size in pixels.
const (
	ChartWidth  = 960
	ChartHeight = 640
	chartDPI    = 96
)

// Charter draws report charts. It parses the embedded font once; make one
// and share it, it is safe for concurrent use.
type Charter struct {
	fonts *font.Cache
	face  font.Font
	lang  string
}

// NewCharter prepares charts labelled in lang ("zh" or "en").
func NewCharter(lang string) (*Charter, error) {
	f, err := opentype.Parse(cjkFont)
	if err != nil {
		return nil, fmt.Errorf("chart font: %w", err)
	}
	face := font.Font{Typeface: "WenQuanYiMicroHei"}
	return &Charter{fonts: font.NewCache(font.Collection{{Font: face, Face: f}}), face: face, lang: lang}, nil
}

func (c *Charter) style(size vg.Length) text.Style {
	return text.Style{Color: color.Black, Font: font.From(c.face, size), Handler: text.Plain{Fonts: c.fonts},
		XAlign: draw.XCenter, YAlign: draw.YTop}
}

// WritePNG draws orders per day as bars and revenue per day as a line,
// one panel above the other (their scales differ by orders of magnitude),
// titled with the shop's name; a range without orders says so.
func (c *Charter) WritePNG(w io.Writer, shop, currency string, days []DayPoint) error {
	t := words(c.lang)
	top := c.panel(fmt.Sprintf("%s · %s", shop, t.chartOrders), t.ordersAxis, days)
	bottom := c.panel(t.chartRevenue, fmt.Sprintf(t.revenueAxis, currency), days)
	if err := addSeries(top, bottom, days); err != nil {
		return err
	}
	canvas := vgimg.NewWith(vgimg.UseWH(px(ChartWidth), px(ChartHeight)), vgimg.UseDPI(chartDPI))
	dc := draw.New(canvas)
	tiles := draw.Tiles{Rows: 2, Cols: 1, PadTop: vg.Points(6), PadBottom: vg.Points(6), PadLeft: vg.Points(6), PadRight: vg.Points(12), PadY: vg.Points(12)}
	top.Draw(tiles.At(dc, 0, 0))
	bottom.Draw(tiles.At(dc, 0, 1))
	total := 0
	for _, d := range days {
		total += d.Orders
	}
	if total == 0 {
		st := c.style(vg.Points(28))
		st.Color = noOrdersColor
		st.YAlign = draw.YCenter
		dc.FillText(st, vg.Point{X: px(ChartWidth) / 2, Y: px(ChartHeight) * 3 / 4}, t.noOrders) // in the orders panel
	}
	if _, err := (vgimg.PngCanvas{Canvas: canvas}).WriteTo(w); err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	return nil
}

// addSeries puts the orders as bars on top and the revenue (in major
// units) as a line on bottom; no days, no series (the plotters refuse them).
func addSeries(top, bottom *plot.Plot, days []DayPoint) error {
	if len(days) == 0 {
		return nil
	}
	orders, revenue := make(plotter.Values, len(days)), make(plotter.XYs, len(days))
	for i, d := range days {
		orders[i] = float64(d.Orders)
		revenue[i] = plotter.XY{X: float64(i), Y: float64(d.Revenue) / 100}
	}
	bars, err := plotter.NewBarChart(orders, vg.Points(8))
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	bars.Color = color.RGBA{R: 0x3b, G: 0x82, B: 0xf6, A: 0xff}
	bars.LineStyle.Width = 0
	line, err := plotter.NewLine(revenue)
	if err != nil {
		return fmt.Errorf("chart: %w", err)
	}
	line.Color, line.Width = color.RGBA{R: 0xdc, G: 0x26, B: 0x26, A: 0xff}, vg.Points(2)
	top.Add(bars)
	bottom.Add(line)
	return nil
}

// noOrdersColor is the colour of the no-orders label, which no other part
// of the chart uses.
var noOrdersColor = color.RGBA{R: 0x8b, G: 0x5c, B: 0xf6, A: 0xff}

// px is a length of n pixels at the chart's resolution.
func px(n int) vg.Length { return vg.Length(n) * vg.Inch / chartDPI }

// panel is one plot with the chart's font everywhere and one tick per
// few days along X.
func (c *Charter) panel(title, yLabel string, days []DayPoint) *plot.Plot {
	p := plot.New()
	hdlr := text.Plain{Fonts: c.fonts}
	p.TextHandler = hdlr
	p.Title.Text, p.Title.TextStyle = title, c.style(vg.Points(14))
	p.Y.Label.Text = yLabel
	// Keep each style's rotation and alignment; change only the font.
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font, a.Label.TextStyle.Handler = font.From(c.face, vg.Points(11)), hdlr
		a.Tick.Label.Font, a.Tick.Label.Handler = font.From(c.face, vg.Points(9)), hdlr
	}
	p.Y.Min, p.Y.Max = 0, 1 // an empty range still gets a sensible axis
	p.X.Min, p.X.Max = -0.5, float64(max(len(days), 1))-0.5
	step := max(1, (len(days)+9)/10)
	p.X.Tick.Marker = plot.TickerFunc(func(min, max float64) []plot.Tick {
		var ts []plot.Tick
		for i, d := range days {
			if (len(days)-1-i)%step == 0 {
				ts = append(ts, plot.Tick{Value: float64(i), Label: fmt.Sprintf("%02d-%02d", d.Date.Month, d.Date.Day)})
			}
		}
		return ts
	})
	p.Add(plotter.NewGrid())
	return p
}

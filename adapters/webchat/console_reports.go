package webchat

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/report"
)

// Reports is what the console's dashboard reads: report's own narrow
// interfaces, which the store implements.
type Reports interface {
	report.Source
	report.ExportSource
}

// reportChannels are the channels the dashboard may be narrowed to: the
// ones customers order on.
func reportChannels() []string { return []string{bot.WebChat, bot.Telegram, bot.WeChat} }

// defaultReportDays is the dashboard's range when none is asked for: the
// week of whole days ending yesterday, like the daily report's yesterday.
const defaultReportDays = 7

// charters draws the chart in the console's two languages; each parses the
// embedded font once, on first use.
type charters struct {
	zh, en func() (*report.Charter, error)
}

func newCharters() charters {
	return charters{
		zh: sync.OnceValues(func() (*report.Charter, error) { return report.NewCharter("zh") }),
		en: sync.OnceValues(func() (*report.Charter, error) { return report.NewCharter("en") }),
	}
}

func (c charters) of(lang string) (*report.Charter, error) {
	if lang == "en" {
		return c.en()
	}
	return c.zh()
}

// reportRoutes mounts the dashboard, its chart and its downloads. Any
// staff member may read the numbers (the API lets an agent's token do the
// same); the downloads hold customers' names, phones and addresses, so
// they take the approver role, as the API's exports do.
func (h *Handler) reportRoutes() {
	h.mux.Handle("/staff/reports", only(http.MethodGet, h.requireStaff(h.reportsPage)))
	h.mux.Handle("/staff/reports/chart.png", only(http.MethodGet, h.requireStaff(h.reportChart)))
	h.mux.Handle("/staff/reports/exports/{file}", only(http.MethodGet, h.requireStaff(h.reportExport)))
}

// preset is one of the dashboard's quick ranges.
type preset struct {
	Label, Href string
}

type reportsPage struct {
	V        *viewer
	From, To string
	Channel  string
	Channels []string
	Presets  []preset
	Problem  string
	// Set when the range was read:
	Lines     []report.Line
	Compare   bool // a single day, compared with the day before and a week before
	DayLabel  string
	WeekLabel string
	Top       []report.ProductSale
	Chart     string
	Exports   []preset
}

// reportsPage shows the KPIs of a range of local days, with the chart and
// the downloads. Bad input is said on the page itself, beside the form.
func (h *Handler) reportsPage(w http.ResponseWriter, r *http.Request, s staffRequest) {
	v := h.viewerOf(r, s)
	if h.opts.Reports == nil {
		h.renderProblem(w, http.StatusNotFound, v, v.T("This page does not exist."))
		return
	}
	q, err := query(r)
	page := reportsPage{V: v, From: q.Get("from"), To: q.Get("to"), Channel: q.Get("channel"), Channels: reportChannels()}
	page.Presets = h.reportPresets(v, page.Channel)
	var rng report.Range
	if err == nil {
		rng, err = h.reportRange(v, q)
	}
	if err == nil && page.Channel != "" && !slices.Contains(reportChannels(), page.Channel) {
		err = &badRequest{msg: v.T("Channel must be one of the list.")}
	}
	var bad *badRequest
	if errors.As(err, &bad) {
		page.Problem = bad.msg
		h.render(w, http.StatusBadRequest, "reports", page)
		return
	}
	page.From, page.To = rng.From.String(), rng.To.String()
	cmp, err := report.Compare(r.Context(), h.opts.Reports, rng)
	if err != nil {
		if r.Context().Err() == nil {
			h.log.Error("webchat: reports page", "err", err)
		}
		h.renderProblem(w, http.StatusInternalServerError, v, v.T("Something went wrong, please try again."))
		return
	}
	cmp = cmp.OfChannel(page.Channel)
	page.Lines = report.Lines(v.Lang, v.cur, cmp)
	page.Compare = cmp.DayBefore != nil
	page.DayLabel, page.WeekLabel = report.CompareLabels(v.Lang)
	page.Top = cmp.Report.TopProducts
	rangeQuery := url.Values{"from": {page.From}, "to": {page.To}}.Encode()
	page.Chart = "/staff/reports/chart.png?" + rangeQuery
	if v.Role.AtLeast(bot.Approver) {
		for _, kind := range []string{"orders", "customers", "after-sales"} {
			for _, format := range []string{"csv", "xlsx"} {
				page.Exports = append(page.Exports, preset{
					Label: v.T(exportLabel(kind)) + " · " + strings.ToUpper(format),
					Href:  "/staff/reports/exports/" + kind + "." + format + "?" + rangeQuery,
				})
			}
		}
	}
	h.render(w, http.StatusOK, "reports", page)
}

func exportLabel(kind string) string {
	switch kind {
	case "orders":
		return "Orders"
	case "customers":
		return "Customers"
	}
	return "After-sales"
}

// reportPresets are yesterday, the last 7 and the last 30 days, each
// ending yesterday in the shop's zone.
func (h *Handler) reportPresets(v *viewer, channel string) []preset {
	yesterday := report.DateOf(h.opts.Clock(), h.opts.Location).AddDays(-1)
	var out []preset
	for _, p := range []struct {
		label string
		days  int
	}{{"Yesterday", 1}, {"Last 7 days", 7}, {"Last 30 days", 30}} {
		q := url.Values{"from": {yesterday.AddDays(1 - p.days).String()}, "to": {yesterday.String()}}
		if channel != "" {
			q.Set("channel", channel)
		}
		out = append(out, preset{Label: v.T(p.label), Href: "/staff/reports?" + q.Encode()})
	}
	return out
}

// reportRange reads from and to (YYYY-MM-DD, local days, both included);
// without either it is the defaultReportDays days ending yesterday, with
// one of them that single day. Bad input is a badRequest in the viewer's
// language naming the field.
func (h *Handler) reportRange(v *viewer, q url.Values) (report.Range, error) {
	from, to := q.Get("from"), q.Get("to")
	yesterday := report.DateOf(h.opts.Clock(), h.opts.Location).AddDays(-1)
	r := report.Range{From: yesterday.AddDays(1 - defaultReportDays), To: yesterday, Loc: h.opts.Location}
	if from == "" && to == "" {
		return r, nil
	}
	var err error
	if from != "" {
		if r.From, err = report.ParseDate(from); err != nil {
			return r, &badRequest{msg: v.T("“From” must be a date like 2026-01-31.")}
		}
		r.To = r.From
	}
	if to != "" {
		if r.To, err = report.ParseDate(to); err != nil {
			return r, &badRequest{msg: v.T("“To” must be a date like 2026-01-31.")}
		}
		if from == "" {
			r.From = r.To
		}
	}
	if r.To.Before(r.From) {
		return r, &badRequest{msg: v.T("“From” must not be after “To”.")}
	}
	if r.Days() > report.MaxDays {
		return r, &badRequest{msg: fmt.Sprintf(v.T("A range may have at most %d days."), report.MaxDays)}
	}
	return r, nil
}

// reportChart draws orders and revenue per day over the chart's range (at
// least the 30 days ending with to), labelled in the viewer's language.
// It is drawn into memory first, so that a failure is an error, not half
// an image.
func (h *Handler) reportChart(w http.ResponseWriter, r *http.Request, s staffRequest) {
	v := h.viewerOf(r, s)
	if h.opts.Reports == nil {
		writeError(w, http.StatusNotFound, "not found")
		return
	}
	rng, err := h.reportRange(v, r.URL.Query())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	var buf bytes.Buffer
	if err := h.drawChart(r, v, rng, &buf); err != nil {
		if r.Context().Err() == nil {
			h.log.Error("webchat: report chart", "err", err)
		}
		writeError(w, http.StatusInternalServerError, "something went wrong, please try again")
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "private, max-age=300")
	w.Header().Set("Content-Length", fmt.Sprint(buf.Len()))
	_, _ = buf.WriteTo(w)
}

func (h *Handler) drawChart(r *http.Request, v *viewer, rng report.Range, buf *bytes.Buffer) error {
	rep, err := report.Compute(r.Context(), h.opts.Reports, report.ChartRange(rng))
	if err != nil {
		return err
	}
	ch, err := h.charts.of(v.Lang)
	if err != nil {
		return err
	}
	return ch.WritePNG(buf, h.opts.Title, h.opts.Currency, rep.Days)
}

// reportExport streams a spreadsheet of the range, the same file as the
// API's /api/v1/exports/{kind}.{format}. Once the first byte is out an
// error can only cut the download short, so that the browser shows a
// failed download rather than a file that looks complete.
func (h *Handler) reportExport(w http.ResponseWriter, r *http.Request, s staffRequest) {
	v := h.viewerOf(r, s)
	if h.opts.Reports == nil {
		h.renderProblem(w, http.StatusNotFound, v, v.T("This page does not exist."))
		return
	}
	if !v.Role.AtLeast(bot.Approver) {
		h.renderProblem(w, http.StatusForbidden, v, v.T("Downloads hold customers' personal data: they take the approver role."))
		return
	}
	kind, format, ok := strings.Cut(r.PathValue("file"), ".")
	if !slices.Contains([]string{"orders", "customers", "after-sales"}, kind) || (format != "csv" && format != "xlsx") || !ok {
		h.renderProblem(w, http.StatusNotFound, v, v.T("This page does not exist."))
		return
	}
	rng, err := h.reportRange(v, r.URL.Query())
	if err != nil {
		h.renderProblem(w, http.StatusBadRequest, v, err.Error())
		return
	}
	// The server's write deadline is made for ordinary requests; a long
	// export lives by its context's deadline (cmd/orderbot gives exports
	// a long one).
	deadline, _ := r.Context().Deadline()
	_ = http.NewResponseController(w).SetWriteDeadline(deadline)
	name := fmt.Sprintf("%s-%s-%s.%s", kind, rng.From, rng.To, format)
	out := &lazyHeader{w: w, header: func(hd http.Header) {
		hd.Set("Content-Type", exportType(format))
		hd.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	}}
	err = report.Export(r.Context(), h.opts.Reports, kind, format, rng.Start(), rng.End(), h.opts.Location, out)
	if err == nil {
		return
	}
	if r.Context().Err() == nil {
		h.log.Error("webchat: export", "kind", kind, "format", format, "err", err)
	}
	if !out.started {
		h.renderProblem(w, http.StatusInternalServerError, v, v.T("Something went wrong, please try again."))
		return
	}
	panic(http.ErrAbortHandler)
}

// exportType is the Content-Type of an export format.
func exportType(format string) string {
	if format == "xlsx" {
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return "text/csv; charset=utf-8"
}

// lazyHeader sets the file's headers with its first byte, so that a
// failure before it is answered as a page.
type lazyHeader struct {
	w       http.ResponseWriter
	header  func(http.Header)
	started bool
}

func (l *lazyHeader) Write(p []byte) (int, error) {
	if !l.started {
		l.started = true
		l.header(l.w.Header())
	}
	return l.w.Write(p)
}

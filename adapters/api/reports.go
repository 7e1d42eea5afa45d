package api

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/report"
)

// Reports is what the report and export routes read: report's own narrow
// interfaces, which the store implements.
type Reports interface {
	report.Source
	report.ExportSource
}

// exportRoute streams a spreadsheet: it gets Options.ExportTimeout rather
// than the ordinary request bound.
const exportRoute = "GET /api/v1/exports/{file}"

// reportChannels are the channels a summary may be narrowed to: the ones
// customers order on (staff channels place no orders).
func reportChannels() []string { return []string{bot.WebChat, bot.Telegram, bot.WeChat} }

// exportType is the Content-Type of an export format; "" for a format
// there is none of.
func exportType(format string) string {
	switch format {
	case "csv":
		return "text/csv; charset=utf-8"
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	}
	return ""
}

// reportQuery reads the query parameters from, to and those of extra,
// and the range of local days from and to give (default: yesterday).
func (h *Handler) reportQuery(r *http.Request, extra ...string) (report.Range, url.Values, error) {
	v, err := query(r, append([]string{"from", "to"}, extra...)...)
	if err != nil {
		return report.Range{}, nil, err
	}
	rng, err := report.ParseRange(v.Get("from"), v.Get("to"), h.opts.Location, h.now())
	var fe *report.FlagError
	if errors.As(err, &fe) {
		return report.Range{}, nil, invalid("%s: %s", fe.Flag, fe.Msg)
	}
	if err != nil {
		return report.Range{}, nil, err
	}
	return rng, v, nil
}

// reportSummary answers GET /reports/summary: the KPIs of the range,
// overall or of one channel; an empty range has zeros.
func (h *Handler) reportSummary(w http.ResponseWriter, r *http.Request, _ bot.Staff) error {
	rng, v, err := h.reportQuery(r, "channel")
	if err != nil {
		return err
	}
	channel := v.Get("channel")
	if channel != "" && !slices.Contains(reportChannels(), channel) {
		return invalid("channel: unknown channel %q (want %s)", channel, strings.Join(reportChannels(), ", "))
	}
	rep, err := report.Compute(r.Context(), h.store, rng)
	if err != nil {
		return fmt.Errorf("report summary: %w", err)
	}
	s := rep.Summary
	if channel != "" {
		s = rep.Channel(channel)
	}
	writeJSON(w, http.StatusOK, s)
	return nil
}

// reportChart answers GET /reports/chart.png: orders and revenue per day
// over the chart's range (at least the 30 days ending with to), labelled
// in the staff language. It is drawn into memory first, so a failure is
// still a JSON error.
func (h *Handler) reportChart(w http.ResponseWriter, r *http.Request, _ bot.Staff) error {
	rng, _, err := h.reportQuery(r)
	if err != nil {
		return err
	}
	rep, err := report.Compute(r.Context(), h.store, report.ChartRange(rng))
	if err != nil {
		return fmt.Errorf("report chart: %w", err)
	}
	ch, err := h.charter()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := ch.WritePNG(&buf, h.opts.ShopName, h.opts.Currency, rep.Days); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", fmt.Sprint(buf.Len()))
	_, _ = buf.WriteTo(w)
	return nil
}

// exportFile answers GET /exports/{kind}.{format}. Exports hold customers'
// names, phones and addresses, so they take the approver role. The rows
// stream from the database to the client; once the first byte is out an
// error can only cut the response short, so that the client sees a failed
// download rather than a file that looks complete.
func (h *Handler) exportFile(w http.ResponseWriter, r *http.Request, who bot.Staff) error {
	if !who.Role.AtLeast(bot.Approver) {
		return &apiError{http.StatusForbidden, codeForbidden, "exports hold personal data: the token's role cannot do this (approver or admin)"}
	}
	kind, format, err := exportName(r.PathValue("file"))
	if err != nil {
		return err
	}
	rng, _, err := h.reportQuery(r)
	if err != nil {
		return err
	}
	// The server's write deadline is made for ordinary requests; a long
	// export lives by the route's own bound. (Once the request is read,
	// net/http waits for the client hanging up with no read deadline.)
	deadline, _ := r.Context().Deadline()
	_ = http.NewResponseController(w).SetWriteDeadline(deadline)
	name := fmt.Sprintf("%s-%s-%s.%s", kind, rng.From, rng.To, format)
	out := &lazyHeader{w: w, header: func(hd http.Header) {
		hd.Set("Content-Type", exportType(format))
		hd.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	}}
	err = report.Export(r.Context(), h.store, kind, format, rng.Start(), rng.End(), h.opts.Location, out)
	if err == nil {
		return nil
	}
	if !out.started {
		return fmt.Errorf("api: %w", err)
	}
	if r.Context().Err() == nil {
		h.log.ErrorContext(r.Context(), "api: export cut short", "kind", kind, "format", format, "err", err)
	}
	panic(http.ErrAbortHandler)
}

// exportName splits "orders.csv" into its kind and format.
func exportName(file string) (kind, format string, err error) {
	i := strings.LastIndexByte(file, '.')
	if i < 0 {
		return "", "", invalid("export: %q is not KIND.FORMAT, e.g. orders.csv", file)
	}
	kind, format = file[:i], file[i+1:]
	if kind != "orders" && kind != "customers" && kind != "after-sales" {
		return "", "", invalid("export: unknown kind %q (want orders, customers or after-sales)", kind)
	}
	if exportType(format) == "" {
		return "", "", invalid("format: unknown format %q (want csv or xlsx)", format)
	}
	return kind, format, nil
}

// lazyHeader sets the file's headers with its first byte, so that a
// failure before it is answered as the API's JSON error.
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

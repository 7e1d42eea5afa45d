package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/orderbot/orderbot/bot/report"
	"github.com/orderbot/orderbot/store"
)

// withReportStore runs fn on a migrated store, for the report and export
// subcommands, which read it through report's narrow interfaces.
func withReportStore(ctx context.Context, cfg config, fn func(*store.Store) error) error {
	st, err := openStore(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		return err
	}
	defer st.Close()
	return fn(st)
}

// flagError names the flag at fault the way it is typed.
func flagError(err error) error {
	var fe *report.FlagError
	if errors.As(err, &fe) {
		return fmt.Errorf("--%s: %s", fe.Flag, fe.Msg)
	}
	return err
}

// reportCmd is `orderbot report [--from D] [--to D] [--json] [--png FILE]`.
func reportCmd(ctx context.Context, cfg config, args []string, stdout io.Writer, now time.Time) error {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stdout)
	from := fs.String("from", "", "first day, YYYY-MM-DD in the shop's time zone (default: yesterday)")
	to := fs.String("to", "", "last day, YYYY-MM-DD (default: --from)")
	asJSON := fs.Bool("json", false, "print the KPIs as JSON")
	pngFile := fs.String("png", "", "also write the chart of orders and revenue per day to this PNG file")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("report: unexpected argument %q", fs.Arg(0))
	}
	r, err := report.ParseRange(*from, *to, cfg.Shop.Location, now)
	if err != nil {
		return flagError(err)
	}
	return withReportStore(ctx, cfg, func(st *store.Store) error {
		cmp, err := report.Compare(ctx, st, r)
		if err != nil {
			return err
		}
		if *pngFile != "" {
			if err := writeChartFile(ctx, cfg, st, r, *pngFile); err != nil {
				return err
			}
		}
		if *asJSON {
			enc := json.NewEncoder(stdout)
			enc.SetIndent("", "  ")
			return enc.Encode(cmp.Report)
		}
		return report.WriteText(stdout, cfg.Shop.Name, cfg.Currency, cfg.Shop.StaffLang, cmp)
	})
}

func writeChartFile(ctx context.Context, cfg config, src report.Source, r report.Range, path string) error {
	chart, err := report.Compute(ctx, src, report.ChartRange(r))
	if err != nil {
		return err
	}
	ch, err := report.NewCharter(cfg.Shop.StaffLang)
	if err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("--png: %w", err)
	}
	if err := ch.WritePNG(f, cfg.Shop.Name, cfg.Currency, chart.Days); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// exportCmd is `orderbot export orders|customers|after-sales [--from D]
// [--to D] [--format csv|xlsx]`, to stdout. Without dates it exports
// everything.
func exportCmd(ctx context.Context, cfg config, args []string, stdout io.Writer, now time.Time) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		return errors.New("usage: orderbot export orders|customers|after-sales [--from YYYY-MM-DD] [--to YYYY-MM-DD] [--format csv|xlsx]")
	}
	kind := args[0]
	fs := flag.NewFlagSet("export "+kind, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	from := fs.String("from", "", "first day, YYYY-MM-DD in the shop's time zone")
	to := fs.String("to", "", "last day, YYYY-MM-DD")
	format := fs.String("format", "csv", "csv or xlsx")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if kind != "orders" && kind != "customers" && kind != "after-sales" {
		return fmt.Errorf("unknown export %q: want orders, customers or after-sales", kind)
	}
	if *format != "csv" && *format != "xlsx" {
		return fmt.Errorf("--format: %q: want csv or xlsx", *format)
	}
	start, end := time.Unix(0, 0), now.Add(24*time.Hour)
	if *from != "" || *to != "" {
		r, err := report.ParseRange(*from, *to, cfg.Shop.Location, now)
		if err != nil {
			return flagError(err)
		}
		start, end = r.Start(), r.End()
	}
	return withReportStore(ctx, cfg, func(st *store.Store) error {
		return flagError(report.Export(ctx, st, kind, *format, start, end, cfg.Shop.Location, stdout))
	})
}

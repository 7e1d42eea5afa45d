package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"os"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/report"
	"github.com/orderbot/orderbot/store"
)

// reportConfig is ORDERBOT_REPORT_TIME: the local time of the daily report.
type reportConfig struct {
	On           bool
	Hour, Minute int
}

func loadReport(get func(string) string) (reportConfig, error) {
	h, m, on, err := report.ParseReportTime(get("ORDERBOT_REPORT_TIME"))
	return reportConfig{On: on, Hour: h, Minute: m}, err
}

// dailyTick is how often a replica looks for a report to post.
const dailyTick = time.Minute

// startDailyReport runs the daily report in the background until ctx ends,
// posting to the staff channels that can post images (Slack's staff
// channel, the Telegram staff group).
func startDailyReport(ctx context.Context, cfg config, st *store.Store, chans map[string]channel, log *slog.Logger) error {
	if !cfg.Report.On {
		return nil
	}
	posters := map[string]report.ImagePoster{}
	for name, ch := range chans {
		p, ok := ch.(report.ImagePoster)
		if !ok || (name == bot.Telegram && cfg.Telegram.StaffChat == 0) {
			continue
		}
		posters[name] = p
	}
	if len(posters) == 0 {
		return nil
	}
	d, err := report.NewDaily(report.DailyConfig{
		Source: st, Claims: st, Posters: posters, Loc: cfg.Shop.Location,
		Hour: cfg.Report.Hour, Minute: cfg.Report.Minute,
		Shop: cfg.Shop.Name, Currency: cfg.Currency, Lang: cfg.Shop.StaffLang,
		Owner: replicaName(), Log: log.With("component", "daily report"),
	})
	if err != nil {
		return err
	}
	go d.Run(ctx, dailyTick)
	return nil
}

// replicaName names this process in the report claims: the host, and a
// random part so two processes on one host differ.
func replicaName() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return host + "-" + hex.EncodeToString(b)
}

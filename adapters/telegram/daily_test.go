package telegram

import (
	"bytes"
	"context"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot/report"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestDailyReportReachesStaffGroup: two replicas, each with its own
// adapter, tick at the report time; the staff group gets one photo of the
// chart with the report as its caption.
func TestDailyReportReachesStaffGroup(t *testing.T) {
	st := storetest.SQLite(t)
	api := newFakeAPI(t)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := func() time.Time { return time.Date(2026, 3, 11, 9, 30, 0, 0, loc) }
	var replicas []*report.Daily
	for _, name := range []string{"a", "b"} {
		ad, err := New(context.Background(), nil, nil, testConfig(api, st))
		if err != nil {
			t.Fatal(err)
		}
		d, err := report.NewDaily(report.DailyConfig{Source: st, Claims: st, Posters: map[string]report.ImagePoster{"telegram": ad},
			Loc: loc, Hour: 9, Shop: "茶叶小铺", Currency: "¥", Lang: "zh", Owner: name, Clock: now})
		if err != nil {
			t.Fatal(err)
		}
		replicas = append(replicas, d)
	}
	var wg sync.WaitGroup
	for _, d := range replicas {
		wg.Go(func() {
			if err := d.Tick(context.Background()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	photos := api.callsOf("sendPhoto")
	if len(photos) != 1 {
		t.Fatalf("%d photos, want 1", len(photos))
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(photos[0].Files["photo"]))
	if err != nil || cfg.Width != report.ChartWidth || cfg.Height != report.ChartHeight {
		t.Errorf("chart: %+v, %v", cfg, err)
	}
	if c := photos[0].Params.Get("caption"); !strings.Contains(c, "茶叶小铺 报告 2026-03-10") || photos[0].chat() != staffChat {
		t.Errorf("caption %q to %d", c, photos[0].chat())
	}
}

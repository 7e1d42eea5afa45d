package slack

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

// TestDailyReportReachesStaffChannel: two replicas tick at the report
// time; Slack gets one upload of the chart, commented with the report.
func TestDailyReportReachesStaffChannel(t *testing.T) {
	st := storetest.SQLite(t)
	fake := newFakeFiles(t)
	loc, _ := time.LoadLocation("Asia/Shanghai")
	now := func() time.Time { return time.Date(2026, 3, 11, 9, 30, 0, 0, loc) }
	var replicas []*report.Daily
	for _, name := range []string{"a", "b"} {
		ad, err := New(nil, quietLog(t), Config{BotToken: "xoxb-test", SigningSecret: testSecret, StaffChannel: staffChannel, APIURL: fake.srv.URL + "/api/"})
		if err != nil {
			t.Fatal(err)
		}
		d, err := report.NewDaily(report.DailyConfig{Source: st, Claims: st, Posters: map[string]report.ImagePoster{"slack": ad},
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
	fake.mu.Lock()
	defer fake.mu.Unlock()
	if fake.uploads != 1 {
		t.Fatalf("%d uploads, want 1", fake.uploads)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(fake.uploaded))
	if err != nil || cfg.Width != report.ChartWidth || cfg.Height != report.ChartHeight {
		t.Errorf("chart: %+v, %v", cfg, err)
	}
	if !strings.Contains(fake.comment, "茶叶小铺 报告 2026-03-10") || fake.channel != staffChannel {
		t.Errorf("comment %q in %q", fake.comment, fake.channel)
	}
}

package report_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/report"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// poster records what one staff channel received; it fails while failing > 0.
type poster struct {
	mu      sync.Mutex
	posts   []post
	failing int
}

type post struct {
	text, filename string
	image          []byte
}

func (p *poster) PostStaffImage(_ context.Context, text, filename string, image []byte) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.failing > 0 {
		p.failing--
		return errors.New("platform down")
	}
	p.posts = append(p.posts, post{text, filename, image})
	return nil
}

func (p *poster) files() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []string
	for _, x := range p.posts {
		out = append(out, x.filename)
	}
	return out
}

// clock is a settable time shared by the replicas of a test.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) set(t time.Time) { c.mu.Lock(); defer c.mu.Unlock(); c.now = t }

func replica(t *testing.T, s *store.Store, name string, c *clock, posters map[string]report.ImagePoster) *report.Daily {
	t.Helper()
	loc, _ := time.LoadLocation("Asia/Shanghai")
	d, err := report.NewDaily(report.DailyConfig{
		Source: s, Claims: s, Posters: posters, Loc: loc, Hour: 9, Minute: 0,
		Shop: "茶叶小铺", Currency: "¥", Lang: "zh", Owner: name, Clock: c.Now, RetryWait: 5 * time.Minute,
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestDailyReportOncePerDayAcrossReplicas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		loc, _ := time.LoadLocation("Asia/Shanghai")
		cust, err := s.LockCustomer(ctx, bot.Telegram, "42")
		if err != nil {
			t.Fatal(err)
		}
		o, _ := bot.NewOrder(cust, []bot.OrderItem{{SKU: "T", Name: "Tea", UnitPrice: 3800, Qty: 1}}, bot.Contact{}, time.Date(2026, 3, 10, 0, 0, 30, 0, loc))
		if err := s.CreateOrder(ctx, o); err != nil {
			t.Fatal(err)
		}
		slack, telegram := &poster{}, &poster{}
		posters := map[string]report.ImagePoster{"slack": slack, "telegram": telegram}
		c := &clock{now: time.Date(2026, 3, 11, 8, 59, 0, 0, loc)}
		a, b := replica(t, s, "replica-a", c, posters), replica(t, s, "replica-b", c, posters)
		tickBoth := func() {
			var wg sync.WaitGroup
			for _, d := range []*report.Daily{a, b} {
				wg.Go(func() {
					if err := d.Tick(ctx); err != nil {
						t.Error(err)
					}
				})
			}
			wg.Wait()
		}
		tickBoth()
		if n := len(slack.files()) + len(telegram.files()); n != 0 {
			t.Fatalf("%d reports posted before 09:00", n)
		}
		c.set(time.Date(2026, 3, 11, 9, 0, 0, 0, loc))
		for range 3 {
			tickBoth()
		}
		for name, p := range map[string]*poster{"slack": slack, "telegram": telegram} {
			if got := p.files(); len(got) != 1 || got[0] != "report-2026-03-10.png" {
				t.Fatalf("%s got %v, want the report of 2026-03-10 once", name, got)
			}
			x := p.posts[0]
			cfg, err := png.DecodeConfig(bytes.NewReader(x.image))
			if err != nil || cfg.Width != report.ChartWidth || cfg.Height != report.ChartHeight {
				t.Errorf("%s chart: %+v, %v", name, cfg, err)
			}
			if !strings.Contains(x.text, "茶叶小铺 报告 2026-03-10") || !strings.Contains(x.text, "下单: 1  较前日 ↑1") ||
				!strings.Contains(x.text, "下单客户·普通: 1  较前日 ↑1") {
				t.Errorf("%s text:\n%s", name, x.text)
			}
		}

		// Down from the 11th to the 14th at 10:00: a new replica posts the
		// three missed days, marked late, and the day due.
		c.set(time.Date(2026, 3, 14, 10, 0, 0, 0, loc))
		telegram.failing = 1
		d := replica(t, s, "replica-c", c, posters)
		err = d.Tick(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []string{"report-2026-03-10.png", "report-2026-03-11.png", "report-2026-03-12.png", "report-2026-03-13.png"}
		if got := slack.files(); fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("slack after restart: %v, want %v", got, want)
		}
		if !strings.HasPrefix(slack.posts[1].text, "（补发") || strings.HasPrefix(slack.posts[3].text, "（补发") {
			t.Errorf("missed days are marked late, the day due is not")
		}
		// Telegram failed the 11th once: the other days went, the 11th is
		// retried after RetryWait, by any replica, once.
		if got := telegram.files(); len(got) != 3 {
			t.Errorf("telegram after restart: %v", got)
		}
		tickBoth()
		if len(telegram.files()) != 3 {
			t.Errorf("retried before RetryWait: %v", telegram.files())
		}
		c.set(time.Date(2026, 3, 14, 10, 6, 0, 0, loc))
		tickBoth()
		tickBoth()
		if got := telegram.files(); len(got) != 4 || got[3] != "report-2026-03-11.png" {
			t.Errorf("telegram after the retry: %v", got)
		}
	})
}

func TestParseReportTime(t *testing.T) {
	for _, tc := range []struct {
		in       string
		h, m     int
		on, fail bool
	}{
		{"", 9, 0, true, false},
		{"off", 0, 0, false, false},
		{"07:30", 7, 30, true, false},
		{"7:30", 0, 0, false, true},
		{"25:00", 0, 0, false, true},
		{"9am", 0, 0, false, true},
	} {
		h, m, on, err := report.ParseReportTime(tc.in)
		if (err != nil) != tc.fail || h != tc.h || m != tc.m || on != tc.on {
			t.Errorf("ParseReportTime(%q) = %d:%d on=%v err=%v", tc.in, h, m, on, err)
		}
	}
}

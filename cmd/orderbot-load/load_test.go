package main

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestTelegramCustomer runs a customer against a stand-in webhook that
// answers each update through the fake Bot API, as orderbot does: the
// customer must see the reply, measure it, and press the buttons offered.
func TestTelegramCustomer(t *testing.T) {
	api := newFakeBotAPI()
	apiSrv := httptest.NewServer(api)
	defer apiSrv.Close()
	var (
		mu      sync.Mutex
		pressed []string
	)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("X-Telegram-Bot-Api-Secret-Token") != "s" {
			http.Error(w, "no", http.StatusUnauthorized)
			return
		}
		var u struct {
			Message *struct {
				Chat struct{ ID int64 } `json:"chat"`
			} `json:"message"`
			CallbackQuery *struct {
				Data    string `json:"data"`
				Message struct {
					Chat struct{ ID int64 } `json:"chat"`
				} `json:"message"`
			} `json:"callback_query"`
		}
		json.NewDecoder(r.Body).Decode(&u)
		chat := int64(0)
		if u.Message != nil {
			chat = u.Message.Chat.ID
		} else {
			chat = u.CallbackQuery.Message.Chat.ID
			mu.Lock()
			pressed = append(pressed, u.CallbackQuery.Data)
			mu.Unlock()
		}
		w.WriteHeader(http.StatusOK)
		go http.PostForm(apiSrv.URL+"/bot1:x/sendMessage", url.Values{
			"chat_id":      {jsonInt(chat)},
			"text":         {"menu"},
			"reply_markup": {`{"inline_keyboard":[[{"text":"Browse","callback_data":"browse"}],[{"text":"Tea","callback_data":"cat:Tea"}]]}`},
		})
	}))
	defer hook.Close()

	c := newTelegramCustomer(42, hook.URL, "s", hook.Client(), api, new(atomic.Int64), 5*time.Second)
	ctx := context.Background()
	for _, s := range []step{{text: "menu"}, {press: "cat:"}} {
		got := c.do(ctx, s)
		if got.err != nil || got.lag <= 0 || got.ack <= 0 {
			t.Fatalf("step %+v: %+v", s, got)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(pressed) != 1 || pressed[0] != "cat:Tea" {
		t.Fatalf("pressed %v, want [cat:Tea]", pressed)
	}
	bad := newTelegramCustomer(43, hook.URL, "wrong", hook.Client(), api, new(atomic.Int64), time.Second)
	if got := bad.do(ctx, step{text: "menu"}); got.err == nil || !strings.Contains(got.err.Error(), "401") {
		t.Fatalf("refused webhook: %+v", got)
	}
}

func jsonInt(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestChoose(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	offered := []string{"browse", "sku:A", "sku:B", "cart"}
	for range 20 {
		if k := choose("sku:", offered, r); k != "sku:A" && k != "sku:B" {
			t.Fatalf("choose sku: = %q", k)
		}
	}
	if k := choose("checkout", offered, r); k != "" {
		t.Fatalf("choose absent key = %q, want none", k)
	}
}

func TestPercentile(t *testing.T) {
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond} {
		if got := percentile(ds, p); got != want {
			t.Errorf("p%v = %v, want %v", p, got, want)
		}
	}
	if percentile(nil, 99) != 0 {
		t.Error("percentile of nothing is not zero")
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"-bin", "x", "-url", "http://y"},
		{"-url", "http://y", "-channel", "telegram"},
		{"-bin", "x", "-channel", "sms"},
		{"-bin", "x", "-customers", "0"},
	} {
		if _, err := parseFlags(args, new(strings.Builder)); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
	if _, err := parseFlags([]string{"-url", "http://y", "-channel", "webchat", "-rate", "100"}, new(strings.Builder)); err != nil {
		t.Errorf("valid flags refused: %v", err)
	}
}

func TestFlagsThinkAndSeed(t *testing.T) {
	for _, args := range [][]string{
		{"-bin", "x", "-think", "2s", "-rate", "10"},
		{"-bin", "x", "-think", "-1s"},
		{"-bin", "x", "-seed-customers", "-1"},
		{"-url", "http://y", "-channel", "webchat", "-seed-products", "10"},
		{"-url", "http://y", "-channel", "webchat", "-warmup", "5s"},
		{"-url", "http://y", "-channel", "webchat", "-cpuprofile", "cpu.pprof"},
		{"-bin", "x", "-warmup", "-1s"},
	} {
		if _, err := parseFlags(args, new(strings.Builder)); err == nil {
			t.Errorf("parseFlags(%q) accepted", args)
		}
	}
	o, err := parseFlags([]string{"-bin", "x", "-think", "2s", "-warmup", "3s", "-seed-customers", "100000", "-seed-products", "10000", "-seed-orders", "5"}, new(strings.Builder))
	if err != nil {
		t.Fatalf("valid flags refused: %v", err)
	}
	if o.think != 2*time.Second || o.warmup != 3*time.Second || o.seed != (seedSize{customers: 100000, products: 10000, orders: 5}) {
		t.Fatalf("parsed %+v", o)
	}
}

// stepClock is a driver that records when each of its steps began.
type stepClock struct {
	mu  sync.Mutex
	at  []time.Time
	err error
}

func (c *stepClock) do(ctx context.Context, s step) sample {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.at = append(c.at, time.Now())
	return sample{ack: time.Microsecond, lag: time.Microsecond, err: c.err}
}

// TestClosedLoopThinks checks that with -think a customer waits at least
// the think time after each reply before its next step, and that the
// customers do not all start in the same instant.
func TestClosedLoopThinks(t *testing.T) {
	const think = 40 * time.Millisecond
	clocks := []*stepClock{{}, {}, {}, {}}
	drivers := make([]driver, len(clocks))
	for i, c := range clocks {
		drivers[i] = c
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	begin := time.Now()
	res := newResults()
	closedLoop(ctx, drivers, think, res)
	total := 0
	for i, c := range clocks {
		if len(c.at) == 0 {
			t.Fatalf("customer %d never stepped", i)
		}
		total += len(c.at)
		for j := 1; j < len(c.at); j++ {
			if gap := c.at[j].Sub(c.at[j-1]); gap < think {
				t.Fatalf("customer %d stepped again after %v, thinking %v", i, gap, think)
			}
		}
		if first, spread := c.at[0].Sub(begin), think*time.Duration(i)/time.Duration(len(clocks)); first < spread {
			t.Errorf("customer %d started after %v, before its place %v in the spread", i, first, spread)
		}
	}
	if len(res.lags) != total {
		t.Fatalf("%d samples for %d steps", len(res.lags), total)
	}
}

// TestSeedDatabase fills a migrated database as -seed-… does and reads it
// back through the store orderbot uses, with personal data sealed as in
// production: the rows must be orderbot's own, the run's Telegram chats
// must own some of the orders, and what orderbot adds afterwards must not
// collide with the seeded ids and numbers.
func TestSeedDatabase(t *testing.T) {
	for _, backend := range storetest.Backends() {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, backend)
			size := seedSize{customers: 30, products: 25, orders: 70}
			var log strings.Builder
			if err := seedDatabase(ctx, dsn, size, options{channel: "telegram", customers: 4}, &log); err != nil {
				t.Fatal(err)
			}
			if !strings.Contains(log.String(), "seeded 30 customers, 25 products, 70 orders") {
				t.Errorf("seed log %q", log.String())
			}
			s, err := store.Open(ctx, dsn, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			storetest.UseDataKey(t, s)

			ps, err := s.Products(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			cats := map[string]bool{}
			for _, p := range ps {
				cats[p.Category] = true
				if p.Stock <= 0 || p.Price <= 0 || p.NameZH == "" {
					t.Fatalf("seeded product %+v", p)
				}
			}
			if len(ps) != 25 || ps[0].SKU != "SEED-000001" || len(cats) != seedCategories {
				t.Fatalf("%d products in %d categories, first %+v", len(ps), len(cats), ps[0])
			}

			mine, err := s.CustomerByUser(ctx, "telegram", "1000000")
			if err != nil {
				t.Fatalf("the run's first chat: %v", err)
			}
			if mine.Name != "" || mine.Phone != "" {
				t.Fatalf("seeded customer has personal data: %+v", mine)
			}
			if _, err := s.CustomerByUser(ctx, "telegram", "2000029"); err != nil {
				t.Fatalf("the last seeded customer: %v", err)
			}
			orders, err := s.OrdersByCustomer(ctx, mine.ID, 20)
			if err != nil {
				t.Fatal(err)
			}
			if len(orders) != 3 { // orders 1, 31 and 61 go round to customer 1
				t.Fatalf("the first chat has %d orders, want 3", len(orders))
			}
			for _, o := range orders {
				var sum int64
				for _, it := range o.Items {
					sum += it.UnitPrice * int64(it.Qty)
				}
				if o.Status != bot.Completed || len(o.Items) == 0 || sum != o.Total || len(o.History) != 2 {
					t.Fatalf("seeded order %+v", o)
				}
			}
			if o, err := s.OrderByNumber(ctx, "100070"); err != nil || o.CustomerID == 0 {
				t.Fatalf("order 100070: %+v, %v", o, err)
			}

			// What orderbot adds next gets ids and numbers after the seed's.
			c, err := s.LockCustomer(ctx, "telegram", "42")
			if err != nil || c.ID <= 30 {
				t.Fatalf("new customer %+v, %v", c, err)
			}
			o, err := bot.NewOrder(c, []bot.OrderItem{{SKU: ps[0].SKU, Name: ps[0].Name, UnitPrice: ps[0].Price, Qty: 1}}, bot.Contact{Name: "Load Tester"}, time.Now())
			if err != nil {
				t.Fatal(err)
			}
			if err := s.CreateOrder(ctx, o); err != nil {
				t.Fatalf("order after the seed: %v", err)
			}
			if n, _ := strconv.Atoi(o.Number); n <= 100070 {
				t.Fatalf("order after the seed numbered %s", o.Number)
			}
		})
	}
}

// TestRunSeededAtHumanPace runs the tool as README shows, small: the real
// orderbot (built here) on a seeded SQLite database, Telegram customers
// thinking between steps. Every step must be answered with one message and
// the report must say what was stored and orderbot's memory.
func TestRunSeededAtHumanPace(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts orderbot")
	}
	bin := filepath.Join(t.TempDir(), "orderbot")
	build := exec.Command("go", "build", "-o", bin, "github.com/orderbot/orderbot/cmd/orderbot")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build orderbot: %v\n%s", err, out)
	}
	o, err := parseFlags([]string{"-bin", bin, "-db", "sqlite", "-channel", "telegram", "-customers", "3",
		"-duration", "3s", "-think", "100ms", "-ceiling=false", "-log", filepath.Join(t.TempDir(), "orderbot.log"),
		"-seed-customers", "200", "-seed-products", "40", "-seed-orders", "300"}, new(strings.Builder))
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	rep, err := measure(context.Background(), o, &stderr)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if rep.Messages == 0 || rep.NoReply > 0 || len(rep.Errors) > 0 {
		t.Fatalf("report %+v", rep)
	}
	if rep.API.sends < int64(rep.Messages) || rep.RSSPeakMB <= 0 || rep.Think != 100*time.Millisecond {
		t.Fatalf("report %+v", rep)
	}
	if !strings.Contains(stderr.String(), "seeded 200 customers, 40 products, 300 orders") {
		t.Fatalf("stderr %q", stderr.String())
	}
	var out strings.Builder
	rep.print(&out)
	for _, want := range []string{"thinking 100ms between steps", "stored before 200 customers, 40 products, 300 orders", "Bot API", "at most"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("report lacks %q:\n%s", want, out.String())
		}
	}
}

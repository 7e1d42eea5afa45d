// Command orderbot-load measures a running orderbot the way customers load
// it: simulated shoppers browse, open a product, add it to the cart, go
// through checkout and look up their orders, through the Telegram webhook
// (answered by a fake Bot API that records when each reply arrives), the
// WeChat push endpoint (the reply in the push's answer, or a
// customer-service message at a fake WeChat API) or the web chat API. It
// reports messages per second, the webhook's acknowledgement time, the
// delay until the reply reached the platform, the outbox backlog at the end
// and, in the same run, the database's raw write ceiling at the same
// concurrency, with the ratio between the two.
//
//	go build -o /tmp/orderbot ./cmd/orderbot
//	go run ./cmd/orderbot-load -bin /tmp/orderbot -db sqlite -customers 16
//	go run ./cmd/orderbot-load -bin /tmp/orderbot -db 'mysql:root@tcp(127.0.0.1:3306)/' -channel webchat -rate 500
//	go run ./cmd/orderbot-load -bin /tmp/orderbot -channel wechat -customers 64    # passive replies
//	go run ./cmd/orderbot-load -bin /tmp/orderbot -customers 64 -think 2s          # human pace
//	go run ./cmd/orderbot-load -bin /tmp/orderbot -channel webchat -seed-customers 100000 -seed-orders 200000 -warmup 15s
//
// With -bin it starts orderbot itself on a fresh database (deleted after)
// with the demo catalog, pointed at its fake Bot API and fake WeChat API.
// With -url it drives an orderbot that is already running (web chat only).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "orderbot-load:", err)
		os.Exit(1)
	}
}

type options struct {
	bin, url, db, channel string
	customers             int
	rate                  float64
	duration, wait        time.Duration
	think, warmup         time.Duration
	ceiling               bool
	log, cpuProfile       string
	seed                  seedSize
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("orderbot-load", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.bin, "bin", "", "orderbot binary to start (on a fresh database)")
	fs.StringVar(&o.url, "url", "", "base URL of an orderbot already running (web chat only)")
	fs.StringVar(&o.db, "db", "sqlite", "with -bin: sqlite, or mysql:DSN of a server where a scratch database is made")
	fs.StringVar(&o.channel, "channel", "telegram", "telegram, wechat or webchat")
	fs.IntVar(&o.customers, "customers", 16, "simulated customers (closed loop: concurrency)")
	fs.Float64Var(&o.rate, "rate", 0, "open loop: messages per second offered (0: closed loop)")
	fs.DurationVar(&o.duration, "duration", 20*time.Second, "how long to load")
	fs.DurationVar(&o.wait, "wait", 10*time.Second, "how long a customer waits for a reply")
	fs.BoolVar(&o.ceiling, "ceiling", true, "measure the database's raw write ceiling too (with -bin)")
	fs.StringVar(&o.log, "log", "", "with -bin: file for orderbot's log (default: a temporary file)")
	fs.StringVar(&o.cpuProfile, "cpuprofile", "", "with -bin: write orderbot's CPU profile over the run to this file (go tool pprof)")
	fs.DurationVar(&o.warmup, "warmup", 0, "with -bin: wait this long after orderbot is ready before loading it, so that what it does once at start (the day's tier sweep over the stored customers) is done")
	fs.DurationVar(&o.think, "think", 0, "closed loop: how long each customer waits after a reply before its next step (human pace)")
	fs.IntVar(&o.seed.customers, "seed-customers", 0, "with -bin: customers stored before the run")
	fs.IntVar(&o.seed.products, "seed-products", 0, "with -bin: products stored before the run (instead of the demo catalog)")
	fs.IntVar(&o.seed.orders, "seed-orders", 0, "with -bin: completed orders stored before the run, spread over the seeded customers")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	switch {
	case (o.bin == "") == (o.url == ""):
		return o, errors.New("give -bin (start orderbot) or -url (drive a running one)")
	case o.channel != "telegram" && o.channel != "wechat" && o.channel != "webchat":
		return o, fmt.Errorf("-channel %q: want telegram, wechat or webchat", o.channel)
	case o.url != "" && o.channel != "webchat":
		return o, errors.New("-url drives the web chat only; use -bin for Telegram and WeChat")
	case o.customers < 1 || o.customers > 10000:
		return o, errors.New("-customers must be 1–10000")
	case o.rate < 0 || o.duration <= 0:
		return o, errors.New("-rate must not be negative and -duration must be positive")
	case o.think < 0 || (o.think > 0 && o.rate > 0):
		return o, errors.New("-think is for the closed loop (without -rate) and must not be negative")
	case o.seed.customers < 0 || o.seed.products < 0 || o.seed.orders < 0:
		return o, errors.New("-seed-customers, -seed-products and -seed-orders must not be negative")
	case o.warmup < 0 || (o.warmup > 0 && o.bin == ""):
		return o, errors.New("-warmup needs -bin and must not be negative")
	case o.cpuProfile != "" && o.bin == "":
		return o, errors.New("-cpuprofile needs -bin")
	case o.seed.any() && o.bin == "":
		return o, errors.New("-seed-… fill the scratch database of -bin; they cannot change a running orderbot")
	}
	return o, nil
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	rep, err := measure(ctx, o, stderr)
	if err != nil {
		return err
	}
	rep.print(stdout)
	return nil
}

// measure runs the load the options describe and reports it.
func measure(ctx context.Context, o options, stderr io.Writer) (report, error) {
	var err error
	api, wx := newFakeBotAPI(), newFakeWeChatAPI()
	transport := &http.Transport{MaxIdleConnsPerHost: o.customers + 8, MaxConnsPerHost: 0}
	base := o.url
	var bot *orderbot
	if o.bin != "" {
		bot, err = startOrderbot(ctx, o, platformAPIs(api, wx), stderr)
		if err != nil {
			return report{}, err
		}
		defer bot.stop()
		base = bot.base
	}
	rep := report{Channel: o.channel, Database: databaseKind(o), Customers: o.customers, Mode: "closed", Offered: o.rate}
	if o.rate > 0 {
		rep.Mode = "open"
	}
	pause(ctx, o.warmup)
	// The database server's CPU, when it runs on this machine, splits what
	// a message costs between orderbot and the database.
	server := 0
	if bot != nil && databaseKind(o) == "mysql" {
		server = databaseServer(ctx, bot.dsn)
	}
	if bot != nil && o.ceiling {
		start, cpu := time.Now(), processCPU(server)
		if rep.Ceiling, err = bot.ceiling(ctx, o.customers); err != nil {
			return report{}, err
		}
		if txns := rep.Ceiling * time.Since(start).Seconds(); server != 0 && txns > 0 {
			rep.DBCPUPerTxn = time.Duration(float64(processCPU(server)-cpu) / txns)
		}
	}
	drivers := make([]driver, o.customers)
	updates := new(atomic.Int64)
	msgIDs := new(atomic.Int64)
	msgIDs.Store(wechatMsgIDBase)
	client := &http.Client{Transport: transport, Timeout: time.Minute}
	for i := range drivers {
		switch o.channel {
		case "telegram":
			drivers[i] = newTelegramCustomer(int64(telegramChatBase+i), base, webhookSecret, client, api, updates, o.wait)
		case "wechat":
			drivers[i] = newWeChatCustomer(i, base, wechatToken, client, wx, msgIDs, o.wait)
		default:
			drivers[i] = newWebCustomer(base, i, transport)
		}
	}
	cpu0, calls0, wxCalls0, dbCPU0 := bot.cpu(), api.count(), wx.count(), processCPU(server)
	toolCPU0, machine0 := processCPU(os.Getpid()), readMachineCPU()
	res := newResults()
	start := time.Now()
	lctx, cancel := context.WithTimeout(ctx, o.duration)
	defer cancel()
	profiled := make(chan error, 1)
	if o.cpuProfile != "" {
		go func() { profiled <- bot.cpuProfile(ctx, o.duration, o.cpuProfile) }()
	} else {
		profiled <- nil
	}
	steps := journeyOf(o.channel)
	if o.rate > 0 {
		openLoop(lctx, drivers, steps, o.rate, res)
	} else {
		closedLoop(lctx, drivers, steps, o.think, res)
	}
	elapsed := time.Since(start)
	if err := <-profiled; err != nil {
		// The load's figures stand without the profile.
		fmt.Fprintln(stderr, "orderbot-load:", err)
	}
	got := res.report(elapsed)
	switch o.channel {
	case "telegram":
		got.API = api.count().minus(calls0)
	case "wechat":
		got.WeChatAPI = wx.count().minus(wxCalls0)
	}
	got.Channel, got.Database, got.Customers, got.Mode, got.Offered, got.Ceiling, got.Think, got.Seed =
		rep.Channel, rep.Database, rep.Customers, rep.Mode, rep.Offered, rep.Ceiling, o.think, o.seed
	got.DBCPUPerTxn = rep.DBCPUPerTxn
	got.MachineBusy = readMachineCPU().busySince(machine0)
	if got.Messages > 0 {
		got.ToolCPUPerMsg = (processCPU(os.Getpid()) - toolCPU0) / time.Duration(got.Messages)
	}
	if bot != nil {
		if got.Messages > 0 {
			got.CPUPerMsg = (bot.cpu() - cpu0) / time.Duration(got.Messages)
			if server != 0 {
				got.DBCPUPerMsg = (processCPU(server) - dbCPU0) / time.Duration(got.Messages)
			}
		}
		got.RSSAfterMB, got.RSSPeakMB = bot.rssMB()
		// Read even when the run was interrupted: what it measured is reported.
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		if got.Backlog, err = bot.backlog(bctx); err != nil {
			return report{}, err
		}
	}
	return got, nil
}

// databaseKind names the database for the report, without the DSN (it may
// hold a password).
func databaseKind(o options) string {
	switch {
	case o.url != "":
		return "as running"
	case o.db == "sqlite":
		return "sqlite"
	}
	return "mysql"
}

// cursor is where a customer is in its journey.
type cursor struct {
	d     driver
	steps []step
	next  int
}

func (c *cursor) step(ctx context.Context, res *results) {
	s := c.steps[c.next%len(c.steps)]
	c.next++
	out := c.d.do(ctx, s)
	if ctx.Err() == nil || out.err == nil {
		res.add(out)
	}
}

// telegramChatBase is the chat id of the first simulated Telegram customer.
const telegramChatBase = 1_000_000

// wechatMsgIDBase is where the MsgIds of the followers' pushes start: as
// large as WeChat's own.
const wechatMsgIDBase = 24_000_000_000_000_000

// closedLoop has every customer send its next message when the reply to
// the last one arrived and, at human pace, think more after it. Thinking
// customers start spread over one think time, as people who came at
// different moments would, rather than all in the same instant.
func closedLoop(ctx context.Context, drivers []driver, steps []step, think time.Duration, res *results) {
	var wg sync.WaitGroup
	for i, d := range drivers {
		wg.Go(func() {
			c := &cursor{d: d, steps: steps}
			pause(ctx, think*time.Duration(i)/time.Duration(len(drivers)))
			for ctx.Err() == nil {
				c.step(ctx, res)
				pause(ctx, think)
			}
		})
	}
	wg.Wait()
}

// pause waits d or until ctx ends.
func pause(ctx context.Context, d time.Duration) {
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}

// openLoop offers messages at a fixed rate whatever the answers, each from
// a customer not waiting for a reply; when all wait, the tick is counted as
// not offered, which means the bot fell behind the rate.
func openLoop(ctx context.Context, drivers []driver, steps []step, rate float64, res *results) {
	idle := make(chan *cursor, len(drivers))
	for _, d := range drivers {
		idle <- &cursor{d: d, steps: steps}
	}
	t := time.NewTicker(time.Duration(float64(time.Second) / rate))
	defer t.Stop()
	var wg sync.WaitGroup
	defer wg.Wait()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		select {
		case c := <-idle:
			wg.Go(func() {
				c.step(ctx, res)
				idle <- c
			})
		default:
			res.skip()
		}
	}
}

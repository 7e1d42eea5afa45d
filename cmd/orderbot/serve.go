package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"golang.org/x/net/netutil"

	"github.com/orderbot/orderbot/adapters/api"
	"github.com/orderbot/orderbot/adapters/webchat"
	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/broadcast"
	"github.com/orderbot/orderbot/bot/care"
	"github.com/orderbot/orderbot/bot/handoff"
	"github.com/orderbot/orderbot/bot/pay"
	"github.com/orderbot/orderbot/bot/refundretry"
	"github.com/orderbot/orderbot/bot/tier"
)

// shutdownGrace bounds how long in-flight requests and the last outbox
// flush may take after SIGINT/SIGTERM.
const shutdownGrace = 20 * time.Second

func serve(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	log := cfg.Ops.logger(stderr)
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	resealed := resealInBackground(ctx, st, log)
	defer func() { stop(); <-resealed }()

	m := newMetrics()
	senders := map[string]bot.Sender{}
	disp := bot.NewDispatcher(st, senders, log, bot.DispatcherConfig{MaxAttempts: maxSendAttempts})
	tiers := tier.New(st, log, nil, cfg.Shop.Location)
	money := pay.New(st, log, nil, cfg.Shipping)
	coreCfg := coreConfig(cfg)
	coreCfg.Membership = tiers
	// A reply written when nothing else waits for the customer goes
	// straight to this replica's dispatcher, with no claim of the outbox.
	coreCfg.Courier = disp
	careSvc := care.New(st, log.With("component", "care"), care.Config{
		SurveyDelay: cfg.Care.SurveyDelay, CartReminder: cfg.Care.CartReminder, StaffChannels: coreCfg.StaffChannels,
		Membership: tiers, StaffLang: cfg.Shop.StaffLang, Location: cfg.Shop.Location,
	}, disp.Kick)
	coreCfg.Care = careSvc
	// Promotions: approved on any staff channel's card or through the API,
	// queued in batches by whichever replica holds the broadcast's lease.
	bcasts := broadcast.New(st, log.With("component", "broadcast"), broadcast.Config{
		TwoPeople: cfg.Care.BroadcastTwoPeople, StaffChannels: coreCfg.StaffChannels, Location: cfg.Shop.Location,
		StaffLang: cfg.Shop.StaffLang, Currency: cfg.Currency,
	}, disp.Kick)
	coreCfg.Broadcasts = bcasts
	coreCfg.Pricing = money
	wxpay, wxdom, err := openWeChatPay(cfg, st, log)
	if err != nil {
		return err
	}
	var refunds *refundretry.Queue
	if wxpay != nil {
		// Refunds WeChat refuses are kept and asked for again; staff are
		// told through the core (wxdom) when it gives up.
		if refunds, err = refundretry.New(st, wechatRefunder{wxpay}, wxdom, log.With("component", "refundretry"), cfg.Clock); err != nil {
			return err
		}
		coreCfg.Pay.Links = wechatPayLinks{a: wxpay, refunds: refunds}
	}
	transcripts := handoff.New(st)
	coreCfg.Transcripts = transcripts
	core := bot.NewService(st, log, coreCfg, disp.Kick)
	if wxdom != nil {
		wxdom.core = core
	}
	m.watchOutbox(core.OutboxCounts, cfg.Ops.ReadyTimeout)
	svc := m.service(core, st)
	priv := newPrivacy(st, core, cfg, log)
	if cfg.Demo {
		if err := seedDemo(ctx, core, st, stdout); err != nil {
			return err
		}
	}
	crm := api.NewCRM(st, log, nil, cfg.Shop.Location)
	web := webchat.New(svc, st, log, webchat.Options{
		SecureCookies: strings.HasPrefix(cfg.PublicURL, "https://"),
		Records:       st, Reports: st, Location: cfg.Shop.Location, Lang: cfg.Shop.StaffLang,
		Title: cfg.Shop.Name, Currency: cfg.Currency,
		Logo: cfg.Chat.Logo, FrameAncestors: cfg.Chat.EmbedOrigins,
		Privacy:     priv,
		Coupons:     money,
		FollowUps:   careSvc,
		Broadcasts:  bcasts,
		Transcripts: transcripts, CRM: consoleCRM{crm},
	})
	senders[bot.WebChat] = m.sender(bot.WebChat, web)
	chans, err := openChannels(ctx, cfg, svc, st, pay.Checkout{Store: st, Orders: core}, log)
	if err != nil {
		return err
	}

	mux := http.NewServeMux()
	web.Register(mux)
	if wxpay != nil {
		wxpay.Register(mux)
	}
	registerAPI(mux, st, svc, crm, web, priv, careSvc, bcasts, money, cfg, log)
	for name, ch := range chans {
		senders[name] = m.sender(name, ch)
		ch.Register(mux)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", readyz(st, cfg.Ops.ReadyTimeout, false))
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/chat", http.StatusFound)
	})

	ln, err := listen(cfg.Addr, cfg.Ops.MaxConns)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           behindProxies(cfg.TrustedProxies, instrument(mux, m, log, cfg.Ops.RequestTimeout)),
		ReadHeaderTimeout: 10 * time.Second,
		// Headers and body must arrive within it: a client trickling its
		// body holds a connection no longer.
		ReadTimeout: cfg.Ops.BodyTimeout,
		// Long enough for the web chat's 25-second long polls.
		WriteTimeout: 60 * time.Second,
		IdleTimeout:  120 * time.Second,
		ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	admin, err := listenAdmin(cfg.Ops, adminHandler(m, st, cfg.Ops.ReadyTimeout), log)
	if err != nil {
		ln.Close()
		return err
	}
	base := baseURL(ln.Addr(), cfg.PublicURL)
	fmt.Fprintf(stdout, "orderbot is running on %s\n  customer chat: %s/chat\n  staff console: %s/staff\n", base, base, base)
	if cfg.PublicURL != "" {
		fmt.Fprintf(stdout, "  listening on %s\n", baseURL(ln.Addr(), ""))
	}
	if admin != nil {
		fmt.Fprintf(stdout, "  admin (metrics, readiness, pprof): %s\n", baseURL(admin.ln.Addr(), ""))
	}

	for name := range chans {
		fmt.Fprintf(stdout, "  %s: on\n", name)
	}

	if err := startDailyReport(ctx, cfg, st, chans, log); err != nil {
		return err
	}

	dctx, stopDispatcher := context.WithCancel(context.WithoutCancel(ctx))
	dispatched := make(chan struct{})
	go func() { disp.Run(dctx); close(dispatched) }()
	// The channels' own loops stop with ctx; they finish what they started.
	failed := make(chan error, len(chans)+1)
	var loops sync.WaitGroup
	// The web chat prunes its limits, sessions and loose photos.
	loops.Go(func() { _ = web.Run(ctx) })
	for name, ch := range chans {
		r, ok := ch.(runner)
		if !ok {
			continue
		}
		loops.Go(func() {
			if err := r.Run(ctx); err != nil {
				failed <- fmt.Errorf("%s: %w", name, err)
			}
		})
	}
	// One replica a day recomputes every tier; the others find it claimed.
	// Waited for at shutdown, so that a sweep cut short ends before the database closes.
	loops.Go(func() { tiers.Run(ctx) })
	// One replica an hour deletes the customers who never ordered and have
	// been silent for ORDERBOT_RETENTION.
	loops.Go(func() { priv.Run(ctx, core) })
	// Every replica looks for due surveys; each is created once, with its message.
	loops.Go(func() { careSvc.Run(ctx, surveyTick) })
	// Every replica looks for due broadcasts; one at a time holds each.
	loops.Go(func() { bcasts.Run(ctx, surveyTick) })
	loops.Go(func() { core.RunPaymentSweep(ctx) })
	if refunds != nil {
		// Every replica sweeps; each refund is claimed in the database, so
		// one replica asks the provider for it.
		loops.Go(func() { refunds.Run(ctx) })
	}
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			failed <- fmt.Errorf("http server: %w", err)
		}
	}()
	go admin.serve(failed)

	var runErr error
	select {
	case runErr = <-failed:
		log.Error("stopping", "err", runErr)
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "shutting down: finishing requests and the messages being sent")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	shutdownErr := errors.Join(srv.Shutdown(sctx), admin.shutdown(sctx))
	for name, ch := range chans {
		if c, ok := ch.(closer); ok {
			if err := c.Close(sctx); err != nil {
				log.Error("channel did not finish its work", "channel", name, "err", err)
			}
		}
	}
	if runErr != nil {
		// ctx is still live when a channel failed: the others must stop too.
		stop()
	}
	loops.Wait()
	// The sends under way finish within the grace period; the messages
	// left are given back for another replica or the next start.
	_ = disp.Shutdown(sctx) // it logs what it left
	stopDispatcher()
	<-dispatched
	if runErr != nil {
		return runErr
	}
	if shutdownErr != nil {
		return fmt.Errorf("shutdown: %w", shutdownErr)
	}
	return nil
}

// baseURL is what to print for people to open.
func baseURL(addr net.Addr, public string) string {
	if public != "" {
		return public
	}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil || host == "::" || host == "0.0.0.0" || host == "" {
		host = "localhost"
	}
	return "http://" + net.JoinHostPort(host, port)
}

// listen opens the public listener, accepting at most maxConns connections
// at once: beyond that, new ones wait in the kernel's queue rather than use
// up the file descriptors the database and the platforms need.
func listen(addr string, maxConns int) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	return netutil.LimitListener(ln, maxConns), nil
}

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

	"github.com/orderbot/orderbot/adapters/webchat"
	"github.com/orderbot/orderbot/bot"
)

// shutdownGrace bounds how long in-flight requests and the last outbox
// flush may take after SIGINT/SIGTERM.
const shutdownGrace = 20 * time.Second

func serve(ctx context.Context, cfg config, stdout, stderr io.Writer) error {
	ctx, stop := context.WithCancel(ctx)
	defer stop()
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()

	senders := map[string]bot.Sender{}
	disp := bot.NewDispatcher(st, senders, log, bot.DispatcherConfig{})
	svc := bot.NewService(st, log, coreConfig(cfg), disp.Kick)
	if cfg.Demo {
		if err := seedDemo(ctx, svc, stdout); err != nil {
			return err
		}
	}
	web := webchat.New(svc, log, webchat.Options{SecureCookies: strings.HasPrefix(cfg.PublicURL, "https://")})
	senders[bot.WebChat] = web
	chans, err := openChannels(ctx, cfg, svc, log)
	if err != nil {
		return err
	}

	metrics := newMetrics(svc.OutboxCounts)
	mux := http.NewServeMux()
	web.Register(mux)
	for name, ch := range chans {
		senders[name] = ch
		ch.Register(mux)
	}
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("GET /readyz", readyz(st))
	mux.Handle("GET /metrics", metrics)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/chat", http.StatusFound)
	})

	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           metrics.wrap(mux),
		ReadHeaderTimeout: 10 * time.Second,
		// Long enough for the web chat's 25-second long polls.
		WriteTimeout: 60 * time.Second,
		IdleTimeout:  120 * time.Second,
		ErrorLog:     slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	base := baseURL(ln.Addr(), cfg.PublicURL)
	fmt.Fprintf(stdout, "orderbot is running on %s\n  customer chat: %s/chat\n  staff console: %s/staff\n", base, base, base)

	for name := range chans {
		fmt.Fprintf(stdout, "  %s: on\n", name)
	}

	dctx, stopDispatcher := context.WithCancel(context.WithoutCancel(ctx))
	dispatched := make(chan struct{})
	go func() { disp.Run(dctx); close(dispatched) }()
	// The channels' own loops stop with ctx; they finish what they started.
	failed := make(chan error, len(chans)+1)
	var loops sync.WaitGroup
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
	go func() {
		if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			failed <- fmt.Errorf("http server: %w", err)
		}
	}()

	var runErr error
	select {
	case runErr = <-failed:
		log.Error("stopping", "err", runErr)
	case <-ctx.Done():
	}
	fmt.Fprintln(stdout, "shutting down: finishing requests and flushing the outbox")
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), shutdownGrace)
	defer cancel()
	shutdownErr := srv.Shutdown(sctx)
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

// readyz answers 503 until the database answers with every migration applied,
// so a load balancer sends no traffic to a replica that cannot serve it.
func readyz(st interface{ Ready(context.Context) error }) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := st.Ready(r.Context()); err != nil {
			http.Error(w, "not ready: "+err.Error(), http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	}
}

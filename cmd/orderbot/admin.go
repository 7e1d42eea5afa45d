package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"time"
)

// readiness is what /readyz asks: the database answers with every
// migration applied.
type readiness interface {
	Ready(ctx context.Context) error
}

// readyz answers 503 until the database answers with every migration
// applied, so a load balancer sends no traffic to a replica that cannot
// serve it. The check gets timeout, so a hung database is "not ready" in
// that time rather than a hung probe. Only detail (the admin listener) says
// why: the error text names internals.
func readyz(st readiness, timeout time.Duration, detail bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		if err := st.Ready(ctx); err != nil {
			msg := "not ready"
			if detail {
				msg += ": " + err.Error()
			}
			http.Error(w, msg, http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ready")
	}
}

// adminHandler serves what only operators may see: metrics, readiness with
// its reason, and the profiler.
func adminHandler(m *metrics, st readiness, timeout time.Duration) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", m.handler())
	mux.HandleFunc("GET /readyz", readyz(st, timeout, true))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "ok") })
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	return mux
}

// adminServer is the second listener; nil when ORDERBOT_ADMIN_ADDR is off.
type adminServer struct {
	srv *http.Server
	ln  net.Listener
}

// listenAdmin opens the admin listener. It has no read or write timeout
// beyond the headers': a CPU profile or a trace runs for as long as asked.
func listenAdmin(cfg opsConfig, h http.Handler, log *slog.Logger) (*adminServer, error) {
	if cfg.AdminAddr == "" {
		return nil, nil
	}
	ln, err := net.Listen("tcp", cfg.AdminAddr)
	if err != nil {
		return nil, fmt.Errorf("admin listen (ORDERBOT_ADMIN_ADDR): %w", err)
	}
	if ap, err := netip.ParseAddrPort(ln.Addr().String()); err == nil && !ap.Addr().IsLoopback() {
		log.Warn("the admin listener (metrics, pprof) has no login and is reachable from other hosts: let only monitoring reach it",
			"addr", ln.Addr().String())
	}
	return &adminServer{ln: ln, srv: &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}}, nil
}

// serve runs until Shutdown, reporting a failure on failed unless another
// one is already waiting there: one is enough to stop the server.
func (a *adminServer) serve(failed chan<- error) {
	if a == nil {
		return
	}
	if err := a.srv.Serve(a.ln); !errors.Is(err, http.ErrServerClosed) {
		select {
		case failed <- fmt.Errorf("admin server: %w", err):
		default:
		}
	}
}

func (a *adminServer) shutdown(ctx context.Context) error {
	if a == nil {
		return nil
	}
	return a.srv.Shutdown(ctx)
}

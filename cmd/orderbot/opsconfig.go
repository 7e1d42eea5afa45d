package main

import (
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/orderbot/orderbot/bot/logctx"
)

// opsConfig is how the server is run and watched: logging, the admin
// listener, and the limits that keep one slow client or a hung database from
// taking the server down. The durations and the connection limit are not
// settings: tests shorten them.
type opsConfig struct {
	// AdminAddr serves /metrics, the detailed /readyz and pprof; "" is off.
	AdminAddr string
	LogJSON   bool
	LogLevel  slog.Level
	// BodyTimeout cuts off a request whose headers and body have not
	// arrived within it (a client trickling its body one byte at a time).
	BodyTimeout time.Duration
	// RequestTimeout is the deadline of an ordinary request's context, so
	// a hung database answers 503 instead of holding the request; the long
	// polls end by their own wait.
	RequestTimeout time.Duration
	// ReadyTimeout bounds /readyz's database check.
	ReadyTimeout time.Duration
	// MaxConns bounds the open connections of the public listener, so
	// that idle or slow clients cannot use up the file descriptors.
	MaxConns int
}

func loadOps(get func(string) string) (opsConfig, error) {
	c := opsConfig{
		AdminAddr:      orDefault(get("ORDERBOT_ADMIN_ADDR"), "127.0.0.1:9090"),
		BodyTimeout:    30 * time.Second,
		RequestTimeout: 10 * time.Second,
		ReadyTimeout:   2 * time.Second,
		MaxConns:       4096,
	}
	if strings.EqualFold(c.AdminAddr, "off") {
		c.AdminAddr = ""
	}
	switch f := strings.ToLower(orDefault(get("ORDERBOT_LOG_FORMAT"), "text")); f {
	case "text":
	case "json":
		c.LogJSON = true
	default:
		return opsConfig{}, fmt.Errorf("ORDERBOT_LOG_FORMAT=%q: want text or json", f)
	}
	lv := strings.ToLower(orDefault(get("ORDERBOT_LOG_LEVEL"), "info"))
	switch lv {
	case "debug":
		c.LogLevel = slog.LevelDebug
	case "info":
		c.LogLevel = slog.LevelInfo
	case "warn":
		c.LogLevel = slog.LevelWarn
	case "error":
		c.LogLevel = slog.LevelError
	default:
		return opsConfig{}, fmt.Errorf("ORDERBOT_LOG_LEVEL=%q: want debug, info, warn or error", lv)
	}
	return c, nil
}

// logger writes to w in the configured format and level, adding the
// request id and order number that a line's context carries.
func (c opsConfig) logger(w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: c.LogLevel}
	var h slog.Handler = slog.NewTextHandler(w, opts)
	if c.LogJSON {
		h = slog.NewJSONHandler(w, opts)
	}
	return slog.New(logctx.NewHandler(h))
}

// Package slack puts staff cards in a Slack channel and turns what staff do
// there (button presses, modal forms, replies in a handoff thread, the
// /orders command) into core staff actions. It speaks the Events API,
// interactivity and slash commands over signed HTTP requests, or over
// Socket Mode when an app-level token is configured. Everything of
// github.com/slack-go/slack stays inside this package.
package slack

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/slack-go/slack"

	"github.com/orderbot/orderbot/bot"
)

// Service is what the adapter needs from the core.
type Service interface {
	HandleStaffAction(ctx context.Context, a bot.StaffAction) (bot.StaffResult, error)
	StaffMember(ctx context.Context, channel, userID string) (bot.Staff, error)
	CardRefByExternal(ctx context.Context, channel, externalID string) (string, error)
	OpenWork(ctx context.Context) ([]bot.Card, error)
	OrderDetails(ctx context.Context, number string) (bot.Card, error)
	Stats(ctx context.Context, from, to time.Time) (orders int, revenue int64, err error)
}

// Config is the adapter's settings. Zero durations and sizes get defaults.
type Config struct {
	// BotToken (xoxb-) is used for every Web API call.
	BotToken string
	// SigningSecret verifies the HTTP requests Slack sends (HTTP mode).
	SigningSecret string
	// AppToken (xapp-), when set, runs Socket Mode: Slack's requests come
	// over a WebSocket the adapter opens, so no public URL is needed.
	AppToken string
	// APIURL is the Web API base; it must end in a slash.
	APIURL string
	// StaffChannel is the id of the channel staff cards are posted to.
	StaffChannel string
	// HTTPClient makes the Web API calls; http.DefaultClient's settings
	// with a timeout when nil.
	HTTPClient *http.Client

	// PostInterval and PostBurst pace messages per channel: Slack allows
	// about one message a second in a channel (defaults 1 s and 1).
	PostInterval time.Duration
	PostBurst    int
	// WorkTimeout bounds the work done after a request was acknowledged
	// (default 30 s).
	WorkTimeout time.Duration
	// MaxBody is the largest request body accepted (default 1 MiB).
	MaxBody int64
	// Clock gives the time for "/orders today"; time.Now when nil.
	Clock func() time.Time
	// StaffLang is the language of what the adapter says to staff: "en",
	// or Chinese for anything else (ORDERBOT_STAFF_LANG defaults to zh).
	StaffLang string
	// Location is the shop's time zone: "/orders today" is its day (UTC
	// when nil).
	Location *time.Location
	// Currency is put before amounts ("¥" when empty).
	Currency string
}

// Adapter is the Slack staff channel. It is a bot.Sender for channel
// "slack" and serves Slack's requests.
type Adapter struct {
	svc   Service
	log   *slog.Logger
	cfg   Config
	api   *slack.Client
	limit *limiter
	staff staffText
	// work tracks what runs after a request was acknowledged, so shutdown
	// and tests can wait for it.
	work sync.WaitGroup
}

// New checks the configuration and returns an adapter. It makes no network
// call.
func New(svc Service, log *slog.Logger, cfg Config) (*Adapter, error) {
	switch {
	case cfg.BotToken == "":
		return nil, errors.New("slack: a bot token is required")
	case cfg.StaffChannel == "":
		return nil, errors.New("slack: a staff channel id is required")
	case cfg.SigningSecret == "" && cfg.AppToken == "":
		return nil, errors.New("slack: a signing secret (HTTP mode) or an app token (Socket Mode) is required")
	case cfg.AppToken != "" && !strings.HasPrefix(cfg.AppToken, "xapp-"):
		return nil, errors.New("slack: the app token must be an app-level token (xapp-...)")
	}
	if cfg.APIURL == "" {
		cfg.APIURL = slack.APIURL
	}
	if !strings.HasSuffix(cfg.APIURL, "/") {
		// The library joins method names straight onto the base.
		cfg.APIURL += "/"
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	if cfg.PostInterval <= 0 {
		cfg.PostInterval = time.Second
	}
	if cfg.PostBurst <= 0 {
		cfg.PostBurst = 1
	}
	if cfg.WorkTimeout <= 0 {
		cfg.WorkTimeout = 30 * time.Second
	}
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = 1 << 20
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Currency == "" {
		cfg.Currency = "¥"
	}
	opts := []slack.Option{slack.OptionAPIURL(cfg.APIURL), slack.OptionHTTPClient(cfg.HTTPClient)}
	if cfg.AppToken != "" {
		opts = append(opts, slack.OptionAppLevelToken(cfg.AppToken))
	}
	return &Adapter{
		svc:   svc,
		log:   log,
		cfg:   cfg,
		api:   slack.New(cfg.BotToken, opts...),
		limit: newLimiter(cfg.PostInterval, cfg.PostBurst),
		staff: newStaffText(cfg.StaffLang),
	}, nil
}

// Register adds the HTTP endpoints Slack calls in HTTP mode. Without a
// signing secret nothing could be verified, so nothing is registered.
func (a *Adapter) Register(mux *http.ServeMux) {
	if a.cfg.SigningSecret == "" {
		return
	}
	mux.Handle("POST /slack/events", a.verified(a.serveEvents))
	mux.Handle("POST /slack/interactions", a.verified(a.serveInteractions))
	mux.Handle("POST /slack/commands", a.verified(a.serveCommands))
}

// Run runs the Socket Mode connection when an app token is configured, and
// otherwise just waits for ctx. Either way it returns only after the work
// of acknowledged requests has finished.
func (a *Adapter) Run(ctx context.Context) error {
	defer a.Wait()
	if a.cfg.AppToken == "" {
		<-ctx.Done()
		return nil
	}
	return a.runSocket(ctx)
}

// Wait blocks until the work started by acknowledged requests is done.
func (a *Adapter) Wait() { a.work.Wait() }

// async runs fn after the request that caused it has been acknowledged.
// It gets its own deadline: the request's context ends with the response.
func (a *Adapter) async(parent context.Context, what string, fn func(ctx context.Context)) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), a.cfg.WorkTimeout)
	a.work.Go(func() {
		defer cancel()
		defer func() {
			// A bug in one staff action must not take the customers'
			// service down with it.
			if p := recover(); p != nil {
				a.log.Error("slack: panic in "+what, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			}
		}()
		fn(ctx)
	})
}

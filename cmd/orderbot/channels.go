package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/orderbot/orderbot/adapters/telegram"
	"github.com/orderbot/orderbot/bot"
)

// channel is a chat platform's adapter as serve runs it: it delivers the
// outbox's messages, takes the platform's webhooks, and may run a loop of its
// own (long polling, a socket).
type channel interface {
	bot.Sender
	Register(mux *http.ServeMux)
	Run(ctx context.Context) error
}

// coreConfig is what the core needs to know about the enabled channels.
func coreConfig(cfg config) bot.Config {
	c := bot.Config{
		StaffChannels: []string{bot.WebChat},
		Currency:      cfg.Currency,
		ContactButton: map[string]bool{bot.Telegram: true},
	}
	if cfg.Telegram.Token != "" && cfg.Telegram.StaffChat != 0 {
		c.StaffChannels = append(c.StaffChannels, bot.Telegram)
	}
	return c
}

// openChannels builds the adapters the configuration enables.
func openChannels(ctx context.Context, cfg config, svc *bot.Service, log *slog.Logger) (map[string]channel, error) {
	chans := map[string]channel{}
	if cfg.Telegram.Token != "" {
		tg, err := telegram.New(ctx, svc, log.With("channel", bot.Telegram), telegram.Config{
			Token:         cfg.Telegram.Token,
			APIEndpoint:   cfg.Telegram.API,
			WebhookSecret: cfg.Telegram.WebhookSecret,
			PublicURL:     cfg.PublicURL,
			StaffChat:     cfg.Telegram.StaffChat,
			HTTPClient:    &http.Client{Timeout: 70 * time.Second},
		})
		if err != nil {
			return nil, fmt.Errorf("telegram: %w", err)
		}
		chans[bot.Telegram] = tg
	}
	return chans, nil
}

package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/orderbot/orderbot/adapters/telegram"
	"github.com/orderbot/orderbot/adapters/wechat"
	"github.com/orderbot/orderbot/bot"
)

// channel is a chat platform's adapter as serve runs it: it delivers the
// outbox's messages and takes the platform's webhooks.
type channel interface {
	bot.Sender
	Register(mux *http.ServeMux)
}

// runner is a channel with a loop of its own (long polling, a socket) that
// runs until ctx ends.
type runner interface {
	Run(ctx context.Context) error
}

// coreConfig is what the core needs to know about the enabled channels.
func coreConfig(cfg config) bot.Config {
	c := bot.Config{
		StaffChannels: []string{bot.WebChat},
		Currency:      cfg.Currency,
		ContactButton: map[string]bool{bot.Telegram: true},
		// WeChat answers in the response to its own request when the reply
		// is ready within its deadline; the dispatcher waits that long.
		ReplyHold: map[string]time.Duration{bot.WeChat: 5 * time.Second},
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
	if cfg.WeChat.enabled() {
		wx, err := openWeChat(cfg, svc, log)
		if err != nil {
			return nil, err
		}
		chans[bot.WeChat] = wx
	}
	return chans, nil
}

func openWeChat(cfg config, svc *bot.Service, log *slog.Logger) (*wechat.Adapter, error) {
	wx, err := wechat.New(svc, log.With("channel", bot.WeChat), wechat.Config{
		AppID:               cfg.WeChat.AppID,
		AppSecret:           cfg.WeChat.AppSecret,
		Token:               cfg.WeChat.Token,
		AESKey:              cfg.WeChat.AESKey,
		APIURL:              cfg.WeChat.APIURL,
		TemplateOrderStatus: cfg.WeChat.TemplateOrderStatus,
	})
	if err != nil {
		return nil, fmt.Errorf("wechat: %w", err)
	}
	return wx, nil
}

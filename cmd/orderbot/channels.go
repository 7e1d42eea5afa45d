package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/orderbot/orderbot/adapters/slack"
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

// closer is a channel with work of its own that may outlive the requests
// it answered (WeChat's late core runs); serve waits for it at shutdown.
type closer interface {
	Close(ctx context.Context) error
}

// coreConfig is what the core needs to know about the enabled channels.
func coreConfig(cfg config) bot.Config {
	c := bot.Config{
		StaffChannels: []string{bot.WebChat},
		Currency:      cfg.Currency,
		Location:      cfg.Shop.Location,
		ShopName:      cfg.Shop.Name,
		StaffLang:     cfg.Shop.StaffLang,
		ContactButton: map[string]bool{bot.Telegram: true},
		TextOnly:      map[string]bool{bot.WeChat: true},
		// WeChat answers in the response to its own request when the reply
		// is ready within its deadline; the dispatcher waits that long.
		ReplyHold: map[string]time.Duration{bot.WeChat: 5 * time.Second},
		Pay:       cfg.Pay,
		// Links on cards to the console; relative without a public URL.
		ConsoleURL: cfg.PublicURL + "/staff",
		Clock:      cfg.Clock,
	}
	if cfg.Telegram.Token != "" && cfg.Telegram.StaffChat != 0 {
		c.StaffChannels = append(c.StaffChannels, bot.Telegram)
	}
	if cfg.Slack.enabled() {
		c.StaffChannels = append(c.StaffChannels, bot.Slack)
	}
	return c
}

// openChannels builds the adapters the configuration enables; prompts keeps
// what the Telegram staff group is asked.
func openChannels(ctx context.Context, cfg config, svc *meteredService, prompts telegram.Prompts, payments telegram.Payments, log *slog.Logger) (map[string]channel, error) {
	chans := map[string]channel{}
	if cfg.Telegram.Token != "" {
		tg, err := telegram.New(ctx, svc, log.With("channel", bot.Telegram), telegram.Config{
			Token:            cfg.Telegram.Token,
			APIEndpoint:      cfg.Telegram.API,
			WebhookSecret:    cfg.Telegram.WebhookSecret,
			PublicURL:        cfg.PublicURL,
			StaffChat:        cfg.Telegram.StaffChat,
			StaffLang:        cfg.Shop.StaffLang,
			Prompts:          prompts,
			PayProviderToken: cfg.Telegram.PayProviderToken,
			PayCurrency:      cfg.Telegram.PayCurrency,
			Payments:         payments,
		})
		if err != nil {
			return nil, fmt.Errorf("telegram: %w", err)
		}
		chans[bot.Telegram] = tg
	}
	if cfg.Slack.enabled() {
		sl, err := slack.New(svc, log.With("channel", bot.Slack), slack.Config{
			BotToken:      cfg.Slack.BotToken,
			SigningSecret: cfg.Slack.SigningSecret,
			AppToken:      cfg.Slack.AppToken,
			APIURL:        cfg.Slack.APIURL,
			StaffChannel:  cfg.Slack.StaffChannel,
			StaffLang:     cfg.Shop.StaffLang,
			Location:      cfg.Shop.Location,
			Currency:      cfg.Currency,
		})
		if err != nil {
			return nil, fmt.Errorf("slack: %w", err)
		}
		if err := bootstrapApprovers(ctx, svc.Service, cfg.Slack.Approvers); err != nil {
			return nil, err
		}
		chans[bot.Slack] = sl
	}
	if cfg.WeChat.enabled() {
		wx, err := openWeChat(cfg, svc, svc.m.ObservePassiveReply, log)
		if err != nil {
			return nil, err
		}
		chans[bot.WeChat] = wx
	}
	return chans, nil
}

// bootstrapApprovers gives the listed Slack users the approver role unless
// they already have it or more: the variable must never demote an admin.
func bootstrapApprovers(ctx context.Context, svc *bot.Service, ids []string) error {
	for _, id := range ids {
		st, err := svc.StaffMember(ctx, bot.Slack, id)
		if err == nil && st.Role.AtLeast(bot.Approver) {
			continue
		}
		if err != nil && !errors.Is(err, bot.ErrNotFound) {
			return fmt.Errorf("slack approver %s: %w", id, err)
		}
		st = bot.Staff{Channel: bot.Slack, UserID: id, Name: st.Name, Role: bot.Approver}
		if err := svc.SaveStaff(ctx, "ORDERBOT_SLACK_APPROVERS", st); err != nil {
			return err
		}
	}
	return nil
}

func openWeChat(cfg config, svc wechat.Service, observe func(time.Duration, bool), log *slog.Logger) (*wechat.Adapter, error) {
	wx, err := wechat.New(svc, log.With("channel", bot.WeChat), wechat.Config{
		AppID:               cfg.WeChat.AppID,
		AppSecret:           cfg.WeChat.AppSecret,
		Token:               cfg.WeChat.Token,
		AESKey:              cfg.WeChat.AESKey,
		APIURL:              cfg.WeChat.APIURL,
		TemplateOrderStatus: cfg.WeChat.TemplateOrderStatus,
		ObservePassiveReply: observe,
	})
	if err != nil {
		return nil, fmt.Errorf("wechat: %w", err)
	}
	return wx, nil
}

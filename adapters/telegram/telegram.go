// Package telegram is the Telegram channel: customers order, track orders
// and file after-sales requests by chatting with the bot in a private chat,
// and a staff group may get staff cards with buttons.
//
// Updates arrive by long polling (the default: works behind NAT, one
// replica) or by webhook (several replicas behind a load balancer). Either
// way one update is one database transaction in the core: replies are
// queued in the outbox and delivered by the dispatcher through Send, so the
// inbound path never sends replies itself. It only answers callback
// queries, and in the staff group asks for a reason or a tracking number
// when an action needs one and answers what staff reply.
//
// github.com/go-telegram-bot-api/telegram-bot-api/v5 is used only inside
// this package; none of its types leave it.
package telegram

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/orderbot/orderbot/bot"
)

// Service is what the Telegram channel needs from the core.
type Service interface {
	HandleInbound(ctx context.Context, in bot.Inbound) ([]*bot.Message, error)
	HandleStaffAction(ctx context.Context, a bot.StaffAction) (bot.StaffResult, error)
	StaffMember(ctx context.Context, channel, userID string) (bot.Staff, error)
	// Subject names a card's item for staff ("订单 100001").
	Subject(ctx context.Context, cardRef string) (string, error)
}

// Config is the channel's settings. Token is required; zero values of the
// rest get Telegram's defaults and published limits.
type Config struct {
	Token string
	// APIEndpoint is the Bot API URL format with two %s (token, method).
	APIEndpoint string
	// WebhookSecret, when set, selects webhook mode: Telegram posts updates
	// to PublicURL + "/telegram/webhook" with this secret in a header.
	WebhookSecret string
	PublicURL     string
	// StaffChat is the chat id of the staff group (0: none).
	StaffChat int64
	// StaffLang is the language the bot speaks in the staff group: "en",
	// or Chinese for anything else (ORDERBOT_STAFF_LANG defaults to zh).
	StaffLang string
	// PayProviderToken (from BotFather) enables Telegram Payments: orders
	// paid by PayTelegram are billed with an invoice in PayCurrency (the
	// shop's currency when empty); Payments checks and records them.
	PayProviderToken string
	PayCurrency      string
	Payments         Payments
	// HTTPClient makes the API calls; nil gets one with connection timeouts.
	HTTPClient *http.Client

	// MessagesPerSecond bounds what the bot sends in all chats (30).
	MessagesPerSecond float64
	// ChatInterval is the pace of messages to one private chat (1 s) and
	// GroupInterval to one group (3 s, Telegram's 20 a minute); ChatBurst
	// messages may go at once before the pace applies (3), so a reply of
	// two or three messages is not held back.
	ChatInterval  time.Duration
	GroupInterval time.Duration
	ChatBurst     int
	// MaxPaceWait is the longest an outbox message waits for its chat's
	// turn in Send (1 s); one that would wait longer goes back to the
	// outbox with the time to wait.
	MaxPaceWait time.Duration
	// PollTimeout is how long one getUpdates call waits for updates (30 s).
	PollTimeout time.Duration
	// RetryWait is the first pause after a failed getUpdates or setWebhook;
	// it doubles up to a minute (1 s).
	RetryWait time.Duration
	// RequestTimeout bounds one API call other than getUpdates (20 s).
	RequestTimeout time.Duration

	// Prompts keeps the prompts posted in the staff group; required with
	// StaffChat. A prompt may be answered for PromptTTL (15 min).
	Prompts   Prompts
	PromptTTL time.Duration
	// Clock is the time prompts are made and answered at (time.Now).
	Clock func() time.Time
}

// webhookPath is where Telegram posts updates in webhook mode.
const webhookPath = "/telegram/webhook"

// secretToken is what Telegram accepts as a webhook secret_token.
var secretToken = regexp.MustCompile(`^[A-Za-z0-9_-]{1,256}$`)

// currencyCode is what Telegram takes as an invoice's currency.
var currencyCode = regexp.MustCompile(`^[A-Z]{3}$`)

func (c *Config) setDefaults() {
	if c.APIEndpoint == "" {
		c.APIEndpoint = tgbotapi.APIEndpoint
	}
	if c.MessagesPerSecond <= 0 {
		c.MessagesPerSecond = 30
	}
	if c.ChatInterval <= 0 {
		c.ChatInterval = time.Second
	}
	if c.GroupInterval <= 0 {
		c.GroupInterval = 3 * time.Second
	}
	if c.ChatBurst <= 0 {
		c.ChatBurst = 3
	}
	if c.MaxPaceWait <= 0 {
		c.MaxPaceWait = time.Second
	}
	if c.PollTimeout <= 0 {
		c.PollTimeout = 30 * time.Second
	}
	if c.RetryWait <= 0 {
		c.RetryWait = time.Second
	}
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 20 * time.Second
	}
	if c.PromptTTL <= 0 {
		c.PromptTTL = 15 * time.Minute
	}
	if c.Clock == nil {
		c.Clock = time.Now
	}
	if c.HTTPClient == nil {
		// No overall Timeout: getUpdates holds the connection for
		// PollTimeout. Every call gets a deadline through its context.
		c.HTTPClient = &http.Client{Transport: &http.Transport{
			Proxy:               http.ProxyFromEnvironment,
			DialContext:         (&net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout: 10 * time.Second,
			MaxIdleConnsPerHost: 16,
			IdleConnTimeout:     90 * time.Second,
		}}
	}
}

func (c Config) check() error {
	switch {
	case c.Token == "":
		return errors.New("telegram: a bot token is required")
	case strings.Count(c.APIEndpoint, "%s") != 2:
		return fmt.Errorf("telegram: API endpoint %q needs two %%s (token, method)", c.APIEndpoint)
	case c.WebhookSecret != "" && !secretToken.MatchString(c.WebhookSecret):
		return errors.New("telegram: the webhook secret may only have A-Z, a-z, 0-9, _ and - (1-256 characters)")
	case c.WebhookSecret != "" && c.PublicURL == "":
		return errors.New("telegram: webhook mode needs the public URL (ORDERBOT_PUBLIC_URL)")
	case c.StaffChat != 0 && c.Prompts == nil:
		return errors.New("telegram: a staff group needs a store for its prompts")
	case c.PayProviderToken != "" && (c.Payments == nil || !currencyCode.MatchString(c.PayCurrency)):
		return errors.New("telegram: payments need the shop's payments and an ISO 4217 currency code such as CNY")
	}
	return nil
}

// Adapter is the Telegram channel: it turns updates into core events and
// delivers the outbox's messages. It is the channel's bot.Sender.
type Adapter struct {
	svc    Service
	log    *slog.Logger
	cfg    Config
	api    *tgbotapi.BotAPI // a template: every call uses a copy bound to its context
	self   tgbotapi.User
	limits *limiter
	group  *groupQueue
	staff  staffText

	// slots bound the callback answers that run in the background after an
	// update is handled, so a slow Telegram never holds back the next
	// update; each holds a slot while it runs.
	slots chan struct{}
}

var _ bot.Sender = (*Adapter)(nil)

// New checks the token with getMe and returns the adapter.
func New(ctx context.Context, svc Service, log *slog.Logger, cfg Config) (*Adapter, error) {
	cfg.setDefaults()
	if err := cfg.check(); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	a := &Adapter{
		svc:    svc,
		log:    log,
		cfg:    cfg,
		limits: newLimiter(cfg),
		group:  newGroupQueue(),
		staff:  newStaffText(cfg.StaffLang),
		slots:  make(chan struct{}, 64),
	}
	ctx, cancel := context.WithTimeout(ctx, cfg.RequestTimeout)
	defer cancel()
	api, err := tgbotapi.NewBotAPIWithClient(cfg.Token, cfg.APIEndpoint, a.doer(ctx))
	if err != nil {
		return nil, fmt.Errorf("telegram: getMe (is ORDERBOT_TELEGRAM_TOKEN right?): %w", err)
	}
	a.api, a.self = api, api.Self
	return a, nil
}

// Register mounts the webhook in webhook mode; in polling mode there is
// nothing to mount.
func (a *Adapter) Register(mux *http.ServeMux) {
	if a.cfg.WebhookSecret != "" {
		mux.HandleFunc("POST "+webhookPath, a.webhook)
	}
}

// Run registers the bot's commands and then receives updates until ctx
// ends: by getUpdates in polling mode; in webhook mode it registers the
// webhook and waits, as updates come in through Register's handler.
func (a *Adapter) Run(ctx context.Context) error {
	defer a.drain()
	grouped := make(chan struct{})
	go func() { a.runGroup(ctx); close(grouped) }()
	defer func() { <-grouped }()
	a.later(func(ctx context.Context) {
		if err := a.setCommands(ctx); err != nil {
			// The commands are a convenience: typed words work without them.
			a.log.Warn("telegram: setMyCommands failed", "err", err)
		}
	})
	if a.cfg.WebhookSecret == "" {
		return a.poll(ctx)
	}
	if err := a.setWebhook(ctx); err != nil {
		return err
	}
	<-ctx.Done()
	return nil
}

// setCommands registers the command menu in English for everyone and in
// Chinese for users whose Telegram is in Chinese.
func (a *Adapter) setCommands(ctx context.Context) error {
	for _, lang := range []string{"", "zh"} {
		cmds := tgbotapi.SetMyCommandsConfig{Commands: commandMenu(lang), LanguageCode: lang}
		if _, err := a.request(ctx, "setMyCommands", cmds); err != nil {
			return fmt.Errorf("commands for %q: %w", lang, err)
		}
	}
	return nil
}

// commandMenu is the bot's commands described in a language: "zh", or
// English for anything else. Each stands for a word (see commands).
func commandMenu(lang string) []tgbotapi.BotCommand {
	desc := map[string][2]string{
		"start": {"Start / main menu", "开始 / 主菜单"}, "menu": {"Main menu", "主菜单"},
		"orders": {"My orders", "我的订单"}, "aftersales": {"Returns, refunds and repairs", "售后服务（退换货、退款、维修）"},
		"human": {"Talk to a person", "人工客服"}, "help": {"Help", "帮助"},
	}
	var cmds []tgbotapi.BotCommand
	for _, name := range []string{"start", "menu", "orders", "aftersales", "human", "help"} {
		d := desc[name][0]
		if lang == "zh" {
			d = desc[name][1]
		}
		cmds = append(cmds, tgbotapi.BotCommand{Command: name, Description: d})
	}
	return cmds
}

// later runs fn after the update that asked for it, with its own deadline.
// At most cap(slots) run at once; beyond that the caller waits, which
// slows intake instead of piling up goroutines.
func (a *Adapter) later(fn func(ctx context.Context)) {
	a.slots <- struct{}{}
	go func() {
		defer func() { <-a.slots }()
		ctx, cancel := context.WithTimeout(context.Background(), a.cfg.RequestTimeout)
		defer cancel()
		fn(ctx)
	}()
}

// drain waits for the background work under way, which ends within its
// deadline, by taking every slot; then it gives them back.
func (a *Adapter) drain() {
	for range cap(a.slots) {
		a.slots <- struct{}{}
	}
	for range cap(a.slots) {
		<-a.slots
	}
}

// client returns the library bound to ctx: the library builds its requests
// without a context, so each call gets a copy whose HTTP client adds one.
func (a *Adapter) client(ctx context.Context) *tgbotapi.BotAPI {
	c := *a.api
	c.Client = a.doer(ctx)
	return &c
}

// request makes one API call with the request deadline and turns a
// platform error into the core's terms.
func (a *Adapter) request(ctx context.Context, method string, c tgbotapi.Chattable) (*tgbotapi.APIResponse, error) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.RequestTimeout)
	defer cancel()
	res, err := a.client(ctx).Request(c)
	if err != nil {
		return nil, apiError(method, err)
	}
	return res, nil
}

// send is request for the calls that return a message.
func (a *Adapter) send(ctx context.Context, method string, c tgbotapi.Chattable) (tgbotapi.Message, error) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.RequestTimeout)
	defer cancel()
	m, err := a.client(ctx).Send(c)
	if err != nil {
		return m, apiError(method, err)
	}
	return m, nil
}

func (a *Adapter) doer(ctx context.Context) ctxDoer {
	return ctxDoer{ctx: ctx, c: a.cfg.HTTPClient, token: a.cfg.Token}
}

// ctxDoer gives the library's requests the caller's context, and keeps the
// token out of errors: the library's URLs carry it, and a transport error
// quoting the URL would otherwise end up in logs and in the outbox.
type ctxDoer struct {
	ctx   context.Context
	c     *http.Client
	token string
}

func (d ctxDoer) Do(req *http.Request) (*http.Response, error) {
	res, err := d.c.Do(req.WithContext(d.ctx))
	if err == nil {
		return res, nil
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		redacted := strings.NewReplacer(d.token, "<token>", url.PathEscape(d.token), "<token>").Replace(ue.URL)
		return nil, &url.Error{Op: ue.Op, URL: redacted, Err: ue.Err}
	}
	return nil, err
}

// Package wechat is the WeChat Official Account (公众号) channel: customers
// who follow the shop's account order, track orders and file after-sales
// requests by chatting with it, in Chinese by default.
//
// WeChat pushes every message to POST /wechat and waits 5 seconds for the
// answer, which may carry one passive reply. The adapter verifies the push
// itself (body limit, timestamp window, signatures in constant time) before
// anything is parsed or recorded, hands it to the core under a deadline,
// and answers in place when the core was quick enough; otherwise it
// acknowledges at once and the outbox dispatcher delivers the reply through
// the customer-service message API (Send). Notifications outside WeChat's
// 48-hour window go out as template messages or wait for the customer's
// next message.
//
// github.com/silenceper/wechat/v2 stays inside this package: its message
// types and crypto helpers read and write pushes, its API clients send
// messages, templates and the menu, and its stable access_token handle
// keeps the token in the shared database through Service's cache.
package wechat

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount"
	offconfig "github.com/silenceper/wechat/v2/officialaccount/config"
	"github.com/silenceper/wechat/v2/officialaccount/menu"
	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"
	"github.com/sirupsen/logrus"

	"github.com/orderbot/orderbot/bot"
)

// DefaultAPIURL is WeChat's API base; the library has it built in.
const DefaultAPIURL = "https://api.weixin.qq.com"

// Defaults for the zero values of Config.
const (
	defaultReplyDeadline = 4 * time.Second
	defaultHTTPTimeout   = 10 * time.Second
)

// Service is what the WeChat channel needs from the core.
type Service interface {
	HandleInbound(ctx context.Context, in bot.Inbound) ([]*bot.Message, error)
	MarkReplied(ctx context.Context, ids []int64, path string) (bool, error)
	Window(ctx context.Context, channel, userID, path string) (lastInbound time.Time, sent int, err error)
	SetUnreachable(ctx context.Context, channel, userID string) error
	CacheGet(ctx context.Context, name string) (string, error)
	CachePut(ctx context.Context, name, value string, ttl time.Duration) error
	CacheAdd(ctx context.Context, name, value string, ttl time.Duration) (string, error)
	CacheDelete(ctx context.Context, name string) error
}

// Config is the Official Account's settings from the 公众平台.
type Config struct {
	AppID, AppSecret, Token string
	// AESKey is the EncodingAESKey (43 characters). Set, the account runs in
	// safe mode: pushes must be encrypted and replies are.
	AESKey string
	// APIURL replaces scheme and host of every API call (tests point it at a
	// fake); DefaultAPIURL when empty.
	APIURL string
	// TemplateOrderStatus is the template id used for order-status pushes
	// outside the 48-hour window; without it such pushes wait for the
	// customer's next message.
	TemplateOrderStatus string
	// HTTPClient makes the API calls; one with a 10-second timeout when nil.
	HTTPClient *http.Client
	// ReplyDeadline is how long a push waits for the core before it is
	// acknowledged and answered later (4 s when zero; WeChat gives up at 5).
	ReplyDeadline time.Duration
	// Clock returns the current time; time.Now when nil.
	Clock func() time.Time
	// ObservePassiveReply, when set, is told of every verified push
	// answered: how long after its arrival the answer went out, and whether
	// it carried the reply (false: acknowledged, the dispatcher sends it).
	// It is for metrics against WeChat's 5-second budget.
	ObservePassiveReply func(elapsed time.Duration, inPlace bool)
}

// Adapter serves WeChat's pushes and sends through WeChat's API.
type Adapter struct {
	svc Service
	log *slog.Logger
	cfg Config
	// The library's API clients, made once: the account creates them
	// lazily without a lock, and the dispatcher sends concurrently.
	custom   *message.Manager
	template *message.Template
	menu     *menu.Menu
	// tokenKey is the cache name under which the library keeps the
	// access_token, so that a token WeChat refused can be dropped.
	tokenKey string
	// running counts the cores' runs, which may outlive their push's
	// answer, for Close.
	running tracker
}

// The dispatcher delivers WeChat messages through Send.
var _ bot.Sender = (*Adapter)(nil)

// New checks the configuration and builds the adapter.
//
// The library sends every API call through one process-wide client
// (util.DefaultHTTPClient) and has its hosts built in, so New installs this
// adapter's client there, rewritten to APIURL when that is not the default:
// a process runs one WeChat adapter, and tests that build several must not
// run in parallel. New also turns the library's logrus output down to Warn,
// since at Debug it logs the raw XML of pushes, which is customer data.
func New(svc Service, log *slog.Logger, cfg Config) (*Adapter, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if err := cfg.check(); err != nil {
		return nil, err
	}
	client, err := cfg.client()
	if err != nil {
		return nil, err
	}
	logrus.SetLevel(logrus.WarnLevel)
	util.DefaultHTTPClient = client

	oa := officialaccount.NewOfficialAccount(&offconfig.Config{
		AppID:          cfg.AppID,
		AppSecret:      cfg.AppSecret,
		Token:          cfg.Token,
		EncodingAESKey: cfg.AESKey,
		Cache:          tokenCache{svc: svc},
		// The stable token is not invalidated when another replica (or
		// another tool of the shop) fetches one.
		UseStableAK: true,
	})
	return &Adapter{
		svc: svc, log: log, cfg: cfg,
		custom:   oa.GetCustomerMessageManager(),
		template: oa.GetTemplate(),
		menu:     oa.GetMenu(),
		tokenKey: stableTokenKey(cfg.AppID),
	}, nil
}

func (cfg *Config) check() error {
	if cfg.AppID == "" || cfg.AppSecret == "" || cfg.Token == "" {
		return errors.New("wechat: app id, app secret and token are required")
	}
	if cfg.AESKey != "" {
		key, err := base64.StdEncoding.DecodeString(cfg.AESKey + "=")
		if len(cfg.AESKey) != 43 || err != nil || len(key) != 32 {
			return errors.New("wechat: the EncodingAESKey must be the 43 characters the 公众平台 shows")
		}
	}
	if cfg.ReplyDeadline <= 0 {
		cfg.ReplyDeadline = defaultReplyDeadline
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.APIURL == "" {
		cfg.APIURL = DefaultAPIURL
	}
	return nil
}

// client is the HTTP client for the library's calls.
func (cfg *Config) client() (*http.Client, error) {
	// Every call goes to one host: the default transport keeps only two
	// idle connections to it, and replies sent at once would each open
	// and close a connection of their own.
	pooled := http.DefaultTransport.(*http.Transport).Clone()
	pooled.MaxIdleConnsPerHost = 16
	c := &http.Client{Timeout: defaultHTTPTimeout, Transport: pooled}
	if cfg.HTTPClient != nil {
		copied := *cfg.HTTPClient
		c = &copied
	}
	if cfg.APIURL == DefaultAPIURL {
		return c, nil
	}
	base, err := url.Parse(cfg.APIURL)
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("wechat: API URL %q is not an http(s) URL", cfg.APIURL)
	}
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = rebase{base: base, next: next}
	return c, nil
}

// Register mounts GET /wechat (the server URL check) and POST /wechat (pushes).
func (a *Adapter) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /wechat", a.serveVerify)
	mux.HandleFunc("POST /wechat", a.servePush)
}

func (a *Adapter) now() time.Time { return a.cfg.Clock() }

func (a *Adapter) safeMode() bool { return a.cfg.AESKey != "" }

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/orderbot/orderbot/adapters/wechatpay"
	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/pay"
)

// config is every setting, parsed once from the environment.
type config struct {
	// Ops is how the server is run and watched.
	Ops opsConfig
	// Shop is the shop's name, time zone and staff language.
	Shop shopConfig
	// Report is when the daily report is posted.
	Report reportConfig
	// Chat is the customer web chat's logo and embedding.
	Chat chatConfig
	// Retention is how long customers who never ordered are kept after
	// their last message.
	Retention time.Duration
	// Care is when satisfaction surveys go out.
	Care careConfig
	// Pay is how the shop takes money; Shipping the fee rule until one is saved.
	Pay      bot.PayConfig
	Shipping pay.Shipping
	// WeChatPay is the WeChat Pay merchant; nil when not configured.
	WeChatPay *wechatpay.Config

	Addr      string
	DB        string
	Demo      bool
	PublicURL string
	Currency  string
	Telegram  telegramConfig
	Slack     slackConfig
	WeChat    wechatConfig

	// TrustedProxies are the peers whose X-Forwarded-* headers are believed.
	TrustedProxies trustedProxies
	// DataKeys encrypt personal data at rest.
	DataKeys dataKeyConfig

	// Clock is the core's and WeChat Pay's time; time.Now when nil. No
	// setting: tests move it to reach payment deadlines without waiting.
	Clock func() time.Time
}

// telegramConfig is set when ORDERBOT_TELEGRAM_TOKEN is.
type telegramConfig struct {
	Token, API, WebhookSecret string
	StaffChat                 int64
	// PayProviderToken enables Telegram Payments; PayCurrency is the
	// invoices' currency (the shop's when empty).
	PayProviderToken, PayCurrency string
}

// slackConfig is set when the bot token and signing secret (HTTP mode) or
// the app token (Socket Mode) are.
type slackConfig struct {
	BotToken, SigningSecret, AppToken, APIURL, StaffChannel string
	Approvers                                               []string
}

// wechatConfig is set when the app id, secret and token are.
type wechatConfig struct {
	AppID, AppSecret, Token, AESKey, APIURL, TemplateOrderStatus string
}

func loadConfig(getenv func(string) string) (config, error) {
	file, err := readEnvFile(envOr(getenv, "ORDERBOT_ENV_FILE", ".env"))
	if err != nil {
		return config{}, err
	}
	// The process environment wins over the file.
	get := func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return file[k]
	}
	cfg := config{
		Addr:      orDefault(get("ORDERBOT_ADDR"), ":8080"),
		DB:        orDefault(get("ORDERBOT_DB"), "sqlite:orderbot.db"),
		PublicURL: strings.TrimRight(get("ORDERBOT_PUBLIC_URL"), "/"),
		Currency:  orDefault(get("ORDERBOT_CURRENCY"), "¥"),
	}
	// The demo is on by default only for the zero-setup SQLite database, so
	// a production MySQL never gets demo data by accident.
	cfg.Demo = get("ORDERBOT_DB") == ""
	if v := get("ORDERBOT_DEMO"); v != "" {
		demo, err := strconv.ParseBool(v)
		if err != nil {
			return config{}, fmt.Errorf("ORDERBOT_DEMO=%q: want true or false", v)
		}
		cfg.Demo = demo
	}
	if cfg.TrustedProxies, err = parseTrustedProxies(get("ORDERBOT_TRUSTED_PROXIES")); err != nil {
		return config{}, err
	}
	if err := loadChannels(&cfg, get); err != nil {
		return config{}, err
	}
	if cfg.Ops, err = loadOps(get); err != nil {
		return config{}, err
	}
	if cfg.Shop, err = loadShop(get); err != nil {
		return config{}, err
	}
	if cfg.Report, err = loadReport(get); err != nil {
		return config{}, err
	}
	if cfg.Chat, err = loadChat(get); err != nil {
		return config{}, err
	}
	if cfg.Retention, err = loadRetention(get); err != nil {
		return config{}, err
	}
	if cfg.Care, err = loadCare(get); err != nil {
		return config{}, err
	}
	if cfg.Pay, err = loadPay(get); err != nil {
		return config{}, err
	}
	if err := offerTelegramPay(&cfg); err != nil {
		return config{}, err
	}
	if cfg.Shipping, err = loadShipping(get); err != nil {
		return config{}, err
	}
	if cfg.WeChatPay, err = loadWeChatPay(get, cfg.PublicURL); err != nil {
		return config{}, err
	}
	if cfg.WeChatPay != nil {
		// The online method first: it is the default at the summary.
		cfg.Pay.Methods = append([]bot.PayMethod{bot.PayWeChat}, cfg.Pay.Methods...)
	}
	codFallback(&cfg.Pay)
	if cfg.DataKeys, err = loadDataKeys(get); err != nil {
		return config{}, err
	}
	if !strings.HasPrefix(cfg.DB, "sqlite:") && !strings.HasPrefix(cfg.DB, "mysql:") {
		return config{}, fmt.Errorf("ORDERBOT_DB=%q: want sqlite:PATH or mysql:DSN", cfg.DB)
	}
	return cfg, nil
}

func loadChannels(cfg *config, get func(string) string) error {
	cfg.Telegram = telegramConfig{
		Token:            get("ORDERBOT_TELEGRAM_TOKEN"),
		API:              orDefault(get("ORDERBOT_TELEGRAM_API"), "https://api.telegram.org/bot%s/%s"),
		WebhookSecret:    get("ORDERBOT_TELEGRAM_WEBHOOK_SECRET"),
		PayProviderToken: strings.TrimSpace(get("ORDERBOT_TELEGRAM_PAY_PROVIDER_TOKEN")),
		PayCurrency:      strings.ToUpper(strings.TrimSpace(get("ORDERBOT_TELEGRAM_PAY_CURRENCY"))),
	}
	if v := get("ORDERBOT_TELEGRAM_STAFF_CHAT"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return fmt.Errorf("ORDERBOT_TELEGRAM_STAFF_CHAT=%q: want a chat id such as -1001234567890", v)
		}
		cfg.Telegram.StaffChat = id
	}
	if cfg.Telegram.Token != "" && cfg.Telegram.WebhookSecret != "" && !strings.HasPrefix(cfg.PublicURL, "https://") {
		return errors.New("ORDERBOT_TELEGRAM_WEBHOOK_SECRET needs ORDERBOT_PUBLIC_URL (https) to register the webhook")
	}
	cfg.Slack = slackConfig{
		BotToken:      get("ORDERBOT_SLACK_BOT_TOKEN"),
		SigningSecret: get("ORDERBOT_SLACK_SIGNING_SECRET"),
		AppToken:      get("ORDERBOT_SLACK_APP_TOKEN"),
		APIURL:        orDefault(get("ORDERBOT_SLACK_API_URL"), "https://slack.com/api/"),
		StaffChannel:  get("ORDERBOT_SLACK_STAFF_CHANNEL"),
	}
	for _, u := range strings.Split(get("ORDERBOT_SLACK_APPROVERS"), ",") {
		if u = strings.TrimSpace(u); u != "" {
			cfg.Slack.Approvers = append(cfg.Slack.Approvers, u)
		}
	}
	if cfg.Slack.enabled() && cfg.Slack.StaffChannel == "" {
		return errors.New("Slack needs ORDERBOT_SLACK_STAFF_CHANNEL, the channel id staff cards go to")
	}
	if cfg.Slack.BotToken != "" && cfg.Slack.SigningSecret == "" && cfg.Slack.AppToken == "" {
		return errors.New("Slack needs ORDERBOT_SLACK_SIGNING_SECRET (HTTP mode) or ORDERBOT_SLACK_APP_TOKEN (Socket Mode)")
	}
	cfg.WeChat = wechatConfig{
		AppID:               get("ORDERBOT_WECHAT_APP_ID"),
		AppSecret:           get("ORDERBOT_WECHAT_APP_SECRET"),
		Token:               get("ORDERBOT_WECHAT_TOKEN"),
		AESKey:              get("ORDERBOT_WECHAT_AES_KEY"),
		APIURL:              orDefault(get("ORDERBOT_WECHAT_API_URL"), "https://api.weixin.qq.com"),
		TemplateOrderStatus: get("ORDERBOT_WECHAT_TEMPLATE_ORDER_STATUS"),
	}
	set := 0
	for _, v := range []string{cfg.WeChat.AppID, cfg.WeChat.AppSecret, cfg.WeChat.Token} {
		if v != "" {
			set++
		}
	}
	if set != 0 && set != 3 {
		return errors.New("WeChat needs ORDERBOT_WECHAT_APP_ID, ORDERBOT_WECHAT_APP_SECRET and ORDERBOT_WECHAT_TOKEN together")
	}
	return nil
}

func (c slackConfig) enabled() bool {
	return c.BotToken != "" && (c.SigningSecret != "" || c.AppToken != "")
}

func (c wechatConfig) enabled() bool { return c.AppID != "" }

func envOr(getenv func(string) string, k, def string) string {
	return orDefault(getenv(k), def)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// readEnvFile reads KEY=VALUE lines; a missing file is no error.
func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	vals := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want KEY=VALUE", path, n)
		}
		v = strings.TrimSpace(v)
		if uq, err := strconv.Unquote(v); err == nil {
			v = uq
		}
		vals[strings.TrimSpace(k)] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return vals, nil
}

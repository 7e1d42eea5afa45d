package main

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
)

func TestLoadPay(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		methods []bot.PayMethod
		flow    bot.PayFlow
		timeout time.Duration
		err     string
	}{
		{"nothing set: cash on delivery", nil, []bot.PayMethod{bot.PayCOD}, bot.ApproveFirst, 24 * time.Hour, ""},
		{"instructions add transfer", map[string]string{"ORDERBOT_PAY_INSTRUCTIONS": "ICBC 6222"},
			[]bot.PayMethod{bot.PayTransfer, bot.PayCOD}, bot.ApproveFirst, 24 * time.Hour, ""},
		{"QR only, no cash", map[string]string{"ORDERBOT_PAY_QR_IMAGE": "https://x.example/qr.png", "ORDERBOT_PAY_COD": "false", "ORDERBOT_PAY_FLOW": "pay-first", "ORDERBOT_PAY_TIMEOUT": "2h"},
			[]bot.PayMethod{bot.PayTransfer}, bot.PayFirst, 2 * time.Hour, ""},
		{"cash off with nothing else keeps cash", map[string]string{"ORDERBOT_PAY_COD": "false", "ORDERBOT_PAY_TIMEOUT": "off"},
			[]bot.PayMethod{bot.PayCOD}, bot.ApproveFirst, 0, ""},
		{"unknown flow", map[string]string{"ORDERBOT_PAY_FLOW": "later"}, nil, "", 0, "ORDERBOT_PAY_FLOW"},
		{"bad timeout", map[string]string{"ORDERBOT_PAY_TIMEOUT": "tomorrow"}, nil, "", 0, "ORDERBOT_PAY_TIMEOUT"},
		{"tiny timeout", map[string]string{"ORDERBOT_PAY_TIMEOUT": "5s"}, nil, "", 0, "ORDERBOT_PAY_TIMEOUT"},
		{"QR not a URL", map[string]string{"ORDERBOT_PAY_QR_IMAGE": "qr.png"}, nil, "", 0, "ORDERBOT_PAY_QR_IMAGE"},
		{"bad cod", map[string]string{"ORDERBOT_PAY_COD": "maybe"}, nil, "", 0, "ORDERBOT_PAY_COD"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pc, err := loadPay(func(k string) string { return tc.env[k] })
			codFallback(&pc)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want one naming %s", err, tc.err)
				}
				return
			}
			if err != nil || !slices.Equal(pc.Methods, tc.methods) || pc.Flow != tc.flow || pc.Timeout != tc.timeout {
				t.Fatalf("got %+v, %v", pc, err)
			}
		})
	}
}

// TestNoCashWhenOnlyOnlineMethods: with ORDERBOT_PAY_COD=false a shop
// taking only WeChat Pay offers WeChat Pay alone (the summary lists
// these methods);
// with nothing at all set up it falls back to cash.
func TestNoCashWhenOnlyOnlineMethods(t *testing.T) {
	env := map[string]string{
		"ORDERBOT_DB": "sqlite:x.db", "ORDERBOT_ENV_FILE": "/nonexistent", "ORDERBOT_PUBLIC_URL": "https://shop.example",
		"ORDERBOT_PAY_COD":          "false",
		"ORDERBOT_WECHATPAY_MCH_ID": "1900000001", "ORDERBOT_WECHATPAY_MCH_SERIAL": "5157F09E",
		"ORDERBOT_WECHATPAY_PRIVATE_KEY_FILE": "/k/apiclient_key.pem", "ORDERBOT_WECHATPAY_API_V3_KEY": strings.Repeat("k", 32),
		"ORDERBOT_WECHATPAY_PUBLIC_KEY_ID": "PUB_KEY_ID_01", "ORDERBOT_WECHATPAY_PUBLIC_KEY_FILE": "/k/pub_key.pem",
		"ORDERBOT_WECHATPAY_APP_ID": "wx123",
	}
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil || !slices.Equal(cfg.Pay.Methods, []bot.PayMethod{bot.PayWeChat}) {
		t.Fatalf("WeChat Pay only, cash off: methods %v, %v", cfg.Pay.Methods, err)
	}
	delete(env, "ORDERBOT_WECHATPAY_MCH_ID")
	cfg, err = loadConfig(func(k string) string { return env[k] })
	if err != nil || !slices.Equal(cfg.Pay.Methods, []bot.PayMethod{bot.PayCOD}) {
		t.Fatalf("nothing but cash off: methods %v, %v", cfg.Pay.Methods, err)
	}
}

// TestOfferTelegramPay: a provider token puts Telegram Payments first, in
// the currency code given or the one of the shop's symbol; a symbol with
// no known code needs ORDERBOT_TELEGRAM_PAY_CURRENCY.
func TestOfferTelegramPay(t *testing.T) {
	for _, tc := range []struct {
		name, token, provider, code, symbol string
		want                                string // the invoices' currency; "" = not offered
		err                                 bool
	}{
		{"no provider token", "123:abc", "", "", "¥", "", false},
		{"no bot", "", "prov", "", "¥", "", false},
		{"yuan symbol", "123:abc", "prov", "", "¥", "CNY", false},
		{"code given", "123:abc", "prov", "HKD", "HK$", "HKD", false},
		{"shop currency is a code", "123:abc", "prov", "", "eur", "EUR", false},
		{"unknown symbol", "123:abc", "prov", "", "HK$", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := config{Currency: tc.symbol, Pay: bot.PayConfig{Methods: []bot.PayMethod{bot.PayCOD}}}
			cfg.Telegram.Token, cfg.Telegram.PayProviderToken, cfg.Telegram.PayCurrency = tc.token, tc.provider, tc.code
			err := offerTelegramPay(&cfg)
			if tc.err {
				if err == nil || !strings.Contains(err.Error(), "ORDERBOT_TELEGRAM_PAY_CURRENCY") {
					t.Fatalf("err %v", err)
				}
				return
			}
			offered := cfg.Pay.Methods[0] == bot.PayTelegram
			if err != nil || offered != (tc.want != "") || (offered && cfg.Telegram.PayCurrency != tc.want) {
				t.Fatalf("methods %v currency %q err %v", cfg.Pay.Methods, cfg.Telegram.PayCurrency, err)
			}
		})
	}
}

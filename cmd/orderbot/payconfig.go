package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/pay"
)

// loadPay reads how the shop takes money. Offline methods only: bank
// transfer / payment QR when instructions or a QR picture are set, cash on
// delivery unless ORDERBOT_PAY_COD turns it off. The online methods are
// added after it, then codFallback.
func loadPay(get func(string) string) (bot.PayConfig, error) {
	pc := bot.PayConfig{
		Flow:         bot.PayFlow(orDefault(get("ORDERBOT_PAY_FLOW"), string(bot.ApproveFirst))),
		Instructions: strings.TrimSpace(get("ORDERBOT_PAY_INSTRUCTIONS")),
		QRImage:      strings.TrimSpace(get("ORDERBOT_PAY_QR_IMAGE")),
	}
	if pc.Flow != bot.ApproveFirst && pc.Flow != bot.PayFirst {
		return pc, fmt.Errorf("ORDERBOT_PAY_FLOW=%q: want approve-first or pay-first", pc.Flow)
	}
	timeout := orDefault(get("ORDERBOT_PAY_TIMEOUT"), "24h")
	d, err := time.ParseDuration(timeout)
	if timeout == "off" {
		d, err = 0, nil
	}
	if err != nil || d < 0 || (d > 0 && d < time.Minute) {
		return pc, fmt.Errorf("ORDERBOT_PAY_TIMEOUT=%q: want a duration of at least 1m such as 24h, or off", timeout)
	}
	pc.Timeout = d
	if n := len([]rune(pc.Instructions)); n > 1000 {
		return pc, fmt.Errorf("ORDERBOT_PAY_INSTRUCTIONS: at most 1000 characters, not %d", n)
	}
	if pc.QRImage != "" && !strings.HasPrefix(pc.QRImage, "https://") && !strings.HasPrefix(pc.QRImage, "http://") {
		return pc, fmt.Errorf("ORDERBOT_PAY_QR_IMAGE=%q: want an http(s) URL of the payment QR picture", pc.QRImage)
	}
	if pc.Instructions != "" || pc.QRImage != "" {
		pc.Methods = append(pc.Methods, bot.PayTransfer)
	}
	cod := true
	if v := get("ORDERBOT_PAY_COD"); v != "" {
		if cod, err = strconv.ParseBool(v); err != nil {
			return pc, fmt.Errorf("ORDERBOT_PAY_COD=%q: want true or false", v)
		}
	}
	if cod {
		pc.Methods = append(pc.Methods, bot.PayCOD)
	}
	return pc, nil
}

// codFallback takes cash on delivery when the shop set up no way to pay
// at all, even with ORDERBOT_PAY_COD=false: an order must be payable
// somehow. It runs after the online methods are added, so that a shop
// taking only WeChat Pay or Telegram Payments with cash turned off is
// not offered cash.
func codFallback(pc *bot.PayConfig) {
	if len(pc.Methods) == 0 {
		pc.Methods = []bot.PayMethod{bot.PayCOD}
	}
}

// offerTelegramPay puts Telegram Payments first among the methods when a
// provider token is set: Telegram customers are billed in the chat by
// default; the core offers it to nobody else.
func offerTelegramPay(cfg *config) error {
	if cfg.Telegram.Token == "" || cfg.Telegram.PayProviderToken == "" {
		return nil
	}
	if cfg.Telegram.PayCurrency == "" {
		// The shop's currency is a symbol to show; Telegram wants its code.
		codes := map[string]string{"¥": "CNY", "￥": "CNY", "$": "USD", "€": "EUR", "£": "GBP"}
		cfg.Telegram.PayCurrency = codes[cfg.Currency]
		if isCurrencyCode(strings.ToUpper(cfg.Currency)) {
			cfg.Telegram.PayCurrency = strings.ToUpper(cfg.Currency)
		}
	}
	if !isCurrencyCode(cfg.Telegram.PayCurrency) {
		return fmt.Errorf("ORDERBOT_TELEGRAM_PAY_CURRENCY=%q: want the ISO 4217 code of the shop's currency %q, such as CNY", cfg.Telegram.PayCurrency, cfg.Currency)
	}
	cfg.Pay.Methods = append([]bot.PayMethod{bot.PayTelegram}, cfg.Pay.Methods...)
	return nil
}

// isCurrencyCode reports whether s looks like an ISO 4217 code (CNY).
func isCurrencyCode(s string) bool {
	if len(s) != 3 {
		return false
	}
	for _, r := range s {
		if r < 'A' || r > 'Z' {
			return false
		}
	}
	return true
}

// loadShipping reads the shipping fee rule in force until staff save one
// (PUT /api/v1/shipping): decimals in the shop's currency, like catalog prices.
func loadShipping(get func(string) string) (pay.Shipping, error) {
	var s pay.Shipping
	for _, f := range []struct {
		name string
		to   *int64
	}{{"ORDERBOT_SHIPPING_FEE", &s.FlatFee}, {"ORDERBOT_SHIPPING_FREE_ABOVE", &s.FreeAbove}} {
		v := strings.TrimSpace(get(f.name))
		if v == "" {
			continue
		}
		amount, err := bot.ParsePrice(v)
		if err != nil {
			return s, fmt.Errorf("%s=%q: want an amount such as 10.00", f.name, v)
		}
		*f.to = amount
	}
	return s, nil
}

package bot_test

import (
	"strings"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// fakeLinks gives a WeChat user a page and everyone else a QR picture.
type fakeLinks struct{}

func (fakeLinks) PayLink(m bot.PayMethod, number, channel, user string) (string, string) {
	if m != bot.PayWeChat {
		return "", ""
	}
	if channel == bot.WeChat {
		return "https://shop.example/wechatpay/pay?o=" + number + "&u=" + user, ""
	}
	return "", "https://shop.example/wechatpay/qr?o=" + number
}

// TestOnlinePaymentNoticeCarriesTheProviderLink: a WeChat Pay order placed
// in the web chat (pay-first) is told to scan the provider's QR picture,
// which the notice carries as its image, and not the shop's transfer
// instructions; the order waits for its money.
func TestOnlinePaymentNoticeCarriesTheProviderLink(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		cfg := offlinePay(bot.PayFirst)
		cfg.Pay.Methods = append([]bot.PayMethod{bot.PayWeChat}, cfg.Pay.Methods...)
		cfg.Pay.Links = fakeLinks{}
		s := newShopWith(t, st, cfg)
		o := s.orderPaying("u1", "wechatpay")
		if o.PayMethod != bot.PayWeChat || !o.AwaitsPayment() || o.PayDue.IsZero() {
			t.Fatalf("placed: %s, awaits payment %v, due %v", o.PayMethod, o.AwaitsPayment(), o.PayDue)
		}
		n := s.lastNotice("u1")
		if n.ImageURL != "https://shop.example/wechatpay/qr?o="+o.Number || !strings.Contains(n.Text, "Scan the QR code") || strings.Contains(n.Text, "ICBC") {
			t.Fatalf("payment notice: image %q text %q", n.ImageURL, n.Text)
		}
		// The transfer customer still gets the shop's instructions and QR.
		s.orderPaying("u2", "transfer")
		if n := s.lastNotice("u2"); n.ImageURL != "https://shop.example/pay.png" || !strings.Contains(n.Text, "ICBC") {
			t.Fatalf("transfer notice: image %q text %q", n.ImageURL, n.Text)
		}
	})
}

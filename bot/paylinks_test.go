package bot_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

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

// settler is a provider whose sweep settlement pays one order (its lost
// notification) and fails once for another.
type settler struct {
	fakeLinks
	paid    func(number string)
	failFor string
	calls   []string
}

func (s *settler) Settle(_ context.Context, m bot.PayMethod, number string) error {
	s.calls = append(s.calls, string(m)+":"+number)
	if number == s.failFor {
		s.failFor = ""
		return errors.New("provider down")
	}
	if s.paid != nil {
		s.paid(number)
		s.paid = nil
	}
	return nil
}

// TestSweepSettlesWithTheProviderBeforeCancelling: at the deadline the
// sweep asks the provider first; an order it reports paid is not
// cancelled, one it cannot settle waits for the next sweep.
func TestSweepSettlesWithTheProviderBeforeCancelling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		cfg := offlinePay(bot.PayFirst)
		cfg.Pay.Methods = []bot.PayMethod{bot.PayWeChat, bot.PayCOD}
		set := &settler{}
		cfg.Pay.Links = set
		s := newShopWith(t, st, cfg)
		paid, later := s.orderPaying("u1", "wechatpay"), s.orderPaying("u2", "wechatpay")
		set.failFor = later.Number
		set.paid = func(number string) {
			err := st.InTx(ctx, func(tx bot.Repo) error {
				_, err := s.svc.ApplyPayment(ctx, tx, number, "wechatpay", paid.Total, "4200001")
				return err
			})
			if err != nil {
				t.Error(err)
			}
		}
		s.clock.Add(25 * time.Hour)
		if n, err := s.svc.SweepPayments(ctx); err != nil || n != 0 {
			t.Fatalf("first sweep changed %d: %v (calls %v)", n, err, set.calls)
		}
		if o := s.orderByNumber(paid.Number); o.Status != bot.Pending || o.PaymentStatus != bot.Paid {
			t.Fatalf("order paid at the provider: %s %s", o.Status, o.PaymentStatus)
		}
		if o := s.orderByNumber(later.Number); o.Status != bot.Pending {
			t.Fatalf("order the provider could not settle: %s", o.Status)
		}
		s.clock.Add(time.Minute)
		if n, err := s.svc.SweepPayments(ctx); err != nil || n != 1 {
			t.Fatalf("second sweep changed %d: %v", n, err)
		}
		if o := s.orderByNumber(later.Number); o.Status != bot.Cancelled {
			t.Fatalf("unsettled order after the second sweep: %s", o.Status)
		}
		if len(set.calls) != 3 || set.calls[0] != "wechatpay:"+paid.Number {
			t.Fatalf("settle calls %v", set.calls)
		}
	})
}

package telegram

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/pay"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

const providerToken = "284685063:TEST:provider"

// newPayEnv is the adapter with Telegram Payments, in the shop's flow: the
// one payment method is the Telegram invoice.
func newPayEnv(t *testing.T, st *store.Store, flow bot.PayFlow, timeout time.Duration) *env {
	t.Helper()
	chk := &pay.Checkout{Store: st}
	core := bot.Config{Pay: bot.PayConfig{Flow: flow, Methods: []bot.PayMethod{bot.PayTelegram}, Timeout: timeout}}
	e := newEnvCore(t, st, false, core, func(c *Config) {
		c.PayProviderToken, c.PayCurrency, c.Payments = providerToken, "CNY", chk
	})
	chk.Orders = e.svc
	return e
}

// invoiceTo is the newest invoice sent to chat.
func (e *env) invoiceTo(chat int64) apiCall {
	e.t.Helper()
	calls := e.api.callsOf("sendInvoice")
	for i := len(calls) - 1; i >= 0; i-- {
		if calls[i].chat() == chat {
			return calls[i]
		}
	}
	e.t.Fatalf("no invoice sent to %d", chat)
	return apiCall{}
}

// preCheckout asks the adapter, as Telegram does before charging, and
// returns its answer: ok and the error message.
func (u *user) preCheckout(payload, currency string, amount int64) (bool, string) {
	u.e.t.Helper()
	qid := fmt.Sprintf("pcq-%d", u.e.msgID())
	u.e.deliver(tgbotapi.Update{PreCheckoutQuery: &tgbotapi.PreCheckoutQuery{
		ID: qid, From: u.from(), Currency: currency, TotalAmount: int(amount), InvoicePayload: payload,
	}})
	for _, c := range u.e.api.callsOf("answerPreCheckoutQuery") {
		if c.Params.Get("pre_checkout_query_id") == qid {
			return c.Params.Get("ok") == "true", c.Params.Get("error_message")
		}
	}
	u.e.t.Fatalf("pre-checkout query %s not answered", qid)
	return false, ""
}

// paid delivers the successful_payment message Telegram sends after a charge.
func (u *user) paid(payload string, amount int64, charge string) {
	m := u.message(0, "")
	m.SuccessfulPayment = &tgbotapi.SuccessfulPayment{Currency: "CNY", TotalAmount: int(amount), InvoicePayload: payload,
		TelegramPaymentChargeID: charge, ProviderPaymentChargeID: "ch_" + charge}
	u.e.deliver(tgbotapi.Update{Message: m})
}

// TestTelegramPayments: pay-first, the order is billed in the chat with
// its amount; the pre-checkout is refused for a forged invoice or a wrong
// amount and accepted otherwise; the charge marks the order paid once,
// however often Telegram repeats it, and the customer is told.
func TestTelegramPayments(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newPayEnv(t, st, bot.PayFirst, time.Hour)
		c := e.customer(8101, "Mei")
		o := c.order(2)

		if polls := e.api.callsOf("getUpdates"); !strings.Contains(polls[0].Params.Get("allowed_updates"), "pre_checkout_query") {
			t.Fatalf("the bot does not ask for pre-checkout queries: %v", polls[0].Params)
		}
		inv := e.invoiceTo(c.id)
		p := inv.Params
		if p.Get("title") != "Order "+o.Number || p.Get("currency") != "CNY" || p.Get("provider_token") != providerToken {
			t.Fatalf("invoice %v", p)
		}
		var prices []tgbotapi.LabeledPrice
		jsonOf(t, p.Get("prices"), &prices)
		var sum int
		for _, l := range prices {
			sum += l.Amount
		}
		if sum != 7600 || int64(sum) != o.Total {
			t.Fatalf("invoice prices %v sum to %d, the order's total is %d", prices, sum, o.Total)
		}
		payload := p.Get("payload")

		forged := o.Number + ":0123456789abcdef0123456789abcdef"
		if ok, why := c.preCheckout(forged, "CNY", o.Total); ok || why == "" {
			t.Fatalf("forged payload: ok=%v %q", ok, why)
		}
		if ok, why := c.preCheckout(payload, "CNY", o.Total-1); ok || !strings.Contains(why, "amount") {
			t.Fatalf("wrong amount: ok=%v %q", ok, why)
		}
		if ok, why := c.preCheckout(payload, "USD", o.Total); ok || why == "" {
			t.Fatalf("wrong currency: ok=%v %q", ok, why)
		}
		if ok, why := c.preCheckout(payload, "CNY", o.Total); !ok {
			t.Fatalf("pre-checkout refused: %q", why)
		}
		if got := e.order(o.Number); got.PaymentStatus != bot.Unpaid {
			t.Fatalf("a pre-checkout changed the order: %s", got.PaymentStatus)
		}

		c.paid(payload, o.Total, "tg-charge-1")
		c.paid(payload, o.Total, "tg-charge-1") // Telegram repeats the update
		got := e.order(o.Number)
		if got.PaymentStatus != bot.Paid || got.Paid != o.Total || !strings.Contains(got.PaymentRef, "ch_tg-charge-1") {
			t.Fatalf("after the charge: %s paid %d ref %q", got.PaymentStatus, got.Paid, got.PaymentRef)
		}
		if n := strings.Count(e.textsTo(c.id), "received your payment"); n != 1 {
			t.Fatalf("the customer was told %d times of the payment:\n%s", n, e.textsTo(c.id))
		}
		card, _ := e.api.message(staffChat, e.staffCard(o.Number).MsgID) // edited in place since
		if !strings.Contains(card.text, "ch_tg-charge-1") {
			t.Fatalf("the staff card does not show the provider's charge id:\n%s", card.text)
		}
		if ok, _ := c.preCheckout(payload, "CNY", o.Total); ok {
			t.Fatal("a paid order accepted another pre-checkout")
		}
	})
}

// TestTelegramPayApproveFirst: the invoice comes with the approval, not
// before it.
func TestTelegramPayApproveFirst(t *testing.T) {
	e := newPayEnv(t, storetest.SQLite(t), bot.ApproveFirst, time.Hour)
	e.addStaff(777, "Alice", bot.Approver)
	c := e.customer(8102, "Hu")
	o := c.order(1)
	if n := len(e.api.callsOf("sendInvoice")); n != 0 {
		t.Fatalf("%d invoices before approval", n)
	}
	a := bot.StaffAction{Channel: bot.Telegram, UserID: "777", Ref: fmt.Sprintf("order:%d", o.ID), Action: bot.ActApprove, Version: o.Version}
	if _, err := e.svc.HandleStaffAction(context.Background(), a); err != nil {
		t.Fatal(err)
	}
	e.settle()
	if p := e.invoiceTo(c.id).Params; !strings.Contains(p.Get("prices"), "3800") {
		t.Fatalf("invoice prices %s", p.Get("prices"))
	}
}

// TestTelegramPayCancelledAndLate: an order past its payment deadline is
// refused at pre-checkout, before and after the sweep cancelled it; a
// charge that arrives for it all the same is recorded and raised to staff
// for a refund, which staff then record with the refund action.
func TestTelegramPayCancelledAndLate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e := newPayEnv(t, st, bot.PayFirst, 3*time.Second)
		c := e.customer(8103, "Wu")
		o := c.order(1)
		payload := e.invoiceTo(c.id).Params.Get("payload")
		c.lang = "zh-hans"
		time.Sleep(time.Until(e.order(o.Number).PayDue))
		if ok, why := c.preCheckout(payload, "CNY", o.Total); ok || !strings.Contains(why, "无法付款") {
			t.Fatalf("order past its deadline: ok=%v %q", ok, why)
		}
		if _, err := e.svc.SweepPayments(context.Background()); err != nil {
			t.Fatal(err)
		}
		e.settle()
		if got := e.order(o.Number); got.Status != bot.Cancelled {
			t.Fatalf("order %s after the payment timeout", got.Status)
		}
		if ok, why := c.preCheckout(payload, "CNY", o.Total); ok || !strings.Contains(why, "无法付款") {
			t.Fatalf("cancelled order: ok=%v %q", ok, why)
		}

		c.paid(payload, o.Total, "tg-late-1")
		c.paid(payload, o.Total, "tg-late-1")
		got := e.order(o.Number)
		if got.Status != bot.Cancelled || got.PaymentStatus != bot.Paid || got.Paid != o.Total {
			t.Fatalf("late charge: %s %s paid %d", got.Status, got.PaymentStatus, got.Paid)
		}
		var told int
		for _, m := range e.api.sentTo(staffChat) {
			if strings.Contains(m.Params.Get("text"), "tg-late-1") && strings.Contains(m.Params.Get("text"), "退款") {
				told++
			}
		}
		if told == 0 {
			t.Fatalf("staff were not asked to refund the late charge:\n%s", e.textsTo(staffChat))
		}
		// Once the shop refunded with the provider, the existing action records it.
		e.addStaff(777, "Alice", bot.Approver)
		a := bot.StaffAction{Channel: bot.Telegram, UserID: "777", Ref: fmt.Sprintf("order:%d", got.ID), Action: bot.ActRefund, Version: got.Version}
		if _, err := e.svc.HandleStaffAction(context.Background(), a); err != nil {
			t.Fatalf("refund the late charge: %v", err)
		}
		if got := e.order(o.Number); got.PaymentStatus != bot.Refunded || got.Refunded != o.Total {
			t.Fatalf("after the refund: %s refunded %d", got.PaymentStatus, got.Refunded)
		}
	})
}

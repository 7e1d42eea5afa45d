package telegram

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/pay"
	"github.com/orderbot/orderbot/conversation"
)

// Payments is what Telegram Payments need from the shop (pay.Checkout):
// a quick check before Telegram charges, and the record of the charge.
type Payments interface {
	Check(ctx context.Context, number string, amount int64) error
	Record(ctx context.Context, number string, p pay.Payment) error
}

// payProvider is the name payments through Telegram are recorded under.
const payProvider = "telegram"

// payload is an invoice's payload: the order number and a signature that
// only this shop can make, so a forged invoice is refused before a charge.
func (a *Adapter) payload(number string) string {
	return number + ":" + a.paySignature(number)
}

func (a *Adapter) paySignature(number string) string {
	mac := hmac.New(sha256.New, []byte("orderbot invoice "+a.cfg.PayProviderToken))
	mac.Write([]byte(number))
	return hex.EncodeToString(mac.Sum(nil))[:32]
}

// orderOfPayload returns the order number of a payload this shop signed.
func (a *Adapter) orderOfPayload(p string) (string, bool) {
	number, sig, ok := strings.Cut(p, ":")
	if !ok || number == "" {
		return "", false
	}
	return number, hmac.Equal([]byte(sig), []byte(a.paySignature(number)))
}

// invoiceOf returns the payment notice's invoice data when the message
// asks to bill the order through Telegram.
func (a *Adapter) invoiceOf(m *bot.Message) *conversation.PayInfo {
	if a.cfg.PayProviderToken == "" || m.Notice == nil || m.Notice.Pay == nil {
		return nil
	}
	if p := m.Notice.Pay; p.Method == conversation.PayTelegram && m.Notice.OrderNumber != "" {
		return p
	}
	return nil
}

// sendInvoice bills the order in the customer's chat.
func (a *Adapter) sendInvoice(ctx context.Context, chat int64, m *bot.Message, p *conversation.PayInfo, pace pacing) error {
	number := m.Notice.OrderNumber
	inv := conversation.RenderInvoice(conversation.ParseLang(m.Lang), number, *p)
	prices := make([]tgbotapi.LabeledPrice, len(inv.Lines))
	for i, l := range inv.Lines {
		prices[i] = tgbotapi.LabeledPrice{Label: l.Label, Amount: int(l.Amount)}
	}
	c := tgbotapi.NewInvoice(chat, inv.Title, inv.Description, a.payload(number), a.cfg.PayProviderToken, "", a.cfg.PayCurrency, prices)
	c.SuggestedTipAmounts = []int{} // v5.5.1 sends null otherwise, which Telegram refuses
	_, err := a.deliver(ctx, chat, "sendInvoice", c, pace)
	return err
}

// onPreCheckout answers Telegram's last question before it charges: at
// once, from the database, never through the outbox (Telegram waits 10 s).
func (a *Adapter) onPreCheckout(ctx context.Context, q *tgbotapi.PreCheckoutQuery) error {
	answer := tgbotapi.PreCheckoutConfig{PreCheckoutQueryID: q.ID, OK: true}
	if refusal, refused := a.checkPayment(ctx, q); refused {
		lang := conversation.ParseLang(langHint(languageOf(q.From)))
		answer.OK, answer.ErrorMessage = false, conversation.PayRefusalText(lang, refusal)
	}
	_, err := a.request(ctx, "answerPreCheckoutQuery", answer)
	return err
}

func languageOf(u *tgbotapi.User) string {
	if u == nil {
		return ""
	}
	return u.LanguageCode
}

func (a *Adapter) checkPayment(ctx context.Context, q *tgbotapi.PreCheckoutQuery) (conversation.PayRefusal, bool) {
	number, ok := a.orderOfPayload(q.InvoicePayload)
	if !ok || a.cfg.Payments == nil {
		return conversation.RefusedNotOurs, true
	}
	err := a.cfg.Payments.Check(ctx, number, int64(q.TotalAmount))
	switch {
	case err == nil && q.Currency != a.cfg.PayCurrency:
		return conversation.RefusedAmount, true
	case err == nil:
		return 0, false
	case errors.Is(err, pay.ErrWrongAmount):
		return conversation.RefusedAmount, true
	case errors.Is(err, bot.ErrNotFound):
		return conversation.RefusedNotOurs, true
	case !errors.Is(err, pay.ErrNotPayable):
		a.log.Error("telegram: pre-checkout check failed", "order", number, "err", err)
	}
	return conversation.RefusedNotPayable, true
}

// onPaid records the charge of a successful_payment message; a repeat of
// the update or of the charge changes nothing. The customer is told by
// the core's payment notice.
func (a *Adapter) onPaid(ctx context.Context, sp *tgbotapi.SuccessfulPayment) error {
	number, ok := a.orderOfPayload(sp.InvoicePayload)
	if !ok || a.cfg.Payments == nil {
		a.log.Error("telegram: a payment for an invoice not ours", "charge", sp.TelegramPaymentChargeID)
		return nil
	}
	err := a.cfg.Payments.Record(ctx, number, pay.Payment{
		Provider: payProvider, TxnID: sp.TelegramPaymentChargeID, Reference: sp.ProviderPaymentChargeID,
		Amount: int64(sp.TotalAmount),
	})
	if errors.Is(err, pay.ErrAlreadyRecorded) {
		return nil
	}
	return err
}

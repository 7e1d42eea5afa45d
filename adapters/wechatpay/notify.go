package wechatpay

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wechatpay-apiv3/wechatpay-go/core/auth/validators"
	"github.com/wechatpay-apiv3/wechatpay-go/core/notify"
	"github.com/wechatpay-apiv3/wechatpay-go/services/payments"
	"github.com/wechatpay-apiv3/wechatpay-go/utils"
)

// notifyError is a notification refused before it reached the domain.
type notifyError struct {
	status int // 400 malformed, 401 not from WeChat (or a replay)
	reason string
}

func (e *notifyError) Error() string { return e.reason }

func malformed(format string, args ...any) error {
	return &notifyError{http.StatusBadRequest, fmt.Sprintf(format, args...)}
}

func unauthorized(format string, args ...any) error {
	return &notifyError{http.StatusUnauthorized, fmt.Sprintf(format, args...)}
}

// verifier checks that a notification comes from WeChat, now, and opens it.
type verifier struct {
	keys     keys
	apiV3Key string
	now      func() time.Time
}

// open verifies the headers and the signature over the raw body, then
// decrypts the resource. Nothing of the body is believed before the
// signature is checked.
func (v *verifier) open(ctx context.Context, h http.Header, body []byte) (notify.Request, error) {
	for _, name := range []string{"Wechatpay-Timestamp", "Wechatpay-Nonce", "Wechatpay-Signature", "Wechatpay-Serial"} {
		if strings.TrimSpace(h.Get(name)) == "" {
			return notify.Request{}, malformed("no %s header", name)
		}
	}
	ts, err := strconv.ParseInt(strings.TrimSpace(h.Get("Wechatpay-Timestamp")), 10, 64)
	if err != nil {
		return notify.Request{}, malformed("Wechatpay-Timestamp is not a number")
	}
	if age := v.now().Sub(time.Unix(ts, 0)); age > timestampWindow || age < -timestampWindow {
		return notify.Request{}, unauthorized("timestamp %s off", age.Round(time.Second))
	}
	if t := h.Get("Wechatpay-Signature-Type"); t != "" && t != "WECHATPAY2-SHA256-RSA2048" {
		return notify.Request{}, unauthorized("signature type %q", t)
	}
	signed := &http.Request{Header: h, Body: io.NopCloser(bytes.NewReader(body))}
	if err := validators.NewWechatPayNotifyValidator(v.keys.verifier).Validate(ctx, signed); err != nil {
		return notify.Request{}, unauthorized("signature: %v", err)
	}
	var n notify.Request
	if err := json.Unmarshal(body, &n); err != nil {
		return notify.Request{}, malformed("body: %v", err)
	}
	res := n.Resource
	if res == nil || res.Algorithm != "AEAD_AES_256_GCM" {
		return notify.Request{}, malformed("no AEAD_AES_256_GCM resource")
	}
	plain, err := utils.DecryptAES256GCM(v.apiV3Key, res.AssociatedData, res.Nonce, res.Ciphertext)
	if err != nil {
		// Signed by WeChat yet not readable: most likely the APIv3 key
		// configured here is not the merchant's.
		return notify.Request{}, malformed("resource cannot be decrypted with the APIv3 key: %v", err)
	}
	res.Plaintext = plain
	return n, nil
}

// serveNotify handles POST /wechatpay/notify: payment (TRANSACTION.SUCCESS)
// and refund (REFUND.*) notifications. 204 tells WeChat it is recorded;
// anything else makes it try again later, for about a day.
func (a *Adapter) serveNotify(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxNotifyBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail(w, http.StatusRequestEntityTooLarge, "body too large")
			return
		}
		fail(w, http.StatusBadRequest, "body not read")
		return
	}
	n, err := a.notify.open(r.Context(), r.Header, body)
	if err != nil {
		ne := &notifyError{http.StatusBadRequest, err.Error()}
		errors.As(err, &ne)
		a.log.WarnContext(r.Context(), "wechatpay notification refused", "status", ne.status, "reason", ne.reason)
		// The reason stays in the log: a forger learns nothing from it.
		fail(w, ne.status, http.StatusText(ne.status))
		return
	}
	ctx, cancel := context.WithTimeout(r.Context(), notifyDeadline)
	defer cancel()
	log := a.log.With("event", n.EventType, "notification", n.ID)
	switch err := a.handle(ctx, log, n); {
	case err == nil:
		w.WriteHeader(http.StatusNoContent)
	case errors.Is(err, ErrRejected):
		log.WarnContext(ctx, "wechatpay notification rejected", "err", err)
		fail(w, http.StatusBadRequest, "rejected")
	default:
		log.ErrorContext(ctx, "wechatpay notification not recorded; WeChat will retry", "err", err)
		fail(w, http.StatusInternalServerError, "not recorded")
	}
}

// handle gives a verified notification to the domain.
func (a *Adapter) handle(ctx context.Context, log *slog.Logger, n notify.Request) error {
	switch {
	case n.EventType == "TRANSACTION.SUCCESS":
		var t payments.Transaction
		if err := json.Unmarshal([]byte(n.Resource.Plaintext), &t); err != nil {
			return fmt.Errorf("%w: transaction: %v", ErrRejected, err)
		}
		if deref(t.TradeState) != TradeSuccess {
			log.InfoContext(ctx, "wechatpay notification ignored", "trade_state", deref(t.TradeState))
			return nil
		}
		p, err := a.paymentOf(t)
		if err != nil {
			return err
		}
		log.InfoContext(ctx, "wechatpay payment", "order", p.OrderNumber, "transaction", p.TransactionID, "amount", p.Amount)
		return a.pay.Paid(ctx, p)
	case strings.HasPrefix(n.EventType, "REFUND."):
		var rn refundNotice
		if err := json.Unmarshal([]byte(n.Resource.Plaintext), &rn); err != nil {
			return fmt.Errorf("%w: refund: %v", ErrRejected, err)
		}
		at := a.now()
		if n.CreateTime != nil {
			at = *n.CreateTime
		}
		rf, err := a.refundOfNotice(rn, at)
		if err != nil {
			return err
		}
		log.InfoContext(ctx, "wechatpay refund", "order", rf.OrderNumber, "refund", rf.RefundNumber, "status", rf.Status)
		return a.pay.Refunded(ctx, rf)
	default:
		log.InfoContext(ctx, "wechatpay notification ignored")
		return nil
	}
}

// fail answers WeChat in its error format.
func fail(w http.ResponseWriter, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"code": "FAIL", "message": message})
}

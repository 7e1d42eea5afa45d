package webchat

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// customerCookie holds the visitor's customer id, 16 random bytes in hex,
// and its signature. Whoever holds it is that customer, so it is HttpOnly
// and unguessable; the signature means only ids this site gave out are
// taken, so a client cannot make up a new customer per request and escape
// the limits on new customers and on each customer's uploads.
const customerCookie = "orderbot_chat"

// customer returns the visitor's customer id, giving a new visitor (or one
// whose cookie is not one of ours) a fresh one if their address has not
// started too many chats in the last hour. It answers the request itself
// when it cannot go on, and reports whether to go on.
func (h *Handler) customer(w http.ResponseWriter, r *http.Request) (string, bool) {
	ctx := r.Context()
	key, err := h.sessionKey(ctx)
	if err != nil {
		h.log.Error("webchat: customer", "err", err)
		writeError(w, http.StatusInternalServerError, "something went wrong, please try again")
		return "", false
	}
	if c, err := r.Cookie(customerCookie); err == nil {
		if id := customerOf(key, c.Value); id != "" {
			return id, true
		}
		if h.knownCustomer(ctx, c.Value) {
			h.setCustomer(w, r, key, c.Value)
			return c.Value, true
		}
	}
	l := h.opts.Limits
	_, err = h.take(ctx, 1, quota{key: "new-customer:" + clientAddr(r), count: l.NewCustomersPerHour, window: time.Hour})
	if err != nil {
		if !limited(w, err, "too many new chats from your network in the last hour") {
			h.log.Error("webchat: count new customer", "err", err)
			writeError(w, http.StatusInternalServerError, "something went wrong, please try again")
		}
		return "", false
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails: crypto/rand panics instead
	id := hex.EncodeToString(b)
	h.setCustomer(w, r, key, id)
	return id, true
}

// knownCustomer accepts an unsigned cookie of a customer who exists: the
// cookies given out before they were signed, so those visitors keep their
// conversation. A made-up id names no customer.
func (h *Handler) knownCustomer(ctx context.Context, id string) bool {
	if !validCustomerID(id) {
		return false
	}
	_, err := h.guard.CustomerByUser(ctx, bot.WebChat, id)
	if err != nil && !errors.Is(err, bot.ErrNotFound) {
		h.log.Error("webchat: look up customer of an old cookie", "err", err)
	}
	return err == nil
}

// setCustomer gives the visitor the cookie. Embedded in another site's
// frame the chat is a third party, whose cookie browsers send only when it
// is SameSite=None, which they accept only with Secure; and browsers that
// block third-party cookies (Safari, Firefox, Chromium set so) keep it only
// when it is Partitioned, kept for the chat within that one shop's site.
func (h *Handler) setCustomer(w http.ResponseWriter, r *http.Request, key []byte, id string) {
	c := &http.Cookie{
		Name:     customerCookie,
		Value:    id + "." + sign(key, "customer", id),
		Path:     "/chat",
		MaxAge:   400 * 24 * 60 * 60, // the longest browsers keep a cookie
		HttpOnly: true,
		Secure:   h.secure(r),
		SameSite: http.SameSiteLaxMode,
	}
	if len(h.opts.FrameAncestors) > 0 {
		c.Secure, c.SameSite, c.Partitioned = true, http.SameSiteNoneMode, true
	}
	http.SetCookie(w, c)
}

// customerOf returns the customer id of a signed cookie value, "" when it
// is not one.
func customerOf(key []byte, value string) string {
	id, mac, ok := strings.Cut(value, ".")
	if !ok || !validCustomerID(id) || !signedEqual(mac, sign(key, "customer", id)) {
		return ""
	}
	return id
}

func validCustomerID(s string) bool {
	if len(s) != 32 {
		return false
	}
	for _, c := range s {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

package webchat

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// sessionCookie holds a staff session: user and expiry, signed with the key
// all replicas share, so no session table is needed and any replica can
// check it. It is Strict so no other site can make the browser use it.
const sessionCookie = "orderbot_staff"

// sessionTTL is how long a login lasts.
const sessionTTL = 12 * time.Hour

// staffRequest is what a handler behind requireStaff knows about the caller.
type staffRequest struct {
	staff  bot.Staff
	cookie string // the session cookie's value, which the CSRF token is bound to
	key    []byte
}

type staffHandler func(w http.ResponseWriter, r *http.Request, s staffRequest)

// sign returns the HMAC-SHA256 of data under key for one purpose; the
// purpose keeps a value signed for one use from being accepted for another.
func sign(key []byte, purpose, data string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(data))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// signedEqual compares a signature received with the expected one in
// constant time.
func signedEqual(got, want string) bool {
	return hmac.Equal([]byte(got), []byte(want))
}

// newSession returns the cookie value of a session of user until exp:
// user, expiry and a random nonce, so every login is a session (and a CSRF
// token) of its own, then the signature of all three.
func newSession(key []byte, user string, exp time.Time) string {
	nonce := make([]byte, 12)
	_, _ = rand.Read(nonce) // never fails: crypto/rand panics instead
	payload := base64.RawURLEncoding.EncodeToString([]byte(user)) + "." + strconv.FormatInt(exp.Unix(), 10) +
		"." + base64.RawURLEncoding.EncodeToString(nonce)
	return payload + "." + sign(key, "session", payload)
}

var errBadSession = errors.New("invalid or expired session")

// parseSession checks a session cookie value and returns its user.
func parseSession(key []byte, value string, now time.Time) (string, error) {
	i := strings.LastIndexByte(value, '.')
	if i < 0 {
		return "", errBadSession
	}
	payload, mac := value[:i], value[i+1:]
	if !signedEqual(mac, sign(key, "session", payload)) {
		return "", errBadSession
	}
	parts := strings.Split(payload, ".")
	if len(parts) != 3 {
		return "", errBadSession
	}
	user, err := base64.RawURLEncoding.DecodeString(parts[0])
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err != nil || err2 != nil || len(user) == 0 || !now.Before(time.Unix(exp, 0)) {
		return "", errBadSession
	}
	return string(user), nil
}

func (h *Handler) setSession(w http.ResponseWriter, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    value,
		Path:     "/staff",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   h.opts.SecureCookies,
		SameSite: http.SameSiteStrictMode,
	})
}

// requireStaff lets a request through only with a valid session of a staff
// member who still exists, looked up again on every request so removing a
// member ends their sessions at once. Pages redirect to the login form; the
// JSON API answers 401.
func (h *Handler) requireStaff(next staffHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, err := h.sessionKey(r.Context())
		if err != nil {
			h.log.Error("webchat: staff request", "err", err)
			writeError(w, http.StatusInternalServerError, "something went wrong, please try again")
			return
		}
		st, cookie, err := h.staffOf(r.Context(), r, key)
		if err != nil {
			if !errors.Is(err, errBadSession) && !errors.Is(err, bot.ErrNotFound) {
				h.log.Error("webchat: staff session", "err", err)
				writeError(w, http.StatusInternalServerError, "something went wrong, please try again")
				return
			}
			if cookie != "" {
				h.setSession(w, "", -1)
			}
			if strings.HasPrefix(r.URL.Path, "/staff/api/") {
				writeError(w, http.StatusUnauthorized, "please log in")
				return
			}
			http.Redirect(w, r, "/staff/login", http.StatusSeeOther)
			return
		}
		next(w, r, staffRequest{staff: st, cookie: cookie, key: key})
	}
}

// staffOf returns the staff member of the request's session cookie.
func (h *Handler) staffOf(ctx context.Context, r *http.Request, key []byte) (bot.Staff, string, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return bot.Staff{}, "", errBadSession
	}
	user, err := parseSession(key, c.Value, h.opts.Clock())
	if err != nil {
		return bot.Staff{}, c.Value, err
	}
	st, err := h.svc.StaffMember(ctx, bot.WebChat, user)
	if err != nil {
		return bot.Staff{}, c.Value, fmt.Errorf("staff member of session: %w", err)
	}
	return st, c.Value, nil
}

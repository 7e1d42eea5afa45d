package webchat

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// sessionCookie holds a staff session: a random secret whose hash names a
// session row in the database, so any replica can check it and logging out
// ends it everywhere. It is Strict so no other site can make the browser
// use it.
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

func hashHex(parts ...string) string {
	s := sha256.New()
	for _, p := range parts {
		s.Write([]byte(p))
		s.Write([]byte{0})
	}
	return hex.EncodeToString(s.Sum(nil))
}

// sessionID is the database's name of a session cookie: its hash, so that
// reading the table gives no one a working cookie.
func sessionID(cookie string) string { return hashHex("session", cookie) }

// grantOf fingerprints what a session is granted under: the staff member's
// role and password hash. Changing either (staff add again, even with the
// same password, makes a new bcrypt hash) voids every session granted
// before.
func grantOf(st bot.Staff) string { return hashHex(string(st.Role), st.PasswordHash) }

var errBadSession = errors.New("invalid or expired session")

// startSession stores a new session of st and returns its cookie value.
func (h *Handler) startSession(ctx context.Context, st bot.Staff) (string, error) {
	b := make([]byte, 32)
	_, _ = rand.Read(b) // never fails: crypto/rand panics instead
	cookie := base64.RawURLEncoding.EncodeToString(b)
	now := h.opts.Clock()
	err := h.guard.CreateStaffSession(ctx, bot.StaffSession{
		ID: sessionID(cookie), Channel: bot.WebChat, UserID: st.UserID, Grant: grantOf(st),
		CreatedAt: now, ExpiresAt: now.Add(sessionTTL),
	})
	if err != nil {
		return "", fmt.Errorf("start session: %w", err)
	}
	return cookie, nil
}

func (h *Handler) setSession(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	// The whole site, so that the admin API under /api/v1 gets it too.
	http.SetCookie(w, &http.Cookie{
		Name:     sessionCookie,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		Secure:   h.secure(r),
		SameSite: http.SameSiteStrictMode,
	})
	// Sessions started before the cookie covered the whole site have it on
	// /staff, where the browser would send it first: it goes.
	if _, err := r.Cookie(sessionCookie); err == nil {
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Path: "/staff", MaxAge: -1, HttpOnly: true, Secure: h.secure(r), SameSite: http.SameSiteStrictMode})
	}
}

// requireStaff lets a request through only with a live session of a staff
// member who still exists with the role and password the session was
// granted under, looked up again on every request so that removing a
// member, changing their role or password, or logging out ends their
// sessions at once. Pages redirect to the login form; the JSON API answers
// 401.
func (h *Handler) requireStaff(next staffHandler) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, err := h.sessionKey(r.Context())
		if err != nil {
			h.log.Error("webchat: staff request", "err", err)
			writeError(w, http.StatusInternalServerError, "something went wrong, please try again")
			return
		}
		st, cookie, err := h.staffOf(r.Context(), r)
		if err != nil {
			if !errors.Is(err, errBadSession) && !errors.Is(err, bot.ErrNotFound) {
				h.log.Error("webchat: staff session", "err", err)
				writeError(w, http.StatusInternalServerError, "something went wrong, please try again")
				return
			}
			if cookie != "" {
				h.setSession(w, r, "", -1)
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
func (h *Handler) staffOf(ctx context.Context, r *http.Request) (bot.Staff, string, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return bot.Staff{}, "", errBadSession
	}
	sess, err := h.guard.StaffSession(ctx, sessionID(c.Value), h.opts.Clock())
	if err != nil {
		return bot.Staff{}, c.Value, fmt.Errorf("session: %w", err)
	}
	st, err := h.svc.StaffMember(ctx, sess.Channel, sess.UserID)
	if err != nil {
		return bot.Staff{}, c.Value, fmt.Errorf("staff member of session: %w", err)
	}
	if !signedEqual(sess.Grant, grantOf(st)) {
		// Role or password changed since: the session is over for good.
		if err := h.guard.DeleteStaffSession(ctx, sess.ID); err != nil {
			h.log.Error("webchat: end a void session", "err", err)
		}
		return bot.Staff{}, c.Value, errBadSession
	}
	return st, c.Value, nil
}

// secure reports whether cookies set in answer to r must be Secure: when
// the site's public URL is https, or this request came over TLS, directly
// or through a trusted proxy (the server's edge drops X-Forwarded-Proto
// from anyone else).
func (h *Handler) secure(r *http.Request) bool {
	return h.opts.SecureCookies || r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https")
}

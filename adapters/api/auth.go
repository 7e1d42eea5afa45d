package api

import (
	"context"
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

// tokenPrefix marks orderbot's tokens, so secret scanners and people can
// tell one apart from other credentials.
const tokenPrefix = "obt_"

// NewToken returns a fresh token, to be shown once, and the hash to store.
// 32 random bytes leave nothing to guess, so a plain SHA-256 suffices as
// the stored form.
func NewToken() (token, hash string, err error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", "", fmt.Errorf("new token: %w", err)
	}
	token = tokenPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// HashToken is the stored form of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// CheckTokenName accepts 1-64 letters, digits, dots, dashes and
// underscores: the name appears in audit trails as "NAME (api)".
func CheckTokenName(name string) error {
	if name == "" || len(name) > 64 {
		return fmt.Errorf("%w: a token name must be 1-64 characters", bot.ErrInvalid)
	}
	for _, c := range name {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_'
		if !ok {
			return fmt.Errorf("%w: a token name may have only letters, digits, '.', '-' and '_'", bot.ErrInvalid)
		}
	}
	return nil
}

// handlerFunc is a route that runs for an authenticated staff identity.
type handlerFunc func(w http.ResponseWriter, r *http.Request, who bot.Staff) error

// handle registers a route behind the bearer token check, its work bounded
// by timeout.
func (h *Handler) handle(pattern string, fn handlerFunc, timeout time.Duration) {
	h.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		// A hung database must not hold the caller forever; fail still
		// sees the caller's own context to tell a timeout from a hang-up.
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		who, err := h.authenticate(ctx, r)
		if err != nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="orderbot"`)
			h.fail(w, r, err)
			return
		}
		if err := fn(w, r.WithContext(ctx), who); err != nil {
			h.fail(w, r, err)
		}
	})
}

// authenticate finds who sends r: the bearer token's staff identity or,
// without an Authorization header, the console session's staff member.
func (h *Handler) authenticate(ctx context.Context, r *http.Request) (bot.Staff, error) {
	header := r.Header.Get("Authorization")
	if header == "" && h.opts.Sessions != nil {
		who, ok, err := h.opts.Sessions.SessionStaff(r.WithContext(ctx))
		switch {
		case errors.Is(err, bot.ErrForbidden):
			return bot.Staff{}, &apiError{http.StatusForbidden, codeForbidden, "a console session must send its CSRF token in the X-CSRF-Token header"}
		case err != nil:
			return bot.Staff{}, fmt.Errorf("authenticate: %w", err)
		case ok:
			return who, nil
		}
	}
	scheme, token, ok := strings.Cut(header, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || !strings.HasPrefix(token, tokenPrefix) || len(token) > 200 {
		return bot.Staff{}, &apiError{http.StatusUnauthorized, codeUnauthorized, "send Authorization: Bearer TOKEN"}
	}
	who, err := h.store.Authenticate(ctx, HashToken(token), h.now())
	if errors.Is(err, bot.ErrNotFound) {
		return bot.Staff{}, &apiError{http.StatusUnauthorized, codeUnauthorized, "unknown or revoked token"}
	}
	if err != nil {
		return bot.Staff{}, fmt.Errorf("authenticate: %w", err)
	}
	return who, nil
}

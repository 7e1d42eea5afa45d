package webchat

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"
)

// A staff POST must prove it comes from our own page: the session cookie
// alone would be sent along with a form another site makes the browser
// submit. The token is the HMAC of the session cookie, which only a page we
// rendered for that session knows; it needs no storage and changes with
// every login.

const (
	csrfHeader = "X-CSRF-Token"
	csrfField  = "csrf"
	// loginCookie carries a random nonce for the login form, which is
	// posted before there is a session to bind a token to.
	loginCookie = "orderbot_login"
)

func csrfToken(s staffRequest) string {
	return sign(s.key, "csrf", s.cookie)
}

// requireCSRF refuses (403) a staff POST whose token is missing or wrong,
// before anything is changed.
func (h *Handler) requireCSRF(next staffHandler) staffHandler {
	return func(w http.ResponseWriter, r *http.Request, s staffRequest) {
		got := r.Header.Get(csrfHeader)
		if got == "" && isForm(r) {
			r.Body = http.MaxBytesReader(w, r.Body, maxBody)
			if err := r.ParseForm(); err != nil {
				formError(w, r, err)
				return
			}
			got = r.PostForm.Get(csrfField)
		}
		if got == "" || !signedEqual(got, csrfToken(s)) {
			h.log.Warn("webchat: staff request without a valid CSRF token", "user", s.staff.UserID, "path", r.URL.Path)
			writeError(w, http.StatusForbidden, "this page is out of date: reload it and try again")
			return
		}
		next(w, r, s)
	}
}

func isForm(r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	return strings.HasPrefix(ct, "application/x-www-form-urlencoded") || strings.HasPrefix(ct, "multipart/form-data")
}

// formError answers a form that could not be read: 413 when too large.
func formError(w http.ResponseWriter, r *http.Request, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		writeError(w, http.StatusRequestEntityTooLarge, "request too large")
		return
	}
	writeError(w, http.StatusBadRequest, "malformed form")
}

// loginNonce returns the login form's nonce, setting a fresh one when the
// browser has none, and the token the form must send back with it.
func (h *Handler) loginNonce(w http.ResponseWriter, r *http.Request, key []byte) string {
	nonce := ""
	if c, err := r.Cookie(loginCookie); err == nil && len(c.Value) == 43 {
		nonce = c.Value
	} else {
		b := make([]byte, 32)
		_, _ = rand.Read(b) // never fails: crypto/rand panics instead
		nonce = base64.RawURLEncoding.EncodeToString(b)
		http.SetCookie(w, &http.Cookie{
			Name:     loginCookie,
			Value:    nonce,
			Path:     "/staff/login",
			MaxAge:   60 * 60,
			HttpOnly: true,
			Secure:   h.secure(r),
			SameSite: http.SameSiteStrictMode,
		})
	}
	return sign(key, "login", nonce)
}

// loginTokenOK checks the token posted with the login form against the
// nonce cookie.
func loginTokenOK(r *http.Request, key []byte) bool {
	c, err := r.Cookie(loginCookie)
	got := r.PostForm.Get(csrfField)
	return err == nil && c.Value != "" && got != "" && signedEqual(got, sign(key, "login", c.Value))
}

package webchat

import (
	"context"
	"errors"
	"fmt"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/orderbot/orderbot/bot"
)

// Limits of what a staff request may carry.
const (
	maxUser  = 128
	maxField = 2000
)

type loginPage struct {
	Title string
	User  string
	Error string
	CSRF  string
}

// cardsResponse is the cards changed since the last poll, oldest first;
// After is the feed id to poll after next.
type cardsResponse struct {
	Cards []bot.Card `json:"cards"`
	After int64      `json:"after"`
}

func (h *Handler) loginRoutes() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			h.loginForm(w, r, http.StatusOK, loginPage{})
		case http.MethodPost:
			h.login(w, r)
		default:
			w.Header().Set("Allow", "GET, POST")
			writeError(w, http.StatusMethodNotAllowed, "method not allowed")
		}
	})
}

func (h *Handler) loginForm(w http.ResponseWriter, r *http.Request, status int, p loginPage) {
	key, err := h.sessionKey(r.Context())
	if err != nil {
		h.log.Error("webchat: login form", "err", err)
		http.Error(w, "something went wrong, please try again", http.StatusInternalServerError)
		return
	}
	p.Title = h.opts.Title
	p.CSRF = h.loginNonce(w, r, key)
	h.render(w, status, "login.html", p)
}

// login checks a user and password against the staff member's bcrypt hash.
// Every failure reads the same and costs the same bcrypt check, so the form
// does not tell which user names exist. Too many failures for one user or
// from one address lock further attempts, right password or not, for the
// rest of the window.
func (h *Handler) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxBody)
	if err := r.ParseForm(); err != nil {
		formError(w, r, err)
		return
	}
	key, err := h.sessionKey(r.Context())
	if err != nil {
		h.log.Error("webchat: login", "err", err)
		http.Error(w, "something went wrong, please try again", http.StatusInternalServerError)
		return
	}
	user := strings.TrimSpace(r.PostForm.Get("user"))
	if !loginTokenOK(r, key) {
		h.loginForm(w, r, http.StatusForbidden, loginPage{User: user, Error: "The form expired. Please try again."})
		return
	}
	// The attempt counts as a failure until the password proves right, so
	// attempts sent all at once cannot slip past the count.
	attempt, err := h.take(r.Context(), 1, h.loginQuotas(r, user)...)
	if err != nil {
		h.loginRefused(w, r, user, err)
		return
	}
	st, err := h.checkLogin(r.Context(), user, r.PostForm.Get("password"))
	switch {
	case errors.Is(err, errWrongPassword):
		h.log.Warn("webchat: staff login failed", "user", logUser(user), "remote", remoteHost(r))
		h.loginForm(w, r, http.StatusUnauthorized, loginPage{User: user, Error: "Wrong user or password."})
	case err != nil:
		h.log.Error("webchat: staff login", "err", err)
		http.Error(w, "something went wrong, please try again", http.StatusInternalServerError)
	default:
		h.untake(r.Context(), attempt)
		h.grantSession(w, r, st)
	}
}

// loginRefused answers a login attempt made while its user or address is
// locked (429 with Retry-After), or that could not be counted.
func (h *Handler) loginRefused(w http.ResponseWriter, r *http.Request, user string, err error) {
	var le *limitError
	if !errors.As(err, &le) {
		h.log.Error("webchat: staff login", "err", err)
		http.Error(w, "something went wrong, please try again", http.StatusInternalServerError)
		return
	}
	secs := int(math.Ceil(le.RetryAfter.Seconds()))
	h.log.Warn("webchat: staff login locked", "user", logUser(user), "remote", remoteHost(r), "retry_after_s", secs)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	h.loginForm(w, r, http.StatusTooManyRequests, loginPage{User: user,
		Error: "Too many failed logins. Please try again in " + wait(secs) + "."})
}

// grantSession logs st in: a new session, its cookie, and on to the console.
func (h *Handler) grantSession(w http.ResponseWriter, r *http.Request, st bot.Staff) {
	cookie, err := h.startSession(r.Context(), st)
	if err != nil {
		h.log.Error("webchat: staff login", "err", err)
		http.Error(w, "something went wrong, please try again", http.StatusInternalServerError)
		return
	}
	h.setSession(w, r, cookie, int(sessionTTL.Seconds()))
	http.SetCookie(w, &http.Cookie{Name: loginCookie, Path: "/staff/login", MaxAge: -1})
	h.log.Info("webchat: staff logged in", "user", st.UserID, "remote", remoteHost(r))
	http.Redirect(w, r, "/staff", http.StatusSeeOther)
}

// logUser is a typed user name as the log shows it: no longer than any
// real one.
func logUser(user string) string {
	if len(user) > maxUser {
		return strings.ToValidUTF8(user[:maxUser], "?") + "…"
	}
	return strings.ToValidUTF8(user, "?")
}

// loginQuotas are the failed logins allowed for one user name and from one
// address. A name longer than any user's, or not UTF-8, is no account to
// protect (and would not fit the key): only its address counts.
func (h *Handler) loginQuotas(r *http.Request, user string) []quota {
	l := h.opts.Limits
	qs := []quota{{key: "login-addr:" + clientAddr(r), count: l.LoginFailures, window: l.LoginWindow}}
	if len(user) <= maxUser && utf8.ValidString(user) {
		qs = append(qs, quota{key: "login-user:" + user, count: l.LoginFailures, window: l.LoginWindow})
	}
	return qs
}

// remoteHost is the client's address for the log.
func remoteHost(r *http.Request) string {
	if host, _, err := net.SplitHostPort(r.RemoteAddr); err == nil {
		return host
	}
	return r.RemoteAddr
}

var errWrongPassword = errors.New("wrong user or password")

func (h *Handler) checkLogin(ctx context.Context, user, pw string) (bot.Staff, error) {
	if user == "" || len(user) > maxUser || pw == "" || len(pw) > 256 {
		CheckPassword(decoyHash, pw)
		return bot.Staff{}, errWrongPassword
	}
	st, err := h.svc.StaffMember(ctx, bot.WebChat, user)
	if err != nil && !errors.Is(err, bot.ErrNotFound) {
		return bot.Staff{}, fmt.Errorf("look up staff member: %w", err)
	}
	hash := st.PasswordHash
	if err != nil || hash == "" {
		hash = decoyHash
	}
	if !CheckPassword(hash, pw) || st.PasswordHash == "" {
		return bot.Staff{}, errWrongPassword
	}
	return st, nil
}

// logout ends the session on every replica, not only in this browser.
func (h *Handler) logout(w http.ResponseWriter, r *http.Request, s staffRequest) {
	if err := h.guard.DeleteStaffSession(r.Context(), sessionID(s.cookie)); err != nil {
		h.log.Error("webchat: logout", "err", err)
		writeError(w, http.StatusInternalServerError, "something went wrong, please try again")
		return
	}
	h.setSession(w, r, "", -1)
	http.Redirect(w, r, "/staff/login", http.StatusSeeOther)
}

// staffFeedEnd returns the id of the last staff card message. Feed reads
// forward only, so it pages from the highest id this replica has seen.
func (h *Handler) staffFeedEnd(ctx context.Context) (int64, error) {
	h.headMu.Lock()
	head := h.staffHead
	h.headMu.Unlock()
	for {
		ms, err := h.svc.Feed(ctx, bot.WebChat, bot.StaffRecipient, head)
		if err != nil {
			return 0, fmt.Errorf("staff feed: %w", err)
		}
		if len(ms) == 0 {
			break
		}
		head = ms[len(ms)-1].ID
	}
	h.headMu.Lock()
	h.staffHead = max(h.staffHead, head)
	h.headMu.Unlock()
	return head, nil
}

// staffFeed is the long poll through which the console receives new and
// changed cards, whoever changed them and on whichever channel.
func (h *Handler) staffFeed(w http.ResponseWriter, r *http.Request, s staffRequest) {
	after, err := parseAfter(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	ms, err := h.waitFeed(r.Context(), bot.StaffRecipient, after)
	if err != nil {
		if r.Context().Err() == nil {
			h.log.Error("webchat: staff feed", "err", err)
			writeError(w, http.StatusInternalServerError, "feed unavailable")
		}
		return
	}
	resp := cardsResponse{Cards: []bot.Card{}, After: after}
	for _, m := range ms {
		if m.Card != nil {
			resp.Cards = append(resp.Cards, *m.Card)
		}
		resp.After = m.ID
	}
	writeJSON(w, http.StatusOK, resp)
}

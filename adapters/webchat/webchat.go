// Package webchat is the web chat channel: a chat page a shop can put on its
// site (and the way to try the bot with nothing configured), and the staff
// console where staff log in with a password, work through the queue of
// open work, find any order, customer or after-sales request, and decide
// orders and requests, in Chinese or English.
//
// Nothing the pages need lives in process memory: the customer's messages
// and the staff cards are read from the outbox through Service.Feed, the
// key that signs cookies is a secret stored in the database, and staff
// sessions and the counts behind the limits on anonymous visitors and
// logins are rows there too (Guard), so any replica can serve any request
// and a limit holds across replicas.
package webchat

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// Service is what the web chat needs from the core.
type Service interface {
	HandleInbound(ctx context.Context, in bot.Inbound) ([]*bot.Message, error)
	HandleStaffAction(ctx context.Context, a bot.StaffAction) (bot.StaffResult, error)
	OpenWork(ctx context.Context) ([]bot.Card, error)
	WorkCards(ctx context.Context, items []bot.WorkItem) ([]bot.WorkCard, error)
	Feed(ctx context.Context, channel, recipient string, afterID int64) ([]*bot.Message, error)
	StaffMember(ctx context.Context, channel, userID string) (bot.Staff, error)
	Secret(ctx context.Context, name string) ([]byte, error)
	SaveMedia(ctx context.Context, channel, owner string, data []byte) (ref string, err error)
	MediaByRef(ctx context.Context, ref string) (bot.Media, error)
}

// Options are the web chat's settings; the zero value works.
type Options struct {
	// SecureCookies marks every cookie Secure; set it when the site is served over
	// https (it always should be outside a laptop). Cookies are Secure anyway
	// in answer to a request that came over TLS or with X-Forwarded-Proto:
	// https, which the server's edge keeps only from trusted proxies.
	SecureCookies bool
	// Title is the shop's name shown on the pages.
	Title string
	// Logo is the URL of the shop's logo shown in the chat's header
	// (http(s) only); the name's first letter when empty.
	Logo string
	// FrameAncestors are origins allowed to show the chat page in a frame,
	// besides this site itself (see ParseEmbedOrigins). The staff console
	// is never framed. When set, the chat's cookie is SameSite=None and
	// Secure, without which a browser withholds it inside another site's
	// frame.
	FrameAncestors []string
	// PollWait is how long a feed request waits for a message (25 s when zero).
	PollWait time.Duration
	// PollInterval is how often a waiting feed request reads the feed (500 ms when zero).
	PollInterval time.Duration
	// Clock returns the current time; time.Now when nil.
	Clock func() time.Time
	// Limits bounds what one client may cost; the zero value takes the defaults.
	Limits Limits
	// Records is what the console's work queue, search and detail pages
	// read; without it they answer 404.
	Records Records
	// Privacy erases and exports customers' data from their console page
	// (admins only); without it those pages answer 404.
	Privacy Privacy
	// Location is the shop's time zone, in which the chat and the console
	// show every time and the console reads every date; UTC when nil.
	Location *time.Location
	// Lang is the console's language, "zh" (the default) or "en", until a
	// staff member picks their own.
	Lang string
	// Currency is the symbol put before amounts in the console ("¥" when empty).
	Currency string
	// Coupons backs the console's coupon page; no page when nil.
	Coupons Coupons
	// FollowUps backs the console's follow-up rules page; no page when nil.
	FollowUps FollowUpRules
	// Broadcasts backs the console's broadcast pages (promotions); no
	// pages when nil.
	Broadcasts Broadcasts
	// Reports is what the console's dashboard (/staff/reports) reads;
	// without it the dashboard answers 404.
	Reports Reports
	// Transcripts are the handoff conversations the customer pages show;
	// none are shown when nil.
	Transcripts Transcripts
	// CRM shows and changes customers' tiers, tags and notes on their
	// pages; without it the pages show neither.
	CRM CRM
}

//go:embed static templates
var assets embed.FS

// Handler serves the customer chat under /chat and the staff console under
// /staff. It is also the channel's sender.
type Handler struct {
	svc   Service
	guard Guard
	log   *slog.Logger
	opts  Options
	mux   *http.ServeMux
	pages *template.Template
	// history keeps the customer's side of the chat; nil when the guard
	// cannot.
	history ChatHistory

	// keyMu guards key, the session key once read: it never changes, so
	// keeping it saves a database read per staff request.
	keyMu sync.Mutex
	key   []byte

	// staffHead is the highest staff feed id this replica has seen; it is
	// only a place to start looking for the end of the feed, never trusted
	// beyond that.
	headMu    sync.Mutex
	staffHead int64

	// charts draws the dashboard's chart in each console language.
	charts charters
}

// The dispatcher marks web chat messages delivered through Send.
var _ bot.Sender = (*Handler)(nil)

// New builds the handler; guard keeps the limits and staff sessions.
func New(svc Service, guard Guard, log *slog.Logger, opts Options) *Handler {
	if opts.Title == "" {
		opts.Title = "orderbot"
	}
	if opts.PollWait <= 0 {
		opts.PollWait = 25 * time.Second
	}
	if opts.PollInterval <= 0 {
		opts.PollInterval = 500 * time.Millisecond
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Lang != "en" {
		opts.Lang = "zh"
	}
	if opts.Currency == "" {
		opts.Currency = "¥"
	}
	opts.Logo = bot.PictureURL(opts.Logo)
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	opts.Limits = opts.Limits.withDefaults()
	h := &Handler{
		svc:   svc,
		guard: guard,
		log:   log,
		opts:  opts,
		mux:   http.NewServeMux(),
		pages: template.Must(template.New("").Funcs(templateFuncs()).ParseFS(assets, "templates/*.html")),
	}
	h.charts = newCharters()
	h.history, _ = guard.(ChatHistory)
	h.routes()
	return h
}

// Register mounts the handler's routes on mux.
func (h *Handler) Register(mux *http.ServeMux) {
	for _, p := range []string{"/chat", "/chat/", "/staff", "/staff/"} {
		mux.Handle(p, h)
	}
}

// ServeHTTP serves /chat and /staff.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.securityHeaders(w, r)
	h.mux.ServeHTTP(w, r)
}

// Send marks a web chat message as delivered without transmitting anything:
// the page reads its messages from the outbox through the feed, which lives
// in the database, so whichever replica the browser polls shows them. There
// is no connection to push to and nothing that could fail.
func (h *Handler) Send(ctx context.Context, m *bot.Message) (externalID string, err error) {
	return "", nil
}

func (h *Handler) routes() {
	static, err := fs.Sub(assets, "static")
	if err != nil {
		panic(err) // the embed directive guarantees the directory
	}
	files := noListing(http.FileServerFS(static))
	h.mux.Handle("/chat/static/", http.StripPrefix("/chat/static/", files))
	h.mux.Handle("/staff/static/", http.StripPrefix("/staff/static/", files))

	h.mux.Handle("/chat", only(http.MethodGet, h.chatPage))
	h.mux.Handle("/chat/{$}", only(http.MethodGet, h.chatPage))
	h.mux.Handle("/chat/api/send", only(http.MethodPost, h.chatSend))
	h.mux.Handle("/chat/api/photo", only(http.MethodPost, h.chatPhoto))
	h.mux.Handle("/chat/api/messages", only(http.MethodGet, h.chatMessages))
	h.mux.Handle("/chat/api/history", only(http.MethodGet, h.chatHistory))

	h.mux.Handle("/staff/login", h.loginRoutes())
	h.mux.Handle("/staff", only(http.MethodGet, h.requireStaff(h.staffPage)))
	h.mux.Handle("/staff/{$}", only(http.MethodGet, h.requireStaff(h.staffPage)))
	h.mux.Handle("/staff/logout", only(http.MethodPost, h.requireStaff(h.requireCSRF(h.logout))))
	h.mux.Handle("/staff/api/cards", only(http.MethodGet, h.requireStaff(h.cards)))
	h.mux.Handle("/staff/api/feed", only(http.MethodGet, h.requireStaff(h.staffFeed)))
	h.mux.Handle("/staff/api/action", only(http.MethodPost, h.requireStaff(h.requireCSRF(h.action))))
	h.mux.Handle("/staff/media/{ref}", only(http.MethodGet, h.requireStaff(h.staffMedia)))
	h.consoleRoutes()
	h.couponRoutes()
	h.followUpRoutes()
	h.broadcastRoutes()
	h.reportRoutes()
	h.crmRoutes()
}

// securityHeaders keeps the pages to their own scripts and styles (no inline
// script, so injected markup cannot run) and out of other sites' frames
// but the shop's own. The chat shows product pictures and the logo from
// wherever the catalog says; a picture cannot run anything.
func (h *Handler) securityHeaders(w http.ResponseWriter, r *http.Request) {
	frame, img := "'none'", "'self' data:"
	if strings.HasPrefix(r.URL.Path, "/chat") {
		frame = strings.Join(append([]string{"'self'"}, h.opts.FrameAncestors...), " ")
		img = "'self' data: https: http:"
	} else {
		w.Header().Set("X-Frame-Options", "DENY")
	}
	w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; "+
		"img-src "+img+"; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors "+frame)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Referrer-Policy", "same-origin")
	if !strings.Contains(r.URL.Path, "/static/") {
		w.Header().Set("Cache-Control", "no-store")
	}
}

// noListing keeps the file server from listing the static directory.
func noListing(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") || r.URL.Path == "" {
			http.NotFound(w, r)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// only answers 405 to any method but m (GET also allows HEAD).
func only(m string, next http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != m && !(m == http.MethodGet && r.Method == http.MethodHead) {
			w.Header().Set("Allow", m)
			writeError(w, http.StatusMethodNotAllowed, "method not allowed")
			return
		}
		next(w, r)
	})
}

// errorBody is every JSON error answer; Card is the item's current card
// when an action found it changed.
type errorBody struct {
	Error string    `json:"error"`
	Card  *bot.Card `json:"card,omitempty"`
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, errorBody{Error: msg})
}

// maxBody is the most a JSON or form request may carry.
const maxBody = 24 << 10 // room for a long Chinese paste, which the conversation refuses in words

// decodeJSON reads a small JSON body into v and answers the request itself
// when it cannot (413 too large, 400 malformed); it reports whether to go on.
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	if err := dec.Decode(v); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "request too large")
			return false
		}
		writeError(w, http.StatusBadRequest, "malformed JSON")
		return false
	}
	return true
}

func (h *Handler) render(w http.ResponseWriter, status int, name string, data any) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if err := h.pages.ExecuteTemplate(w, name, data); err != nil {
		h.log.Error("webchat: render page", "page", name, "err", err)
	}
}

// sessionKey returns the key shared by all replicas that signs staff
// sessions and CSRF tokens.
func (h *Handler) sessionKey(ctx context.Context) ([]byte, error) {
	h.keyMu.Lock()
	defer h.keyMu.Unlock()
	if h.key != nil {
		return h.key, nil
	}
	key, err := h.svc.Secret(ctx, "webchat-session")
	if err != nil {
		return nil, fmt.Errorf("session key: %w", err)
	}
	if len(key) < 16 {
		return nil, fmt.Errorf("session key: only %d bytes", len(key))
	}
	h.key = key
	return key, nil
}

package telegram

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

const (
	botToken = "123456:TEST-token_abcdef"
	botID    = int64(123456)
)

// fakeAPI is a Telegram Bot API server for the real client library: it
// answers the methods the adapter uses, serves queued updates to
// getUpdates, keeps the messages the bot sent (so edits can be checked like
// Telegram does), records every call, and fails the next calls on demand.
type fakeAPI struct {
	t   testing.TB
	srv *httptest.Server

	mu         sync.Mutex
	calls      []apiCall
	updates    []tgbotapi.Update
	nextUpdate int
	maxOffset  int
	nextMsg    int
	msgs       map[string]*sentMsg // "chat:message_id"
	faults     []*fault
	arrived    chan struct{} // closed when updates are queued
}

// apiCall is one request the bot made.
type apiCall struct {
	Method string
	Params url.Values
	At     time.Time
	Status int
	MsgID  int               // the message sent or edited, when there is one
	Files  map[string][]byte // uploaded files (sendPhoto with bytes), by field
}

func (c apiCall) chat() int64 {
	id, _ := strconv.ParseInt(c.Params.Get("chat_id"), 10, 64)
	return id
}

// buttons are the inline buttons in the call's reply_markup.
func (c apiCall) buttons() []tgbotapi.InlineKeyboardButton {
	return inlineButtons(c.Params.Get("reply_markup"))
}

func inlineButtons(markup string) []tgbotapi.InlineKeyboardButton {
	var kb tgbotapi.InlineKeyboardMarkup
	if markup == "" || json.Unmarshal([]byte(markup), &kb) != nil {
		return nil
	}
	var out []tgbotapi.InlineKeyboardButton
	for _, row := range kb.InlineKeyboard {
		out = append(out, row...)
	}
	return out
}

func data(b tgbotapi.InlineKeyboardButton) string {
	if b.CallbackData == nil {
		return ""
	}
	return *b.CallbackData
}

type sentMsg struct {
	chat   int64
	text   string
	markup string
}

// fault is an error answer for the next n matching calls (n < 0: all).
type fault struct {
	method string // "" matches every method but getMe
	chat   int64  // 0 matches every chat
	n      int
	status int
	body   string
}

func newFakeAPI(t testing.TB) *fakeAPI {
	f := &fakeAPI{t: t, msgs: map[string]*sentMsg{}, nextUpdate: 1000, nextMsg: 100, arrived: make(chan struct{})}
	f.srv = httptest.NewServer(f)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) endpoint() string { return f.srv.URL + "/bot%s/%s" }

// fail makes the next n calls of method (to chat, when not 0) answer with
// Telegram's error: status 429 carries retry_after seconds.
func (f *fakeAPI) fail(method string, chat int64, n, status int, desc string, retryAfter int) {
	body := map[string]any{"ok": false, "error_code": status, "description": desc}
	if retryAfter > 0 {
		body["parameters"] = map[string]any{"retry_after": retryAfter}
	}
	b, _ := json.Marshal(body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.faults = append(f.faults, &fault{method: method, chat: chat, n: n, status: status, body: string(b)})
}

// push queues an update for getUpdates and returns it with its id.
func (f *fakeAPI) push(u tgbotapi.Update) tgbotapi.Update {
	f.mu.Lock()
	defer f.mu.Unlock()
	if u.UpdateID == 0 {
		f.nextUpdate++
		u.UpdateID = f.nextUpdate
	}
	f.updates = append(f.updates, u)
	close(f.arrived)
	f.arrived = make(chan struct{})
	return u
}

// newUpdateID hands out an update id for updates posted to a webhook.
func (f *fakeAPI) newUpdateID() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextUpdate++
	return f.nextUpdate
}

// confirmed reports whether getUpdates has been called with an offset past id.
func (f *fakeAPI) confirmed(id int) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.maxOffset > id
}

// callsOf returns the recorded calls of method (all methods when "").
func (f *fakeAPI) callsOf(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if method == "" || c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

// sentTo returns the messages the bot sent to chat, successful or not.
func (f *fakeAPI) sentTo(chat int64) []apiCall {
	var out []apiCall
	for _, c := range f.callsOf("sendMessage") {
		if c.chat() == chat {
			out = append(out, c)
		}
	}
	return out
}

// message returns a message the bot sent, as it is now.
func (f *fakeAPI) message(chat int64, id int) (sentMsg, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	m, ok := f.msgs[msgKey(chat, id)]
	if !ok {
		return sentMsg{}, false
	}
	return *m, true
}

// withButton finds the newest message in chat that shows a button with
// this callback data now, as a user would see it.
func (f *fakeAPI) withButton(chat int64, key string) (int, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	best := 0
	for k, m := range f.msgs {
		if m.chat != chat || !slices.ContainsFunc(inlineButtons(m.markup), func(b tgbotapi.InlineKeyboardButton) bool { return data(b) == key }) {
			continue
		}
		_, id, _ := strings.Cut(k, ":")
		if n, _ := strconv.Atoi(id); n > best {
			best = n
		}
	}
	return best, best != 0
}

func msgKey(chat int64, id int) string { return fmt.Sprintf("%d:%d", chat, id) }

func (f *fakeAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	rest, _ := strings.CutPrefix(r.URL.Path, "/bot")
	token, method, _ := strings.Cut(rest, "/")
	files, err := parseCall(r)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if token != botToken {
		writeAPI(w, http.StatusUnauthorized, `{"ok":false,"error_code":401,"description":"Unauthorized"}`)
		return
	}
	if method == "getUpdates" {
		f.getUpdates(w, r)
		return
	}
	f.mu.Lock()
	call := apiCall{Method: method, Params: r.PostForm, At: time.Now(), Files: files}
	status, body := f.answer(&call)
	call.Status = status
	f.calls = append(f.calls, call)
	f.mu.Unlock()
	writeAPI(w, status, body)
}

// parseCall reads a call's parameters into r.PostForm, from a form or, for
// uploads, a multipart body whose files it returns.
func parseCall(r *http.Request) (map[string][]byte, error) {
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		return nil, r.ParseForm()
	}
	if err := r.ParseMultipartForm(32 << 20); err != nil {
		return nil, err
	}
	r.PostForm = url.Values(r.MultipartForm.Value)
	files := map[string][]byte{}
	for field, hs := range r.MultipartForm.File {
		f, err := hs[0].Open()
		if err != nil {
			return nil, err
		}
		files[field], err = io.ReadAll(f)
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return files, nil
}

// takeFault returns the error answer due for this call, if any.
func (f *fakeAPI) takeFault(c *apiCall) *fault {
	for i, ft := range f.faults {
		if (ft.method == "" && c.Method != "getMe" || ft.method == c.Method) && (ft.chat == 0 || ft.chat == c.chat()) {
			if ft.n > 0 {
				ft.n--
				if ft.n == 0 {
					f.faults = slices.Delete(f.faults, i, i+1)
				}
			}
			return ft
		}
	}
	return nil
}

func (f *fakeAPI) answer(c *apiCall) (int, string) {
	if ft := f.takeFault(c); ft != nil {
		return ft.status, ft.body
	}
	p := c.Params
	switch c.Method {
	case "getMe":
		return ok(tgbotapi.User{ID: botID, IsBot: true, FirstName: "Shop", UserName: "shop_bot"})
	case "sendMessage", "sendPhoto", "sendInvoice":
		f.nextMsg++
		c.MsgID = f.nextMsg
		f.msgs[msgKey(c.chat(), c.MsgID)] = &sentMsg{chat: c.chat(), text: p.Get("text"), markup: p.Get("reply_markup")}
		return ok(f.result(c))
	case "editMessageText", "editMessageReplyMarkup":
		c.MsgID, _ = strconv.Atoi(p.Get("message_id"))
		m, found := f.msgs[msgKey(c.chat(), c.MsgID)]
		if !found {
			return http.StatusBadRequest, `{"ok":false,"error_code":400,"description":"Bad Request: message to edit not found"}`
		}
		text := m.text
		if c.Method == "editMessageText" {
			text = p.Get("text")
		}
		if text == m.text && p.Get("reply_markup") == m.markup {
			return http.StatusBadRequest, `{"ok":false,"error_code":400,"description":"Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"}`
		}
		m.text, m.markup = text, p.Get("reply_markup")
		return ok(f.result(c))
	case "answerCallbackQuery", "answerPreCheckoutQuery", "setMyCommands", "setWebhook", "deleteWebhook":
		return ok(true)
	}
	return http.StatusNotFound, `{"ok":false,"error_code":404,"description":"Not Found"}`
}

func (f *fakeAPI) result(c *apiCall) tgbotapi.Message {
	m := f.msgs[msgKey(c.chat(), c.MsgID)]
	return tgbotapi.Message{MessageID: c.MsgID, Date: int(time.Now().Unix()), Text: m.text,
		From: &tgbotapi.User{ID: botID, IsBot: true, FirstName: "Shop"}, Chat: &tgbotapi.Chat{ID: c.chat()}}
}

// getUpdates serves the updates from offset on, waiting up to the call's
// timeout for one to arrive, like Telegram's long polling.
func (f *fakeAPI) getUpdates(w http.ResponseWriter, r *http.Request) {
	offset, _ := strconv.Atoi(r.PostForm.Get("offset"))
	timeout, _ := strconv.Atoi(r.PostForm.Get("timeout"))
	deadline := time.After(time.Duration(timeout) * time.Second)
	for {
		f.mu.Lock()
		call := apiCall{Method: "getUpdates", Params: r.PostForm, At: time.Now(), Status: http.StatusOK}
		if ft := f.takeFault(&call); ft != nil {
			call.Status = ft.status
			f.calls = append(f.calls, call)
			f.mu.Unlock()
			writeAPI(w, ft.status, ft.body)
			return
		}
		f.maxOffset = max(f.maxOffset, offset)
		// Asking from an offset confirms everything before it.
		f.updates = slices.DeleteFunc(f.updates, func(u tgbotapi.Update) bool { return u.UpdateID < offset })
		ready, arrived := slices.Clone(f.updates), f.arrived
		f.calls = append(f.calls, call)
		f.mu.Unlock()
		if len(ready) > 0 {
			writeAPI(w, http.StatusOK, mustJSON(map[string]any{"ok": true, "result": ready}))
			return
		}
		select {
		case <-arrived:
		case <-deadline:
			writeAPI(w, http.StatusOK, `{"ok":true,"result":[]}`)
			return
		case <-r.Context().Done():
			return
		}
	}
}

func ok(result any) (int, string) {
	return http.StatusOK, mustJSON(map[string]any{"ok": true, "result": result})
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func writeAPI(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprint(w, body)
}

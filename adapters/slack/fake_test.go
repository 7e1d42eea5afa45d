package slack

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/slack-go/slack/slacktest"
)

// fakeSlack is slack-go's own fake server with our handlers for the Web API
// methods the adapter calls, recording each call so tests can read what
// was posted.
type fakeSlack struct {
	srv *slacktest.Server

	mu        sync.Mutex
	calls     []apiCall
	seq       int
	throttle  int    // answer this many chat.postMessage calls with 429
	retryWait string // their Retry-After
	gone      string // chat.update in this channel finds no message
}

// apiCall is one recorded Web API call.
type apiCall struct {
	Method    string
	Channel   string
	TS        string // the message posted or updated
	Thread    string // thread_ts
	User      string // recipient of an ephemeral
	Text      string
	Blocks    []block
	TriggerID string
	View      view
}

type textObj struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

type element struct {
	Type     string   `json:"type"`
	ActionID string   `json:"action_id"`
	Value    string   `json:"value"`
	Style    string   `json:"style"`
	Text     *textObj `json:"text"`
}

type block struct {
	Type     string          `json:"type"`
	BlockID  string          `json:"block_id"`
	Text     *textObj        `json:"text"`
	Fields   []textObj       `json:"fields"`
	Elements json.RawMessage `json:"elements"`
	Element  *element        `json:"element"`
}

type view struct {
	Type            string   `json:"type"`
	CallbackID      string   `json:"callback_id"`
	PrivateMetadata string   `json:"private_metadata"`
	Title           *textObj `json:"title"`
	Close           *textObj `json:"close"`
	Blocks          []block  `json:"blocks"`
}

func newFakeSlack(t *testing.T) *fakeSlack {
	f := &fakeSlack{}
	f.srv = slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/chat.postMessage", f.chat("chat.postMessage"))
		c.Handle("/chat.update", f.chat("chat.update"))
		c.Handle("/chat.postEphemeral", f.chat("chat.postEphemeral"))
		c.Handle("/views.open", f.viewsOpen)
	})
	f.srv.Start()
	t.Cleanup(f.srv.Stop)
	return f
}

func (f *fakeSlack) url() string { return f.srv.GetAPIURL() }

func (f *fakeSlack) chat(method string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		if method == "chat.postMessage" && f.throttle > 0 {
			f.throttle--
			w.Header().Set("Retry-After", f.retryWait)
			w.WriteHeader(http.StatusTooManyRequests)
			w.Write([]byte(`{"ok":false,"error":"ratelimited"}`))
			return
		}
		if method == "chat.update" && r.PostForm.Get("channel") == f.gone {
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ok":false,"error":"message_not_found"}`))
			return
		}
		c := apiCall{
			Method:  method,
			Channel: r.PostForm.Get("channel"),
			TS:      r.PostForm.Get("ts"),
			Thread:  r.PostForm.Get("thread_ts"),
			User:    r.PostForm.Get("user"),
			Text:    r.PostForm.Get("text"),
		}
		if b := r.PostForm.Get("blocks"); b != "" {
			if err := json.Unmarshal([]byte(b), &c.Blocks); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		if method != "chat.update" {
			f.seq++
			c.TS = fmt.Sprintf("1700000000.%06d", f.seq)
		}
		f.calls = append(f.calls, c)
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(map[string]any{"ok": true, "channel": c.Channel, "ts": c.TS, "message_ts": c.TS})
	}
}

func (f *fakeSlack) viewsOpen(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	var req struct {
		TriggerID string `json:"trigger_id"`
		View      view   `json:"view"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.calls = append(f.calls, apiCall{Method: "views.open", TriggerID: req.TriggerID, View: req.View})
	f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"ok":true,"view":{"id":"V1"}}`))
}

// called returns the recorded calls of one method, oldest first.
func (f *fakeSlack) called(method string) []apiCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []apiCall
	for _, c := range f.calls {
		if c.Method == method {
			out = append(out, c)
		}
	}
	return out
}

func (f *fakeSlack) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

// last returns the latest call of a method, failing the test when none.
func (f *fakeSlack) last(t *testing.T, method string) apiCall {
	t.Helper()
	cs := f.called(method)
	if len(cs) == 0 {
		t.Fatalf("no %s call", method)
	}
	return cs[len(cs)-1]
}

// buttons returns a card's buttons by action id.
func (c apiCall) buttons(t *testing.T) map[string]element {
	t.Helper()
	out := map[string]element{}
	for _, b := range c.Blocks {
		if b.Type != "actions" {
			continue
		}
		var els []element
		if err := json.Unmarshal(b.Elements, &els); err != nil {
			t.Fatalf("actions block: %v", err)
		}
		for _, e := range els {
			out[e.ActionID] = e
		}
	}
	return out
}

// allText is every text of a message, blocks included.
func (c apiCall) allText() string {
	var b strings.Builder
	b.WriteString(c.Text)
	for _, bl := range c.Blocks {
		if bl.Text != nil {
			b.WriteString("\n" + bl.Text.Text)
		}
		for _, f := range bl.Fields {
			b.WriteString("\n" + f.Text)
		}
		var els []textObj
		if bl.Type == "context" && json.Unmarshal(bl.Elements, &els) == nil {
			for _, e := range els {
				b.WriteString("\n" + e.Text)
			}
		}
	}
	return b.String()
}

// header is a card's title.
func (c apiCall) header() string {
	for _, b := range c.Blocks {
		if b.Type == "header" && b.Text != nil {
			return b.Text.Text
		}
	}
	return ""
}

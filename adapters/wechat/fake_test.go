package wechat

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
)

// fakeAPI is WeChat's API as far as the adapter uses it, served by
// httptest and reached through the library's own HTTP calls.
type fakeAPI struct {
	t      *testing.T
	srv    *httptest.Server
	appID  string
	secret string

	mu         sync.Mutex
	tokenCalls int
	tokens     map[string]bool // issued tokens and whether WeChat still takes them
	cs         []csCall
	templates  []templateCall
	menus      []menuCall
	// failNext makes the next call to a path fail with an errcode, once.
	failNext map[string]int
}

type csCall struct {
	ToUser  string `json:"touser"`
	MsgType string `json:"msgtype"`
	Text    struct {
		Content string `json:"content"`
	} `json:"text"`
	News struct {
		Articles []struct {
			Title  string `json:"title"`
			URL    string `json:"url"`
			PicURL string `json:"picurl"`
		} `json:"articles"`
	} `json:"news"`
}

type templateCall struct {
	ToUser     string `json:"touser"`
	TemplateID string `json:"template_id"`
	Data       map[string]struct {
		Value string `json:"value"`
	} `json:"data"`
}

type menuCall struct {
	Button []struct {
		Type      string `json:"type"`
		Name      string `json:"name"`
		Key       string `json:"key"`
		SubButton []struct {
			Type string `json:"type"`
			Name string `json:"name"`
			Key  string `json:"key"`
		} `json:"sub_button"`
	} `json:"button"`
}

const (
	pathStableToken  = "/cgi-bin/stable_token"
	pathCustomSend   = "/cgi-bin/message/custom/send"
	pathTemplateSend = "/cgi-bin/message/template/send"
	pathMenuCreate   = "/cgi-bin/menu/create"
)

func newFakeAPI(t *testing.T, appID, secret string) *fakeAPI {
	f := &fakeAPI{t: t, appID: appID, secret: secret, tokens: map[string]bool{}, failNext: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST "+pathStableToken, f.stableToken)
	mux.HandleFunc("POST "+pathCustomSend, f.authed(pathCustomSend, func(body []byte) any {
		var c csCall
		f.decode(body, &c)
		f.cs = append(f.cs, c)
		return map[string]any{"errcode": 0, "errmsg": "ok"}
	}))
	mux.HandleFunc("POST "+pathTemplateSend, f.authed(pathTemplateSend, func(body []byte) any {
		var c templateCall
		f.decode(body, &c)
		f.templates = append(f.templates, c)
		return map[string]any{"errcode": 0, "errmsg": "ok", "msgid": 9000 + len(f.templates)}
	}))
	mux.HandleFunc("POST "+pathMenuCreate, f.authed(pathMenuCreate, func(body []byte) any {
		var c menuCall
		f.decode(body, &c)
		f.menus = append(f.menus, c)
		return map[string]any{"errcode": 0, "errmsg": "ok"}
	}))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("fake WeChat API: unexpected %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	})
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAPI) stableToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		GrantType    string `json:"grant_type"`
		AppID        string `json:"appid"`
		Secret       string `json:"secret"`
		ForceRefresh bool   `json:"force_refresh"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		f.t.Errorf("stable_token body: %v", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tokenCalls++
	if req.GrantType != "client_credential" || req.AppID != f.appID || req.Secret != f.secret {
		writeJSON(w, map[string]any{"errcode": 40125, "errmsg": "invalid appsecret"})
		return
	}
	tok := fmt.Sprintf("tok-%d", f.tokenCalls)
	f.tokens[tok] = true
	writeJSON(w, map[string]any{"access_token": tok, "expires_in": 7200})
}

// authed checks the access_token and the failures asked for, then records
// the call under the lock.
func (f *fakeAPI) authed(path string, record func(body []byte) any) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body []byte
		body, _ = io.ReadAll(r.Body)
		f.mu.Lock()
		defer f.mu.Unlock()
		if !f.tokens[r.URL.Query().Get("access_token")] {
			writeJSON(w, map[string]any{"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"})
			return
		}
		if code, ok := f.failNext[path]; ok {
			delete(f.failNext, path)
			writeJSON(w, map[string]any{"errcode": code, "errmsg": "injected failure"})
			return
		}
		writeJSON(w, record(body))
	}
}

func (f *fakeAPI) decode(body []byte, v any) {
	if err := json.Unmarshal(body, v); err != nil {
		f.t.Errorf("fake WeChat API: request body %s: %v", body, err)
	}
}

// invalidateTokens makes WeChat refuse every token issued so far, as when
// someone else forces a new one.
func (f *fakeAPI) invalidateTokens() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k := range f.tokens {
		f.tokens[k] = false
	}
}

func (f *fakeAPI) failOnce(path string, code int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.failNext[path] = code
}

func (f *fakeAPI) csMessages() []csCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]csCall(nil), f.cs...)
}

func (f *fakeAPI) templateMessages() []templateCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]templateCall(nil), f.templates...)
}

func (f *fakeAPI) menuCalls() []menuCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]menuCall(nil), f.menus...)
}

func (f *fakeAPI) tokenFetches() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenCalls
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(v)
}

package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// The WeChat account the started orderbot is configured as; the simulated
// followers sign their pushes with wechatToken.
const (
	wechatAppID  = "wxload0000000001"
	wechatSecret = "orderbot-load-secret"
	wechatToken  = "orderbot-load-token"
	wechatShop   = "gh_load00000001" // the account's own id, ToUserName of every push
)

// fakeWeChatAPI speaks the part of WeChat's API orderbot uses for its
// customers, with WeChat's JSON shapes: the stable access_token, and the
// customer-service messages (客服消息) by which a reply goes out when it
// did not fit in the push's answer. It tells the follower of an OpenID
// when a customer-service text for them arrived: that moment is the reply's
// lag on this path.
type fakeWeChatAPI struct {
	tokens     atomic.Int64 // access tokens issued
	texts      atomic.Int64 // customer-service text messages
	pictures   atomic.Int64 // customer-service news (a product's picture)
	refused    atomic.Int64 // calls with a token this fake never issued
	unexpected atomic.Int64 // calls to anything else

	mu      sync.Mutex
	waiters map[string]chan wechatReply // OpenID → the follower waiting for replies
}

// wechatReply is one customer-service text the bot sent a follower.
type wechatReply struct {
	at      time.Time
	content string
}

func newFakeWeChatAPI() *fakeWeChatAPI {
	return &fakeWeChatAPI{waiters: map[string]chan wechatReply{}}
}

// expect registers the follower of openID as listening; messages to
// anyone else are counted and dropped.
func (f *fakeWeChatAPI) expect(openID string) <-chan wechatReply {
	ch := make(chan wechatReply, 16)
	f.mu.Lock()
	f.waiters[openID] = ch
	f.mu.Unlock()
	return ch
}

func (f *fakeWeChatAPI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	at := time.Now()
	switch {
	case r.Method != http.MethodPost:
		f.unexpectedCall(w)
	case r.URL.Path == "/cgi-bin/stable_token":
		f.stableToken(w, r)
	case !f.issued(r.URL.Query().Get("access_token")):
		f.refused.Add(1)
		writeWeChat(w, map[string]any{"errcode": 40001, "errmsg": "invalid credential, access_token is invalid or not latest"})
	case r.URL.Path == "/cgi-bin/message/custom/send":
		f.customSend(w, r, at)
	case r.URL.Path == "/cgi-bin/menu/create":
		writeWeChat(w, map[string]any{"errcode": 0, "errmsg": "ok"})
	default:
		f.unexpectedCall(w)
	}
}

func (f *fakeWeChatAPI) stableToken(w http.ResponseWriter, r *http.Request) {
	var req struct {
		GrantType string `json:"grant_type"`
		AppID     string `json:"appid"`
		Secret    string `json:"secret"`
	}
	if json.NewDecoder(r.Body).Decode(&req) != nil || req.GrantType != "client_credential" ||
		req.AppID != wechatAppID || req.Secret != wechatSecret {
		writeWeChat(w, map[string]any{"errcode": 40125, "errmsg": "invalid appsecret"})
		return
	}
	n := f.tokens.Add(1)
	writeWeChat(w, map[string]any{"access_token": fmt.Sprintf("load-token-%d", n), "expires_in": 7200})
}

// issued reports whether the token is one this fake handed out.
func (f *fakeWeChatAPI) issued(token string) bool {
	var n int64
	_, err := fmt.Sscanf(token, "load-token-%d", &n)
	return err == nil && n >= 1 && n <= f.tokens.Load()
}

func (f *fakeWeChatAPI) customSend(w http.ResponseWriter, r *http.Request, at time.Time) {
	var msg struct {
		ToUser  string `json:"touser"`
		MsgType string `json:"msgtype"`
		Text    struct {
			Content string `json:"content"`
		} `json:"text"`
	}
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil || msg.ToUser == "" {
		writeWeChat(w, map[string]any{"errcode": 40003, "errmsg": "invalid openid"})
		return
	}
	switch msg.MsgType {
	case "text":
		f.texts.Add(1)
		f.deliver(msg.ToUser, wechatReply{at: at, content: msg.Text.Content})
	case "news":
		// A picture goes just before its text, which is the reply.
		f.pictures.Add(1)
	default:
		f.unexpected.Add(1)
	}
	writeWeChat(w, map[string]any{"errcode": 0, "errmsg": "ok"})
}

func (f *fakeWeChatAPI) unexpectedCall(w http.ResponseWriter) {
	f.unexpected.Add(1)
	writeWeChat(w, map[string]any{"errcode": 40004, "errmsg": "unexpected call to the load test's fake"})
}

func (f *fakeWeChatAPI) deliver(openID string, rep wechatReply) {
	f.mu.Lock()
	ch := f.waiters[openID]
	f.mu.Unlock()
	if ch == nil {
		return
	}
	select {
	case ch <- rep:
	default:
	}
}

// wechatCalls is what the bot asked of WeChat's API.
type wechatCalls struct{ tokens, texts, pictures, refused, unexpected int64 }

func (f *fakeWeChatAPI) count() wechatCalls {
	return wechatCalls{f.tokens.Load(), f.texts.Load(), f.pictures.Load(), f.refused.Load(), f.unexpected.Load()}
}

func (a wechatCalls) minus(b wechatCalls) wechatCalls {
	return wechatCalls{a.tokens - b.tokens, a.texts - b.texts, a.pictures - b.pictures, a.refused - b.refused, a.unexpected - b.unexpected}
}

func writeWeChat(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(v)
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"sync/atomic"
	"time"
)

// sample is what one customer step measured.
type sample struct {
	ack time.Duration // the HTTP answer to the platform's request
	lag time.Duration // request sent → the bot's reply reached the platform
	via via           // WeChat: how the reply reached the follower
	err error
}

// via is the way a WeChat reply went: in the push's answer or as a
// customer-service message; other channels have one way only.
type via int

const (
	viaOnly    via = iota // the channel's one way
	viaPassive            // WeChat: in the HTTP answer to the push
	viaCS                 // WeChat: a customer-service message (客服消息) after the answer
)

// driver is one simulated customer on one channel: do performs the next
// step of its journey and measures it.
type driver interface {
	do(ctx context.Context, s step) sample
}

// errNoReply is a step the bot did not answer within the wait.
var errNoReply = errors.New("no reply")

// telegramCustomer talks to orderbot's webhook as Telegram would, and
// hears the bot's answers through the fake Bot API.
type telegramCustomer struct {
	chat    int64
	base    string // orderbot's base URL
	secret  string
	client  *http.Client
	api     *fakeBotAPI
	replies <-chan botReply
	updates *atomic.Int64 // update_id, shared by all customers
	rand    *rand.Rand
	wait    time.Duration

	lastMessage int64    // the bot's latest message, the one a press is on
	offered     []string // keys offered on it
}

func newTelegramCustomer(chat int64, base, secret string, client *http.Client, api *fakeBotAPI, updates *atomic.Int64, wait time.Duration) *telegramCustomer {
	return &telegramCustomer{
		chat: chat, base: base, secret: secret, client: client, api: api, updates: updates,
		replies: api.expect(chat), rand: rand.New(rand.NewPCG(uint64(chat), 7)), wait: wait,
	}
}

func (c *telegramCustomer) do(ctx context.Context, s step) sample {
	c.drain()
	update := map[string]any{"update_id": c.updates.Add(1)}
	from := map[string]any{"id": c.chat, "is_bot": false, "first_name": "Load", "language_code": "en"}
	chat := map[string]any{"id": c.chat, "type": "private"}
	if s.press != "" {
		key := choose(s.press, c.offered, c.rand)
		if key == "" {
			s = step{text: "menu"} // lost the thread: start over, as a person would
		} else {
			update["callback_query"] = map[string]any{
				"id": fmt.Sprintf("cq%d", update["update_id"]), "from": from, "chat_instance": "load", "data": key,
				"message": map[string]any{"message_id": c.lastMessage, "date": time.Now().Unix(), "chat": chat, "text": "…",
					"from": map[string]any{"id": 1, "is_bot": true, "first_name": "Load"}},
			}
		}
	}
	if s.text != "" {
		update["message"] = map[string]any{"message_id": update["update_id"], "from": from, "chat": chat,
			"date": time.Now().Unix(), "text": s.text}
	}
	body, _ := json.Marshal(update)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/telegram/webhook", bytes.NewReader(body))
	if err != nil {
		return sample{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Telegram-Bot-Api-Secret-Token", c.secret)
	start := time.Now()
	resp, err := c.client.Do(req)
	if err != nil {
		return sample{err: err}
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	ack := time.Since(start)
	if resp.StatusCode != http.StatusOK {
		return sample{ack: ack, err: fmt.Errorf("webhook answered %s", resp.Status)}
	}
	select {
	case r := <-c.replies:
		c.take(r)
		return sample{ack: ack, lag: r.at.Sub(start)}
	case <-time.After(c.wait):
		return sample{ack: ack, err: errNoReply}
	case <-ctx.Done():
		return sample{ack: ack, err: ctx.Err()}
	}
}

// take remembers the buttons of a reply; a reply without any (a second
// part, an edit that clears spent buttons) keeps the ones before.
func (c *telegramCustomer) take(r botReply) {
	if len(r.keys) > 0 || r.messageID > c.lastMessage {
		c.lastMessage = r.messageID
	}
	if len(r.keys) > 0 {
		c.offered = r.keys
	}
}

// drain takes the replies that came after the one that was measured.
func (c *telegramCustomer) drain() {
	for {
		select {
		case r := <-c.replies:
			c.take(r)
		default:
			return
		}
	}
}

// webCustomer talks to the web chat's API as the chat page does; the reply
// is the answer to the request.
type webCustomer struct {
	base    string
	user    string // the customer id its first cookie names
	addr    string // the shopper's own address, sent as X-Forwarded-For
	client  *http.Client
	rand    *rand.Rand
	seq     int
	offered []string
}

// shopperAddr is the n-th simulated shopper's address, in 198.18.0.0/15,
// the range set aside for benchmarks (RFC 2544).
func shopperAddr(n int) string {
	return fmt.Sprintf("198.%d.%d.%d", 18+n/65536%2, n/256%256, n%256)
}

// webChatCookie is the web chat's customer cookie (adapters/webchat's
// customerCookie).
const webChatCookie = "orderbot_chat"

// webChatUserID is the n-th simulated shopper's web chat customer id: 32 hex
// digits, as the web chat gives out.
func webChatUserID(n int) string { return fmt.Sprintf("10ad%028x", n) }

// newWebCustomer makes the n-th shopper. It starts with a cookie naming
// webChatUserID(n), unsigned: the web chat takes such a cookie when that
// customer exists (a seeded one, whose orders then have history) and
// otherwise gives the shopper a fresh id, as to any new visitor.
func newWebCustomer(base string, n int, transport http.RoundTripper) *webCustomer {
	jar, _ := cookiejar.New(nil)
	user := webChatUserID(n)
	if u, err := url.Parse(base + "/chat/"); err == nil {
		jar.SetCookies(u, []*http.Cookie{{Name: webChatCookie, Value: user, Path: "/chat"}})
	}
	return &webCustomer{
		base:   base,
		user:   user,
		addr:   shopperAddr(n),
		client: &http.Client{Jar: jar, Transport: transport, Timeout: time.Minute},
		rand:   rand.New(rand.NewPCG(uint64(n), 11)),
	}
}

func (c *webCustomer) do(ctx context.Context, s step) sample {
	c.seq++
	msg := map[string]string{"id": fmt.Sprintf("m%d", c.seq)}
	if s.press != "" {
		if key := choose(s.press, c.offered, c.rand); key != "" {
			msg["button"] = key
		} else {
			msg["text"] = "menu"
		}
	} else {
		msg["text"] = s.text
	}
	body, _ := json.Marshal(msg)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/chat/api/send", bytes.NewReader(body))
	if err != nil {
		return sample{err: err}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Forwarded-For", c.addr)
	start := time.Now()
	resp, err := c.client.Do(req)
	if err != nil {
		return sample{err: err}
	}
	defer resp.Body.Close()
	var replies []struct {
		Options []struct {
			Key string `json:"key"`
		} `json:"options"`
	}
	err = json.NewDecoder(resp.Body).Decode(&replies)
	took := time.Since(start)
	if resp.StatusCode != http.StatusOK {
		return sample{ack: took, err: fmt.Errorf("send answered %s", resp.Status)}
	}
	if err != nil {
		return sample{ack: took, err: fmt.Errorf("decode replies: %w", err)}
	}
	var keys []string
	for _, r := range replies {
		for _, o := range r.Options {
			keys = append(keys, o.Key)
		}
	}
	if len(keys) > 0 {
		c.offered = keys
	}
	return sample{ack: took, lag: took}
}

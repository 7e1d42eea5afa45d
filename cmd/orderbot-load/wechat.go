package main

import (
	"context"
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
	"encoding/xml"
	"fmt"
	"io"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// wechatCustomer is a follower of the Official Account: it pushes signed
// plain-mode text messages to orderbot's POST /wechat as WeChat does, and
// hears the reply either in the push's answer (the passive reply) or, when
// the bot acknowledged with "success", as a customer-service message at the
// fake API.
type wechatCustomer struct {
	openID  string
	base    string // orderbot's base URL
	token   string // the account's server token the pushes are signed with
	client  *http.Client
	replies <-chan wechatReply
	msgIDs  *atomic.Int64 // MsgId, shared by all followers
	rand    *mrand.Rand
	wait    time.Duration

	offered []string // labels of the numbered options in the bot's last reply
}

// wechatOpenID is the n-th simulated follower's OpenID: 28 characters, as WeChat's are.
func wechatOpenID(n int) string { return fmt.Sprintf("oLoad%023d", n) }

func newWeChatCustomer(n int, base, token string, client *http.Client, api *fakeWeChatAPI, msgIDs *atomic.Int64, wait time.Duration) *wechatCustomer {
	openID := wechatOpenID(n)
	return &wechatCustomer{
		openID: openID, base: base, token: token, client: client, replies: api.expect(openID),
		msgIDs: msgIDs, rand: mrand.New(mrand.NewPCG(uint64(n), 13)), wait: wait,
	}
}

func (c *wechatCustomer) do(ctx context.Context, s step) sample {
	c.drain()
	text := s.text
	if s.choose != "" {
		text = chooseNumber(s.choose, c.offered, c.rand)
		if text == "" {
			text = "菜单" // lost the thread: start over, as a person would
		}
	}
	body, err := c.pushXML(text)
	if err != nil {
		return sample{err: err}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+"/wechat?"+c.signedQuery().Encode(), strings.NewReader(body))
	if err != nil {
		return sample{err: err}
	}
	req.Header.Set("Content-Type", "text/xml")
	start := time.Now()
	resp, err := c.client.Do(req)
	if err != nil {
		return sample{err: err}
	}
	answer, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	resp.Body.Close()
	ack := time.Since(start)
	switch {
	case resp.StatusCode != http.StatusOK:
		return sample{ack: ack, err: fmt.Errorf("push answered %s", resp.Status)}
	case err != nil:
		return sample{ack: ack, err: fmt.Errorf("read the push's answer: %w", err)}
	case string(answer) != "success" && len(answer) > 0:
		content, err := passiveContent(answer, c.openID)
		if err != nil {
			return sample{ack: ack, err: err}
		}
		c.offered = numberedOptions(content)
		return sample{ack: ack, lag: ack, via: viaPassive}
	}
	// Acknowledged: the reply comes as a customer-service message.
	select {
	case r := <-c.replies:
		c.take(r)
		return sample{ack: ack, lag: r.at.Sub(start), via: viaCS}
	case <-time.After(c.wait):
		return sample{ack: ack, err: errNoReply}
	case <-ctx.Done():
		return sample{ack: ack, err: ctx.Err()}
	}
}

// pushText is a text message as WeChat pushes it (plain mode).
type pushText struct {
	XMLName      xml.Name `xml:"xml"`
	ToUserName   cdata
	FromUserName cdata
	CreateTime   int64
	MsgType      cdata
	Content      cdata
	MsgID        int64 `xml:"MsgId"`
}

type cdata struct {
	Value string `xml:",cdata"`
}

// pushXML is the body of a push of text, with a MsgId of its own: orderbot
// answers a repeated MsgId with the reply it gave before.
func (c *wechatCustomer) pushXML(text string) (string, error) {
	b, err := xml.Marshal(pushText{
		ToUserName: cdata{wechatShop}, FromUserName: cdata{c.openID}, CreateTime: time.Now().Unix(),
		MsgType: cdata{"text"}, Content: cdata{text}, MsgID: c.msgIDs.Add(1),
	})
	if err != nil {
		return "", fmt.Errorf("push xml: %w", err)
	}
	return string(b), nil
}

// signedQuery is the query WeChat puts on a push: a timestamp, a fresh
// nonce (orderbot binds each to one body) and their signature.
func (c *wechatCustomer) signedQuery() url.Values {
	nonce := make([]byte, 8)
	rand.Read(nonce)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	n := hex.EncodeToString(nonce)
	return url.Values{"timestamp": {ts}, "nonce": {n}, "signature": {wechatSignature(c.token, ts, n)}}
}

// wechatSignature is WeChat's signature of a push: the SHA1 of token,
// timestamp and nonce, sorted and joined.
func wechatSignature(token, timestamp, nonce string) string {
	parts := []string{token, timestamp, nonce}
	sort.Strings(parts)
	sum := sha1.Sum([]byte(strings.Join(parts, "")))
	return hex.EncodeToString(sum[:])
}

// passiveContent reads a passive reply: a text message from the account
// to the follower who pushed, as WeChat requires to show it.
func passiveContent(answer []byte, openID string) (string, error) {
	var msg struct {
		XMLName      xml.Name `xml:"xml"`
		ToUserName   string
		FromUserName string
		CreateTime   int64
		MsgType      string
		Content      string
	}
	if err := xml.Unmarshal(answer, &msg); err != nil {
		return "", fmt.Errorf("passive reply is not WeChat XML: %w", err)
	}
	if msg.ToUserName != openID || msg.FromUserName != wechatShop || msg.MsgType != "text" || msg.CreateTime == 0 || msg.Content == "" {
		return "", fmt.Errorf("passive reply is not a text from %s to the follower", wechatShop)
	}
	return msg.Content, nil
}

// take remembers the options of a customer-service message.
func (c *wechatCustomer) take(r wechatReply) {
	if o := numberedOptions(r.content); len(o) > 0 {
		c.offered = o
	}
}

// drain takes the customer-service messages that came after the one that
// was measured.
func (c *wechatCustomer) drain() {
	for {
		select {
		case r := <-c.replies:
			c.take(r)
		default:
			return
		}
	}
}

var (
	// optionLine is a numbered option as WeChat shows it: "2. 茶叶".
	optionLine = regexp.MustCompile(`^(\d+)\. (.+)$`)
	// menuLink is a customer-service message's tappable option; its text
	// is the numbered line.
	menuLink = regexp.MustCompile(`<a href="weixin://bizmsgmenu[^"]*">([^<]*)</a>`)
)

// numberedOptions lists the labels of a reply's options, in their order:
// numbered lines, which customer-service messages wrap in links.
func numberedOptions(content string) []string {
	var labels []string
	for _, line := range strings.Split(menuLink.ReplaceAllString(content, "$1"), "\n") {
		m := optionLine.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		if n, _ := strconv.Atoi(m[1]); n == len(labels)+1 {
			labels = append(labels, m[2])
		}
	}
	return labels
}

// anyItem chooses any offered item, not a way back or to another page.
const anyItem = "*"

// navigation reports whether an option moves around the lists rather than
// choosing from them.
func navigation(label string) bool {
	switch label {
	case "返回", "下一页", "上一页", "返回购物车":
		return true
	}
	return false
}

// chooseNumber is what a follower types to choose an option: the number of
// one whose label holds want (with anyItem, of any item), at random among
// those that fit, or "" when none does.
func chooseNumber(want string, labels []string, r *mrand.Rand) string {
	var fit []int
	for i, l := range labels {
		if want == anyItem && !navigation(l) || want != anyItem && strings.Contains(l, want) {
			fit = append(fit, i+1)
		}
	}
	if len(fit) == 0 {
		return ""
	}
	return strconv.Itoa(fit[r.IntN(len(fit))])
}

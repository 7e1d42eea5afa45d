package wechat

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"

	"github.com/orderbot/orderbot/bot"
)

// langHint is every WeChat customer's language until they choose another.
const langHint = "zh-CN"

// maxText is the longest text passed to the core, which refuses longer
// input; the conversation asks for a shorter message long before that.
const maxText = 2000

// maxOpenID bounds the user id taken from a push (OpenIDs have 28 characters).
const maxOpenID = 128

// storeTimeout bounds the small database calls made while WeChat waits.
const storeTimeout = 3 * time.Second

// claimGrace is how long after the reply deadline the replies may still be
// claimed for the answer, waiting for a duplicate's row locks: with the
// default deadline the answer leaves by 4.5 s, inside WeChat's 5.
const claimGrace = 500 * time.Millisecond

// push is one verified, decoded message or event from WeChat.
type push struct {
	msg   *message.MixMessage
	nonce string
	// answerBy is when the answer must leave at the latest.
	answerBy time.Time
}

// servePush takes one push: verify, decode, hand it to the core and answer.
func (a *Adapter) servePush(w http.ResponseWriter, r *http.Request) {
	// The deadline runs from arrival: WeChat's 5 seconds include reading.
	arrived := time.Now()
	deadline := time.NewTimer(a.cfg.ReplyDeadline)
	defer deadline.Stop()
	p, status, err := a.readPush(w, r)
	if err != nil && r.Context().Err() != nil {
		// The client hung up (WeChat gave up, a proxy or load tool closed
		// the connection): nothing failed here and nobody reads an answer.
		// The push was not taken, so WeChat's retry is served as new.
		a.log.Debug("wechat client gone before the push was read", "reason", err)
		return
	}
	if err != nil {
		a.refuse(w, status, err)
		return
	}
	p.answerBy = arrived.Add(a.cfg.ReplyDeadline + claimGrace)
	inPlace := a.take(w, r, p, deadline.C)
	if a.cfg.ObservePassiveReply != nil {
		a.cfg.ObservePassiveReply(time.Since(arrived), inPlace)
	}
}

// readPush verifies and decodes a push, or says with which status to
// refuse it. Every refusal happens before anything is recorded, and the
// body is not read before the query's signature holds.
func (a *Adapter) readPush(w http.ResponseWriter, r *http.Request) (*push, int, error) {
	q := r.URL.Query()
	if err := a.checkQuery(q); err != nil {
		return nil, http.StatusUnauthorized, err
	}
	encrypted := q.Get("encrypt_type") == "aes"
	switch {
	case a.safeMode() && !encrypted:
		// A plain push's signature does not cover its body: in safe mode
		// only encrypted ones are taken.
		return nil, http.StatusUnauthorized, fmt.Errorf("%w: safe mode takes only encrypted pushes", errRefused)
	case !a.safeMode() && encrypted:
		a.log.Error("wechat sends encrypted pushes but no EncodingAESKey is configured (ORDERBOT_WECHAT_AES_KEY)")
		return nil, http.StatusBadRequest, errors.New("encrypted push without a key")
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, http.StatusRequestEntityTooLarge, err
	}
	if err != nil {
		return nil, http.StatusBadRequest, fmt.Errorf("read body: %w", err)
	}
	p, err := a.decode(q, body)
	if err == nil && !a.safeMode() {
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		err = a.bindNonce(ctx, q, body)
		cancel()
	}
	switch {
	case errors.Is(err, errRefused):
		return nil, http.StatusUnauthorized, err
	case errors.Is(err, errUnavailable):
		return nil, http.StatusServiceUnavailable, err
	case err != nil:
		return nil, http.StatusBadRequest, err
	}
	return p, 0, nil
}

// decode reads the push's XML, decrypting it in safe mode after checking
// msg_signature.
func (a *Adapter) decode(q url.Values, body []byte) (*push, error) {
	raw := body
	if a.safeMode() {
		var env message.EncryptedXMLMsg
		if err := xml.Unmarshal(body, &env); err != nil {
			return nil, fmt.Errorf("encrypted envelope: %w", err)
		}
		if err := a.checkMsgSignature(q, env.EncryptedMsg); err != nil {
			return nil, err
		}
		_, plain, err := util.DecryptMsg(a.cfg.AppID, env.EncryptedMsg, a.cfg.AESKey)
		if err != nil {
			// The signature held, so the key or app id must be wrong.
			a.log.Error("wechat push cannot be decrypted: check ORDERBOT_WECHAT_AES_KEY and _APP_ID", "err", err)
			return nil, fmt.Errorf("decrypt: %w", err)
		}
		raw = plain
	}
	var msg message.MixMessage
	if err := xml.Unmarshal(raw, &msg); err != nil {
		return nil, fmt.Errorf("message: %w", err)
	}
	if !validOpenID(string(msg.FromUserName)) {
		return nil, errors.New("message: missing or malformed FromUserName")
	}
	return &push{msg: &msg, nonce: q.Get("nonce")}, nil
}

func validOpenID(s string) bool {
	if s == "" || len(s) > maxOpenID {
		return false
	}
	for _, c := range []byte(s) {
		ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
		if !ok {
			return false
		}
	}
	return true
}

// pushAction is what a push asks of the adapter.
type pushAction int

const (
	ignore      pushAction = iota // nothing for the core: acknowledge
	converse                      // a customer event for the core
	unsubscribe                   // the customer unfollowed
)

// toInbound turns a push into the core's event. Dedup keys name the
// customer as well: MsgId has been seen to collide between users, and a
// collision would hand one customer the reply stored for another.
func toInbound(m *message.MixMessage) (bot.Inbound, pushAction) {
	openID := string(m.FromUserName)
	in := bot.Inbound{Channel: bot.WeChat, UserID: openID, LangHint: langHint}
	switch m.MsgType {
	case message.MsgTypeText:
		in.Text = clip(m.Content)
	case message.MsgTypeImage:
		in.Media = []string{mediaRef(m.MediaID, m.PicURL)}
	case message.MsgTypeVoice:
		// With speech recognition on, WeChat sends the words as well.
		in.Text = clip(m.Recognition)
	case message.MsgTypeVideo, message.MsgTypeShortVideo, message.MsgTypeLocation, message.MsgTypeLink:
		// Nothing the conversation can use: it answers with its options.
	case message.MsgTypeEvent:
		return eventInbound(in, m)
	default:
		return in, ignore
	}
	if m.MsgID != 0 {
		in.DedupKey = "wechat:msg:" + openID + ":" + strconv.FormatInt(m.MsgID, 10)
	} else {
		in.DedupKey = fmt.Sprintf("wechat:msg:%s:%d:%s", openID, m.CreateTime, m.MsgType)
	}
	return in, converse
}

func eventInbound(in bot.Inbound, m *message.MixMessage) (bot.Inbound, pushAction) {
	switch m.Event {
	case message.EventSubscribe:
		// A new follower gets the welcome and the main menu.
		in.Text = "menu"
	case message.EventUnsubscribe:
		return in, unsubscribe
	case message.EventClick:
		word, ok := clickWord(m.EventKey)
		if !ok {
			return in, ignore
		}
		in.Text = word
	default:
		return in, ignore
	}
	// The menu key is part of the key too: two different clicks within the
	// same second are two events, while WeChat's retry repeats the key.
	in.DedupKey = fmt.Sprintf("wechat:event:%s:%d:%s:%s", in.UserID, m.CreateTime, m.Event, m.EventKey)
	return in, converse
}

// mediaRef is the reference to one photo a customer sent: the MediaId (the
// API serves the file for three days) with the PicUrl WeChat gives for
// viewing it. It is one reference, since the core counts photos by them.
func mediaRef(mediaID, picURL string) string {
	ref := "wechat-media:" + mediaID
	if picURL != "" {
		ref += "?pic_url=" + url.QueryEscape(picURL)
	}
	return ref
}

// clip makes text acceptable to the core: valid UTF-8 of at most maxText
// bytes, cut at a character boundary.
func clip(s string) string {
	s = strings.ToValidUTF8(s, "")
	if len(s) <= maxText {
		return s
	}
	cut := maxText
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut]
}

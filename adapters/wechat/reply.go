package wechat

import (
	"context"
	"crypto/rand"
	"encoding/xml"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"
	"github.com/silenceper/wechat/v2/util"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
)

const (
	// pathPassive is the outbox path of replies given in the HTTP answer.
	pathPassive = "passive"
	// coreTimeout bounds the core's run of one push. It is detached from
	// the request: a run that misses the reply deadline still commits, and
	// the dispatcher delivers its reply.
	coreTimeout = 30 * time.Second
)

type coreResult struct {
	replies []*bot.Message
	err     error
}

// take hands a verified push to the core and answers WeChat: the reply in
// place when the core was done in time, otherwise an acknowledgement at
// once, so that WeChat never retries because the bot was slow. It reports
// whether the answer carried the reply.
func (a *Adapter) take(w http.ResponseWriter, r *http.Request, p *push, deadline <-chan time.Time) bool {
	in, action := toInbound(p.msg)
	switch action {
	case ignore:
		a.ack(w)
		return false
	case unsubscribe:
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), storeTimeout)
		defer cancel()
		if err := a.svc.SetUnreachable(ctx, bot.WeChat, in.UserID); err != nil {
			a.log.Error("wechat unfollow not recorded", "err", err)
		}
		a.ack(w)
		return false
	}
	done, ok := a.runCore(r.Context(), in)
	if !ok {
		a.refuse(w, http.StatusServiceUnavailable, errClosing)
		return false
	}
	select {
	case res := <-done:
		return a.answer(w, r, p, res)
	case <-deadline:
		a.log.Warn("wechat reply not ready in time: acknowledged, the dispatcher sends it", "deadline", a.cfg.ReplyDeadline)
		a.ack(w)
		return false
	}
}

// runCore runs HandleInbound on a context of its own, so that it finishes
// and commits whether or not WeChat is still waiting. It reports false,
// starting nothing, once the adapter is closing.
func (a *Adapter) runCore(parent context.Context, in bot.Inbound) (<-chan coreResult, bool) {
	if !a.running.start() {
		return nil, false
	}
	done := make(chan coreResult, 1)
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), coreTimeout)
	go func() {
		defer a.running.done()
		defer cancel()
		replies, err := a.svc.HandleInbound(ctx, in)
		if err != nil && !errors.Is(err, bot.ErrInvalid) {
			a.log.Error("wechat push not handled", "err", err)
		}
		done <- coreResult{replies, err}
	}()
	return done, true
}

// answer replies in place with the core's replies when they are ours to
// give, and reports whether it did. MarkReplied says so for a fresh push; a
// repeated push (WeChat retrying because our answer was lost) gets the
// replies again when they were answered in place before, and is only
// acknowledged when the dispatcher has them.
func (a *Adapter) answer(w http.ResponseWriter, r *http.Request, p *push, res coreResult) bool {
	switch {
	case errors.Is(res.err, bot.ErrInvalid):
		a.ack(w)
		return false
	case res.err != nil:
		http.Error(w, "temporarily unavailable", http.StatusInternalServerError)
		return false
	case len(res.replies) == 0, withPicture(res.replies):
		// A picture cannot go in the answer, which holds one text: the
		// dispatcher sends the picture and then the text.
		a.ack(w)
		return false
	}
	// Build the answer before claiming the replies: once claimed, nobody
	// else sends them.
	body, contentType, err := a.passiveReply(p, passiveText(res.replies))
	if err != nil {
		a.log.Error("wechat passive reply not built, the dispatcher sends it", "err", err)
		a.ack(w)
		return false
	}
	ctx, cancel := context.WithDeadline(context.WithoutCancel(r.Context()), p.answerBy)
	defer cancel()
	if !a.claim(ctx, res.replies) {
		a.ack(w)
		return false
	}
	w.Header().Set("Content-Type", contentType)
	w.Write(body)
	return true
}

// claim reports whether the replies are to be given in place: they are
// when MarkReplied takes them now or took them for an earlier copy of this
// push. A copy racing with the first waits in MarkReplied for the first's
// row locks and then learns its outcome, so every copy answers alike. When
// marking fails the replies stay in the outbox, untouched, for the
// dispatcher to send once.
func (a *Adapter) claim(ctx context.Context, replies []*bot.Message) bool {
	ids := make([]int64, len(replies))
	for i, m := range replies {
		ids[i] = m.ID
	}
	all, err := a.svc.MarkReplied(ctx, ids, pathPassive)
	if err != nil {
		a.log.Error("wechat replies not marked, the dispatcher sends them", "err", err)
		return false
	}
	return all
}

// withPicture reports whether a reply shows a picture.
func withPicture(replies []*bot.Message) bool {
	for _, m := range replies {
		if bot.PictureURL(m.ImageURL) != "" {
			return true
		}
	}
	return false
}

// passiveText is the replies as one text: WeChat takes one message in the
// answer, and text has no buttons, so options are numbered lines.
func passiveText(replies []*bot.Message) string {
	parts := make([]string, len(replies))
	for i, m := range replies {
		parts[i] = conversation.Reply{Text: m.Text, Options: m.Options}.Plain()
	}
	return strings.Join(parts, "\n\n")
}

// passiveReply renders a text reply to the push, encrypted in safe mode.
func (a *Adapter) passiveReply(p *push, text string) ([]byte, string, error) {
	now := a.now().Unix()
	msg := message.NewText(text)
	msg.SetToUserName(p.msg.FromUserName)
	msg.SetFromUserName(p.msg.ToUserName)
	msg.SetCreateTime(now)
	msg.SetMsgType(message.MsgTypeText)
	raw, err := xml.Marshal(msg)
	if err != nil {
		return nil, "", fmt.Errorf("reply xml: %w", err)
	}
	if !a.safeMode() {
		return raw, "application/xml; charset=utf-8", nil
	}
	random := make([]byte, 16)
	rand.Read(random)
	enc, err := util.EncryptMsg(random, raw, a.cfg.AppID, a.cfg.AESKey)
	if err != nil {
		return nil, "", fmt.Errorf("encrypt reply: %w", err)
	}
	ts := strconv.FormatInt(now, 10)
	out, err := xml.Marshal(message.ResponseEncryptedXMLMsg{
		EncryptedMsg: string(enc),
		MsgSignature: util.Signature(a.cfg.Token, ts, p.nonce, string(enc)),
		Timestamp:    now,
		Nonce:        p.nonce,
	})
	if err != nil {
		return nil, "", fmt.Errorf("encrypted reply xml: %w", err)
	}
	return out, "application/xml; charset=utf-8", nil
}

// ack tells WeChat the push was taken and nothing is answered in place:
// "success" in plain mode, an empty body in safe mode.
func (a *Adapter) ack(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	if !a.safeMode() {
		w.Write([]byte("success"))
	}
}

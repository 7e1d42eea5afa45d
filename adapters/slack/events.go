package slack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"strings"

	"github.com/slack-go/slack/slackevents"

	"github.com/orderbot/orderbot/bot"
)

// serveEvents answers the Events API: the URL check when the app is set
// up, and event callbacks, which are acknowledged at once and handled
// afterwards.
func (a *Adapter) serveEvents(w http.ResponseWriter, r *http.Request, body []byte) {
	var outer struct {
		Type      string `json:"type"`
		Challenge string `json:"challenge"`
	}
	if err := json.Unmarshal(body, &outer); err != nil {
		http.Error(w, "malformed event", http.StatusBadRequest)
		return
	}
	if outer.Type == slackevents.URLVerification {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte(outer.Challenge))
		return
	}
	// The signature has been checked; the deprecated verification token
	// adds nothing.
	ev, err := slackevents.ParseEvent(body, slackevents.OptionNoVerifyToken())
	w.WriteHeader(http.StatusOK)
	if err != nil {
		// Events we do not subscribe to: acknowledged, so Slack does not retry.
		a.log.Debug("slack: event not handled", "err", err)
		return
	}
	a.handleEvent(r.Context(), ev)
}

// handleEvent starts the work for an event callback. A retry of an event
// (X-Slack-Retry-Num) goes through the same path: the core records the
// event id and does nothing the second time.
func (a *Adapter) handleEvent(ctx context.Context, ev slackevents.EventsAPIEvent) {
	cb, ok := ev.Data.(*slackevents.EventsAPICallbackEvent)
	if !ok || cb.EventID == "" {
		return
	}
	msg, ok := ev.InnerEvent.Data.(*slackevents.MessageEvent)
	if !ok || !isStaffThreadReply(msg) {
		return
	}
	a.async(ctx, "thread reply", func(ctx context.Context) { a.threadReply(ctx, cb.EventID, msg) })
}

// isStaffThreadReply keeps what a person wrote in a thread: not the bot's
// own posts or any other app's, not edits, joins or deletions.
func isStaffThreadReply(m *slackevents.MessageEvent) bool {
	switch m.SubType {
	case "", "thread_broadcast": // a reply also sent to the channel is still a reply
	default:
		return false
	}
	return m.BotID == "" && m.User != "" && m.Channel != "" &&
		m.ThreadTimeStamp != "" && m.ThreadTimeStamp != m.TimeStamp && strings.TrimSpace(m.Text) != ""
}

// threadReply relays a staff member's reply in a handoff card's thread to
// the customer. Threads of other cards are staff talking among themselves.
func (a *Adapter) threadReply(ctx context.Context, eventID string, m *slackevents.MessageEvent) {
	ref, err := a.svc.CardRefByExternal(ctx, bot.Slack, m.Channel+":"+m.ThreadTimeStamp)
	if errors.Is(err, bot.ErrNotFound) {
		return
	}
	if err != nil {
		a.log.Error("slack: look up card of thread", "channel", m.Channel, "err", err)
		return
	}
	if !strings.HasPrefix(ref, "handoff:") {
		return
	}
	res, err := a.svc.HandleStaffAction(ctx, bot.StaffAction{
		Channel:  bot.Slack,
		UserID:   m.User,
		DedupKey: "slack:" + eventID,
		Ref:      ref,
		Action:   bot.ActReply,
		Text:     plainText(m.Text),
	})
	if err != nil {
		a.answerRefusal(ctx, place{channel: m.Channel, user: m.User, thread: m.ThreadTimeStamp}, ref, res, err)
		return
	}
	a.log.Info("slack: handoff reply relayed", "user", m.User, "ref", ref)
}

// slackMarkup matches Slack's <...> tokens: links, mentions, channels.
var slackMarkup = regexp.MustCompile(`<([^<>|]+)(?:\|([^<>]*))?>`)

// unescape undoes Slack's escaping of message text.
var unescape = strings.NewReplacer("&lt;", "<", "&gt;", ">", "&amp;", "&").Replace

// plainText turns a Slack message into what a customer on another channel
// can read: links as their URL (with the label when it differs), mentions
// as @id, Slack's escaping undone.
func plainText(s string) string {
	s = slackMarkup.ReplaceAllStringFunc(s, func(tok string) string {
		m := slackMarkup.FindStringSubmatch(tok)
		target, label := m[1], m[2]
		switch {
		case strings.HasPrefix(target, "@") || strings.HasPrefix(target, "#"):
			if label != "" {
				return target[:1] + strings.TrimPrefix(label, target[:1])
			}
			return target
		case strings.HasPrefix(target, "!"): // <!here>, <!subteam^S1|@team>
			if label != "" {
				return label
			}
			return "@" + target[1:]
		case label == "" || label == target || "mailto:"+label == target:
			return strings.TrimPrefix(target, "mailto:")
		}
		return label + " (" + target + ")"
	})
	return strings.TrimSpace(unescape(s))
}

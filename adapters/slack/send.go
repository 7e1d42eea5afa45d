package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/orderbot/orderbot/bot"
)

// defaultRetryAfter is used when Slack answers 429 without a Retry-After.
const defaultRetryAfter = 5 * time.Second

// Send delivers one outbox message: a staff card is posted to the staff
// channel, or edited in place when it was posted before; a thread message
// goes in the thread of its card; anything else is posted as text to its
// recipient. The id it returns is "<channel>:<ts>".
func (a *Adapter) Send(ctx context.Context, m *bot.Message) (string, error) {
	switch {
	case m.Kind == bot.KindCard && m.Card != nil:
		if m.ExternalID != "" {
			return a.updateCard(ctx, m.ExternalID, *m.Card)
		}
		return a.postCard(ctx, *m.Card)
	case m.Kind == bot.KindThread:
		return a.sendThread(ctx, m)
	default:
		return a.sendText(ctx, m)
	}
}

func (a *Adapter) postCard(ctx context.Context, c bot.Card) (string, error) {
	return a.post(ctx, a.cfg.StaffChannel, "post card "+c.Ref,
		slack.MsgOptionText(fallbackText(c), false),
		slack.MsgOptionBlocks(cardBlocks(c, true, a.staff)...))
}

// updateCard edits a posted card. A card that is gone (deleted, or its
// channel archived) is posted again, so staff still see the item.
func (a *Adapter) updateCard(ctx context.Context, externalID string, c bot.Card) (string, error) {
	channel, ts, ok := splitExternal(externalID)
	if !ok {
		return a.postCard(ctx, c)
	}
	if err := a.limit.wait(ctx, channel); err != nil {
		return "", err
	}
	_, _, _, err := a.api.UpdateMessageContext(ctx, channel, ts,
		slack.MsgOptionText(fallbackText(c), false),
		slack.MsgOptionBlocks(cardBlocks(c, true, a.staff)...))
	if isGone(err) {
		a.log.Warn("slack: card message gone, posting it again", "ref", c.Ref, "err", err)
		return a.postCard(ctx, c)
	}
	if err != nil {
		return "", a.apiError(channel, "update card "+c.Ref, err)
	}
	return externalID, nil
}

// sendThread posts a message about a card's item in the card's thread.
// When the item is closed (no actions left) the card is also refreshed,
// since nothing else would take its buttons away.
func (a *Adapter) sendThread(ctx context.Context, m *bot.Message) (string, error) {
	text := escape(m.Text)
	var c bot.Card
	if m.Card != nil {
		c = *m.Card
		if media := mediaText(c.Media, a.staff); media != "" {
			text += "\n" + media
		}
	}
	channel, ts, ok := splitExternal(m.ExternalID)
	if !ok {
		// The card never made it to Slack: say what the message is about.
		return a.post(ctx, a.cfg.StaffChannel, "post thread message",
			slack.MsgOptionText("*"+escape(c.Title)+"*\n"+text, false))
	}
	id, err := a.post(ctx, channel, "post in thread of "+c.Ref,
		slack.MsgOptionText(text, false), slack.MsgOptionTS(ts))
	if err != nil {
		return "", err
	}
	if m.Card != nil && len(c.Actions) == 0 {
		// The thread message is out; failing here must not send it again.
		if _, err := a.updateCard(ctx, m.ExternalID, c); err != nil {
			a.log.Warn("slack: refresh closed card", "ref", c.Ref, "err", err)
		}
	}
	return id, nil
}

// sendText posts plain text with numbered options, for anything that is
// not a card.
func (a *Adapter) sendText(ctx context.Context, m *bot.Message) (string, error) {
	to := m.Recipient
	if to == bot.StaffRecipient || to == "" {
		to = a.cfg.StaffChannel
	}
	var b strings.Builder
	b.WriteString(escape(m.Text))
	for i, o := range m.Options {
		fmt.Fprintf(&b, "\n%d. %s", i+1, escape(o.Label))
	}
	return a.post(ctx, to, "post message", slack.MsgOptionText(b.String(), false))
}

// post sends chat.postMessage within the channel's rate limit.
func (a *Adapter) post(ctx context.Context, channel, what string, opts ...slack.MsgOption) (string, error) {
	if err := a.limit.wait(ctx, channel); err != nil {
		return "", err
	}
	ch, ts, err := a.api.PostMessageContext(ctx, channel, opts...)
	if err != nil {
		return "", a.apiError(channel, what, err)
	}
	return ch + ":" + ts, nil
}

// apiError turns Slack's "slow down" into the core's *bot.RateLimitError,
// so the dispatcher waits as long as asked, and wraps anything else.
func (a *Adapter) apiError(channel, what string, err error) error {
	var rl *slack.RateLimitedError
	var sc slack.StatusCodeError
	switch {
	case errors.As(err, &rl):
		wait := rl.RetryAfter
		if wait <= 0 {
			wait = defaultRetryAfter
		}
		a.limit.block(channel, wait)
		return &bot.RateLimitError{RetryAfter: wait}
	case errors.As(err, &sc) && sc.Code == http.StatusTooManyRequests:
		a.limit.block(channel, defaultRetryAfter)
		return &bot.RateLimitError{RetryAfter: defaultRetryAfter}
	}
	return fmt.Errorf("slack: %s: %w", what, err)
}

// isGone reports whether chat.update failed because the message can no
// longer be edited.
func isGone(err error) bool {
	var se slack.SlackErrorResponse
	if !errors.As(err, &se) {
		return false
	}
	switch se.Err {
	case "message_not_found", "channel_not_found", "is_archived", "cant_update_message":
		return true
	}
	return false
}

// splitExternal splits "<channel>:<ts>".
func splitExternal(id string) (channel, ts string, ok bool) {
	channel, ts, ok = strings.Cut(id, ":")
	return channel, ts, ok && channel != "" && ts != ""
}

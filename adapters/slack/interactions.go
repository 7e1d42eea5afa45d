package slack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"

	"github.com/slack-go/slack"

	"github.com/orderbot/orderbot/bot"
)

// serveInteractions answers button presses and modal submissions. A press
// is acknowledged at once and carried out afterwards; a submission is
// checked first, because only the answer to it can show the form's errors.
func (a *Adapter) serveInteractions(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	var ic slack.InteractionCallback
	if err := json.Unmarshal([]byte(form.Get("payload")), &ic); err != nil {
		http.Error(w, "malformed payload", http.StatusBadRequest)
		return
	}
	if resp := a.interaction(r.Context(), ic); resp != nil {
		writeJSON(w, resp)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// interaction handles one interaction payload, from HTTP or Socket Mode,
// and returns what the acknowledgement must carry (nil for nothing).
func (a *Adapter) interaction(ctx context.Context, ic slack.InteractionCallback) any {
	switch ic.Type {
	case slack.InteractionTypeBlockActions:
		for _, ba := range ic.ActionCallback.BlockActions {
			b, ok := parseButton(ba.Value)
			if !ok || ba.BlockID != actionsBlockID {
				continue
			}
			a.async(ctx, "button press", func(ctx context.Context) { a.press(ctx, ic, ba, b) })
		}
	case slack.InteractionTypeViewSubmission:
		if resp := a.submit(ctx, ic); resp != nil {
			return resp
		}
	}
	return nil
}

// place is where to answer a staff member: the channel and message of the
// card they used, and the thread when they wrote in one.
type place struct {
	channel, user, ts, thread string
}

func pressPlace(ic slack.InteractionCallback) place {
	p := place{channel: ic.Container.ChannelID, user: ic.User.ID, ts: ic.Container.MessageTs}
	if p.channel == "" {
		p.channel = ic.Channel.ID
	}
	return p
}

// press carries out a card button: at once, or through a form when the
// action needs a reason, shipping details or a message first.
func (a *Adapter) press(ctx context.Context, ic slack.InteractionCallback, ba *slack.BlockAction, b button) {
	at := pressPlace(ic)
	if b.input != "" {
		a.openForm(ctx, ic, ba, b, at)
		return
	}
	res, err := a.svc.HandleStaffAction(ctx, bot.StaffAction{
		Channel: bot.Slack,
		UserID:  ic.User.ID,
		Ref:     b.ref,
		Action:  ba.ActionID,
		Version: b.version,
	})
	if err != nil {
		a.answerRefusal(ctx, at, b.ref, res, err)
		return
	}
	// The card itself is updated through the outbox, like on every other
	// staff channel.
	a.log.Info("slack: staff action", "user", ic.User.ID, "ref", b.ref, "action", ba.ActionID)
}

// answerRefusal tells a staff member, privately, why their action did
// nothing, in the words the core gave (the staff language, who decided and
// when in the shop's time). A card that was out of date is redrawn as it
// is now.
func (a *Adapter) answerRefusal(ctx context.Context, at place, ref string, res bot.StaffResult, err error) {
	var decided *bot.DecidedError
	var state *bot.StateError
	text := mentions(escape(res.Note))
	switch {
	case errors.Is(err, bot.ErrDuplicate):
		a.log.Debug("slack: event already handled", "ref", ref)
		return
	case errors.As(err, &state), errors.Is(err, bot.ErrConflict):
		text = a.staff.outOfDate()
		a.refreshCard(ctx, at, ref, res.Card)
	case errors.As(err, &decided), errors.Is(err, bot.ErrForbidden), errors.Is(err, bot.ErrNotFound),
		errors.Is(err, bot.ErrInvalid):
	default:
		a.log.Error("slack: staff action", "user", at.user, "ref", ref, "err", err)
		text = a.staff.failed()
	}
	if text == "" {
		text = a.staff.failed()
	}
	a.ephemeral(ctx, at, text)
}

// refreshCard redraws a card the core found stale. Nothing is queued in
// the outbox for a refused action, so this is the only way the presser's
// card catches up.
func (a *Adapter) refreshCard(ctx context.Context, at place, ref string, c bot.Card) {
	if c.Ref != ref || at.channel == "" || at.ts == "" {
		return
	}
	if _, _, _, err := a.api.UpdateMessageContext(ctx, at.channel, at.ts,
		slack.MsgOptionText(fallbackText(c), false),
		slack.MsgOptionBlocks(cardBlocks(c, true, a.staff)...)); err != nil {
		a.log.Warn("slack: refresh stale card", "ref", ref, "err", err)
	}
}

// ephemeral shows text to one staff member only.
func (a *Adapter) ephemeral(ctx context.Context, at place, text string) {
	if at.channel == "" || at.user == "" {
		return
	}
	opts := []slack.MsgOption{slack.MsgOptionText(text, false)}
	if at.thread != "" {
		opts = append(opts, slack.MsgOptionTS(at.thread))
	}
	if _, err := a.api.PostEphemeralContext(ctx, at.channel, at.user, opts...); err != nil {
		a.log.Warn("slack: ephemeral answer", "user", at.user, "err", err)
	}
}

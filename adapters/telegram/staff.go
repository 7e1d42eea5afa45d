package telegram

import (
	"context"
	"errors"
	"strconv"
	"strings"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/orderbot/orderbot/bot"
)

// onStaffPress handles a card button in the staff group. An action that
// needs input first gets a prompt the staff member replies to; any other
// goes to the core, which authorizes the presser by their Telegram user id.
func (a *Adapter) onStaffPress(ctx context.Context, key string, q *tgbotapi.CallbackQuery) error {
	p, ok := parseCardPress(q.Data)
	if !ok {
		a.later(func(ctx context.Context) { a.answer(ctx, q.ID, "This button is not valid.") })
		return nil
	}
	user := strconv.FormatInt(q.From.ID, 10)
	if p.input != "" {
		return a.askInput(ctx, q, p, user)
	}
	res, err := a.svc.HandleStaffAction(ctx, bot.StaffAction{
		Channel: bot.Telegram, UserID: user, DedupKey: key,
		Ref: p.ref, Action: p.action, Version: p.version,
	})
	note, retry := a.staffNote(res, err, p.ref)
	a.later(func(ctx context.Context) {
		a.answer(ctx, q.ID, note)
		a.refreshCard(ctx, q.Message, p.ref, res, err)
	})
	return retry
}

// askInput prompts for the reason, the tracking number or the message an
// action needs, as a reply the staff member's client opens at once. Only
// staff get the prompt; whether their role may take the action is decided
// when they answer.
func (a *Adapter) askInput(ctx context.Context, q *tgbotapi.CallbackQuery, p cardPress, user string) error {
	_, err := a.svc.StaffMember(ctx, bot.Telegram, user)
	if errors.Is(err, bot.ErrNotFound) {
		a.later(func(ctx context.Context) { a.answer(ctx, q.ID, notAllowed) })
		return nil
	}
	if err != nil {
		a.later(func(ctx context.Context) { a.answer(ctx, q.ID, tryAgain) })
		return err
	}
	chat := q.Message.Chat.ID
	msg := tgbotapi.NewMessage(chat, promptText(p, q.From.UserName))
	msg.ReplyToMessageID = q.Message.MessageID
	msg.AllowSendingWithoutReply = true
	// Selective shows the reply field only to the member mentioned in it.
	msg.ReplyMarkup = tgbotapi.ForceReply{ForceReply: true, Selective: q.From.UserName != "",
		InputFieldPlaceholder: placeholder(p.input)}
	a.later(func(ctx context.Context) {
		a.answer(ctx, q.ID, "Reply to my message below.")
		if _, err := a.post(ctx, chat, msg); err != nil {
			a.log.Warn("telegram: staff prompt not sent", "ref", p.ref, "err", err)
		}
	})
	return nil
}

// onStaffMessage takes a staff member's reply to a prompt and carries out
// the action it was for. Any other message in the group is not for the bot.
func (a *Adapter) onStaffMessage(ctx context.Context, key string, m *tgbotapi.Message) error {
	to := m.ReplyToMessage
	if to == nil || to.From == nil || to.From.ID != a.self.ID {
		return nil
	}
	p, ok := parsePrompt(to.Text)
	if !ok {
		return nil
	}
	text := strings.TrimSpace(m.Text)
	switch {
	case text == "":
		a.later(func(ctx context.Context) { a.replyInGroup(ctx, m, "Please reply with text.") })
		return nil
	case len(text) > maxInbound:
		a.later(func(ctx context.Context) { a.replyInGroup(ctx, m, "That is too long (at most 2000 bytes).") })
		return nil
	}
	act := bot.StaffAction{
		Channel: bot.Telegram, UserID: strconv.FormatInt(m.From.ID, 10), DedupKey: key,
		Ref: p.ref, Action: p.action, Version: p.version,
	}
	switch p.input {
	case "reason":
		act.Reason = text
	case "shipping":
		// "CARRIER TRACKING": the first word is the carrier.
		carrier, tracking, _ := strings.Cut(text, " ")
		act.Carrier, act.Tracking = carrier, strings.TrimSpace(tracking)
	default:
		act.Text = text
	}
	res, err := a.svc.HandleStaffAction(ctx, act)
	note, retry := a.staffNote(res, err, p.ref)
	if errors.Is(err, bot.ErrDuplicate) {
		return nil // answered the first time
	}
	a.later(func(ctx context.Context) { a.replyInGroup(ctx, m, note) })
	return retry
}

// Notes for staff. Cards and staff texts are in English on every channel.
const (
	notAllowed = "You are not allowed to do that."
	outOfDate  = "This card is out of date."
	tryAgain   = "Something went wrong, please try again."
)

// staffNote words the core's answer to a staff action for the staff
// member, and returns the error when trying again may help.
func (a *Adapter) staffNote(res bot.StaffResult, err error, ref string) (string, error) {
	var decided *bot.DecidedError
	var state *bot.StateError
	switch {
	case err == nil:
		return res.Note, nil
	case errors.Is(err, bot.ErrDuplicate):
		return "", nil
	case errors.Is(err, bot.ErrForbidden):
		return notAllowed, nil
	case errors.As(err, &decided):
		return "Already " + decided.Verb() + " by " + decided.By + ".", nil
	case errors.As(err, &state), errors.Is(err, bot.ErrConflict):
		return outOfDate, nil
	case errors.Is(err, bot.ErrNotFound):
		return "This item no longer exists.", nil
	case errors.Is(err, bot.ErrInvalid):
		return invalidNote(err), nil
	}
	a.log.Error("telegram: staff action", "ref", ref, "err", err)
	return tryAgain, err
}

// invalidNote is the core's detail of an ErrInvalid error, for the staff member.
func invalidNote(err error) string {
	if d := bot.InvalidDetail(err); d != "" {
		return "Not done: " + d + "."
	}
	return "Not done: that is not valid here."
}

// refreshCard shows the item's current card in place of a pressed one that
// was out of date, so the buttons on it are the ones that apply now.
func (a *Adapter) refreshCard(ctx context.Context, msg *tgbotapi.Message, ref string, res bot.StaffResult, err error) {
	var decided *bot.DecidedError
	var state *bot.StateError
	if msg == nil || res.Card.Ref != ref || !(errors.As(err, &decided) || errors.As(err, &state)) {
		return
	}
	text, markup := renderCard(res.Card)
	if err := a.editCard(ctx, msg.Chat.ID, msg.MessageID, text, markup); err != nil && !badRequest(err, "message is not modified") {
		a.log.Warn("telegram: out-of-date card not refreshed", "ref", ref, "err", err)
	}
}

// replyInGroup answers a staff member's message in the staff group.
func (a *Adapter) replyInGroup(ctx context.Context, m *tgbotapi.Message, text string) {
	if text == "" {
		return
	}
	msg := tgbotapi.NewMessage(m.Chat.ID, text)
	msg.ReplyToMessageID = m.MessageID
	msg.AllowSendingWithoutReply = true
	if _, err := a.post(ctx, m.Chat.ID, msg); err != nil {
		a.log.Warn("telegram: note to staff not sent", "err", err)
	}
}

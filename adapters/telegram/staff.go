package telegram

import (
	"context"
	"errors"
	"strconv"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/orderbot/orderbot/bot"
)

// onStaffPress handles a card button in the staff group. An action that
// needs input first gets a prompt the staff member replies to; any other
// goes to the core, which authorizes the presser by their Telegram user id.
func (a *Adapter) onStaffPress(ctx context.Context, key string, q *tgbotapi.CallbackQuery) error {
	p, ok := parseCardPress(q.Data)
	if !ok {
		a.later(func(ctx context.Context) { a.answer(ctx, q.ID, a.staff.badButton()) })
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
	if retry != nil {
		return retry // the update comes again, and its answer says how it went
	}
	a.later(func(ctx context.Context) { a.answer(ctx, q.ID, note) })
	a.refreshCard(q.Message, p.ref, res, err)
	return nil
}

// staffNote is the core's answer to a staff action for the staff member,
// worded by the core in the staff language, or the error when trying again
// may help: the update is then handled again (Telegram resends it, or
// polling fetches it again), and that time's answer is the one staff see.
func (a *Adapter) staffNote(res bot.StaffResult, err error, ref string) (string, error) {
	var decided *bot.DecidedError
	var state *bot.StateError
	switch {
	case err == nil:
		return res.Note, nil
	case errors.Is(err, bot.ErrDuplicate):
		return "", nil
	case res.Note != "":
		return res.Note, nil
	case errors.Is(err, bot.ErrForbidden):
		return a.staff.notAllowed(), nil
	case errors.As(err, &decided), errors.As(err, &state), errors.Is(err, bot.ErrConflict),
		errors.Is(err, bot.ErrNotFound), errors.Is(err, bot.ErrInvalid):
		return a.staff.outOfDate(), nil
	}
	a.log.Error("telegram: staff action", "ref", ref, "err", err)
	return "", err
}

// refreshCard shows the item's current card in place of a pressed one that
// was out of date, so the buttons on it are the ones that apply now.
func (a *Adapter) refreshCard(msg *tgbotapi.Message, ref string, res bot.StaffResult, err error) {
	var decided *bot.DecidedError
	var state *bot.StateError
	if msg == nil || res.Card.Ref != ref || !(errors.As(err, &decided) || errors.As(err, &state)) {
		return
	}
	text, markup := renderCard(res.Card, a.staff)
	chat, msgID := msg.Chat.ID, msg.MessageID
	a.toGroup("refreshed card", func(ctx context.Context) error {
		err := a.editCard(ctx, chat, msgID, text, markup, queued)
		if badRequest(err, "message is not modified") {
			return nil
		}
		return err
	})
}

// replyInGroup answers a staff member's message in the staff group.
func (a *Adapter) replyInGroup(m *tgbotapi.Message, text string) {
	if text == "" {
		return
	}
	msg := tgbotapi.NewMessage(m.Chat.ID, text)
	msg.ReplyToMessageID = m.MessageID
	msg.AllowSendingWithoutReply = true
	a.sayInGroup("note to staff", msg)
}

package telegram

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/orderbot/orderbot/bot"
)

// Prompts keeps the prompts the bot posts in the staff group, keyed by the
// posted message, so that a reply to one is matched to its action on any
// replica. What a prompt is for is never read back from the group, where
// the bot also relays what customers write.
type Prompts interface {
	SavePrompt(ctx context.Context, p bot.StaffPrompt) error
	// Prompt returns bot.ErrNotFound for a message that is no prompt.
	Prompt(ctx context.Context, channel, message string) (bot.StaffPrompt, error)
	// UsePrompt marks a prompt answered by the event with this dedup key:
	// bot.ErrConflict when another answer used it, bot.ErrInvalid when it
	// expired.
	UsePrompt(ctx context.Context, channel, message, key string, now time.Time) error
}

// maxStaffText bounds a staff member's reason or message, in characters,
// which goes on a card and to the customer (the core takes a reply of up
// to 1000).
const maxStaffText = 1000

// askInput prompts for the reason, the tracking number or the message an
// action needs, as a reply the staff member's client opens at once. Only
// staff get the prompt, and only the one who pressed may answer it; whether
// their role may take the action is decided when they answer.
func (a *Adapter) askInput(ctx context.Context, q *tgbotapi.CallbackQuery, p cardPress, user string) error {
	_, err := a.svc.StaffMember(ctx, bot.Telegram, user)
	if errors.Is(err, bot.ErrNotFound) {
		a.later(func(ctx context.Context) { a.answer(ctx, q.ID, a.staff.notAllowed()) })
		return nil
	}
	if err != nil {
		return err // handled again, and answered then
	}
	subject, err := a.svc.Subject(ctx, p.ref)
	if errors.Is(err, bot.ErrNotFound) {
		a.later(func(ctx context.Context) { a.answer(ctx, q.ID, a.staff.badButton()) })
		return nil
	}
	if err != nil {
		return err
	}
	chat := q.Message.Chat.ID
	msg := tgbotapi.NewMessage(chat, a.promptText(p.input, subject, q.From.UserName))
	msg.ReplyToMessageID = q.Message.MessageID
	msg.AllowSendingWithoutReply = true
	// Selective shows the reply field only to the member mentioned in it.
	msg.ReplyMarkup = tgbotapi.ForceReply{ForceReply: true, Selective: q.From.UserName != "",
		InputFieldPlaceholder: a.staff.placeholder(p.input)}
	a.later(func(ctx context.Context) { a.answer(ctx, q.ID, a.staff.replyBelow()) })
	prompt := bot.StaffPrompt{Channel: bot.Telegram, UserID: user, Ref: p.ref, Action: p.action, Input: p.input, Version: p.version}
	posted := 0
	a.toGroup("prompt", func(ctx context.Context) error {
		if posted == 0 {
			sent, err := a.deliver(ctx, chat, "sendMessage", msg, queued)
			if err != nil {
				return err
			}
			posted = sent.MessageID
		}
		return a.savePrompt(ctx, prompt, externalID(chat, posted))
	})
	return nil
}

// savePrompt keeps a posted prompt until it expires. A duplicate is the
// row an attempt saved before its answer was lost.
func (a *Adapter) savePrompt(ctx context.Context, p bot.StaffPrompt, message string) error {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.RequestTimeout)
	defer cancel()
	p.Message, p.CreatedAt = message, a.cfg.Clock()
	p.ExpiresAt = p.CreatedAt.Add(a.cfg.PromptTTL)
	if err := a.cfg.Prompts.SavePrompt(ctx, p); err != nil && !errors.Is(err, bot.ErrDuplicate) {
		return fmt.Errorf("save prompt: %w", err)
	}
	return nil
}

// onStaffMessage takes a staff member's reply to a prompt and carries out
// the action it was for. Any other message in the group, replies to cards
// and to relayed customer messages included, is not for the bot.
func (a *Adapter) onStaffMessage(ctx context.Context, key string, m *tgbotapi.Message) error {
	to := m.ReplyToMessage
	if to == nil || to.From == nil || to.From.ID != a.self.ID {
		return nil
	}
	p, err := a.cfg.Prompts.Prompt(ctx, bot.Telegram, externalID(m.Chat.ID, to.MessageID))
	if errors.Is(err, bot.ErrNotFound) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("telegram: prompt: %w", err)
	}
	user := strconv.FormatInt(m.From.ID, 10)
	act, note := promptAction(a.staff, p, user, key, strings.TrimSpace(m.Text), a.cfg.Clock())
	if note == "" {
		note, err = a.usePrompt(ctx, p, key)
		if err != nil {
			return err
		}
	}
	if note != "" {
		a.replyInGroup(m, note)
		return nil
	}
	res, err := a.svc.HandleStaffAction(ctx, act)
	note, retry := a.staffNote(res, err, p.Ref)
	if retry != nil {
		return retry // handled again, and answered then
	}
	a.replyInGroup(m, note) // nothing for a duplicate: answered the first time
	return nil
}

// usePrompt takes the prompt for this answer, or says why it cannot.
func (a *Adapter) usePrompt(ctx context.Context, p bot.StaffPrompt, key string) (string, error) {
	err := a.cfg.Prompts.UsePrompt(ctx, bot.Telegram, p.Message, key, a.cfg.Clock())
	switch {
	case err == nil:
		return "", nil
	case errors.Is(err, bot.ErrConflict):
		return a.staff.promptAnswered(), nil
	case errors.Is(err, bot.ErrInvalid):
		return a.staff.promptExpired(), nil
	}
	return "", fmt.Errorf("telegram: use prompt: %w", err)
}

// promptAction is the staff action a reply to prompt p asks for, or a note
// saying why the reply cannot be taken.
func promptAction(w staffText, p bot.StaffPrompt, user, key, text string, now time.Time) (bot.StaffAction, string) {
	switch {
	case user != p.UserID:
		return bot.StaffAction{}, w.promptNotYours()
	case p.Expired(now):
		return bot.StaffAction{}, w.promptExpired()
	case p.UsedBy != "" && p.UsedBy != key:
		return bot.StaffAction{}, w.promptAnswered()
	case text == "":
		return bot.StaffAction{}, w.needText()
	case utf8.RuneCountInString(text) > maxStaffText:
		return bot.StaffAction{}, w.tooLong()
	}
	act := bot.StaffAction{Channel: bot.Telegram, UserID: user, DedupKey: key, Ref: p.Ref, Action: p.Action, Version: p.Version}
	switch p.Input {
	case "reason", "note":
		act.Reason = text
	case "shipping":
		carrier, tracking, ok := parseShipping(text)
		if !ok {
			return bot.StaffAction{}, w.shippingHelp()
		}
		act.Carrier, act.Tracking = carrier, tracking
	default:
		act.Text = text
	}
	return act, ""
}

// parseShipping reads "CARRIER TRACKING": the tracking number is the last
// word and the carrier everything before it, so a carrier's name may have
// spaces ("Royal Mail RM123456785GB") and a tracking number may not.
func parseShipping(text string) (carrier, tracking string, ok bool) {
	words := strings.Fields(text)
	if len(words) < 2 {
		return "", "", false
	}
	return strings.Join(words[:len(words)-1], " "), words[len(words)-1], true
}

// promptText asks for an action's input, naming the item by its number
// and the staff member who pressed, e.g. "@alice 拒绝订单 100001 的原因是
// 什么？请直接回复这条消息（客户会看到）。"
func (a *Adapter) promptText(input, subject, mention string) string {
	ask := a.staff.prompt(input, subject)
	if mention != "" {
		ask = "@" + mention + " " + ask
	}
	return ask
}

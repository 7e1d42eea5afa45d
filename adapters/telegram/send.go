package telegram

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/orderbot/orderbot/bot"
)

// sharePhoneKey is the option key the conversation uses to ask for the
// customer's phone number; Telegram shows it as a button that shares the
// number from the account (request_contact).
const sharePhoneKey = "share_phone"

// maxCallbackData is Telegram's limit on a button's callback_data.
const maxCallbackData = 64

// maxText is a little under Telegram's 4096 characters per message, which
// it counts in UTF-16 units; longer texts go out in several messages.
const maxText = 4000

// Send delivers one outbox message: a customer reply or notice to the
// customer's chat, or a staff card to the staff group, posted or, when it
// was posted before (m.ExternalID), edited in place. It returns
// "<chat_id>:<message_id>" of what it posted.
func (a *Adapter) Send(ctx context.Context, m *bot.Message) (string, error) {
	if m.Recipient == bot.StaffRecipient {
		if a.cfg.StaffChat == 0 {
			return "", fmt.Errorf("telegram: no staff group configured (ORDERBOT_TELEGRAM_STAFF_CHAT): %w", bot.ErrUnreachable)
		}
		switch {
		case m.Kind == bot.KindCard && m.Card != nil:
			return a.sendCard(ctx, m)
		case m.Kind == bot.KindThread && m.Card != nil:
			return a.sendThread(ctx, m)
		}
		return a.sendText(ctx, a.cfg.StaffChat, m, outboxed)
	}
	chat, err := strconv.ParseInt(m.Recipient, 10, 64)
	if err != nil || chat == 0 {
		return "", fmt.Errorf("telegram: recipient %q is not a chat id", m.Recipient)
	}
	pace := outboxed
	if m.Kind == bot.KindReply {
		// The customer is waiting for it: Telegram's per-chat pace is about
		// bursts beyond that, so only notifications wait for it.
		pace = direct
	}
	id, err := a.sendText(ctx, chat, m, pace)
	if p := a.invoiceOf(m); p != nil && err == nil {
		if err := a.sendInvoice(ctx, chat, m, p, pace); err != nil {
			return "", fmt.Errorf("telegram: invoice for order %s: %w", m.Notice.OrderNumber, err)
		}
	}
	return id, err
}

// sendText sends a customer message with its options as buttons. A text
// longer than Telegram allows goes in parts, the buttons on the last.
func (a *Adapter) sendText(ctx context.Context, chat int64, m *bot.Message, pace pacing) (string, error) {
	text, markup := renderReply(m)
	if strings.TrimSpace(text) == "" {
		return "", nil // Telegram refuses empty messages, and there is nothing to say
	}
	if photo := bot.PictureURL(m.ImageURL); photo != "" && len(utf16.Encode([]rune(text))) <= maxCaption {
		// A reply too long for a caption goes as text, without its picture.
		ext, err := a.sendPicture(ctx, chat, photo, text, markup, pace)
		if err == nil || !pictureRefused(err) {
			return ext, err
		}
		// Telegram could not fetch or read the picture: the words still go.
		a.log.Warn("telegram: product picture refused, sending the text alone", "err", err)
	}
	parts := splitText(text, maxText)
	var ext string
	for i, part := range parts {
		msg := tgbotapi.NewMessage(chat, part)
		msg.DisableWebPagePreview = true
		if i == len(parts)-1 && markup != nil {
			msg.ReplyMarkup = markup
		}
		sent, err := a.deliver(ctx, chat, "sendMessage", msg, pace)
		if err != nil {
			return "", err
		}
		ext = externalID(chat, sent.MessageID)
		pace = queued // sent again, the first part would be repeated
	}
	return ext, nil
}

// sendPicture sends a product's picture with the reply as its caption and
// the options as its buttons: one message, as the customer reads it.
func (a *Adapter) sendPicture(ctx context.Context, chat int64, url, caption string, markup any, pace pacing) (string, error) {
	p := tgbotapi.NewPhoto(chat, tgbotapi.FileURL(url))
	p.Caption = caption
	if markup != nil {
		p.ReplyMarkup = markup
	}
	sent, err := a.deliver(ctx, chat, "sendPhoto", p, pace)
	if err != nil {
		return "", err
	}
	return externalID(chat, sent.MessageID), nil
}

// pictureRefused reports whether Telegram refused the picture itself (it
// could not fetch it, or it is not an image): a 400, not a flood wait, a
// blocked chat or a network error, which the text would meet as well.
func pictureRefused(err error) bool {
	var te *tgbotapi.Error
	return errors.As(err, &te) && te.Code == http.StatusBadRequest
}

// pacing is how a message waits for its chat's turn.
type pacing int

const (
	// direct does not wait: a reply to the customer's own message.
	direct pacing = iota
	// queued waits however long the turn takes: the rest of a message
	// whose first part went, the staff group's own queue.
	queued
	// outboxed waits up to MaxPaceWait; a longer wait goes back to the
	// outbox as *bot.RateLimitError, so that no delivery holds a
	// dispatcher worker (and its lease) for the group's 3 s a message.
	outboxed
)

// deliver makes one call that puts a message in chat (a send or an edit:
// Telegram counts both) within Telegram's limits. While the chat is paused
// after a 429 it returns *bot.RateLimitError with the time left, without
// calling Telegram; otherwise it waits its turn, and a 429 it gets pauses
// the chat for every path that sends to it.
func (a *Adapter) deliver(ctx context.Context, chat int64, method string, c tgbotapi.Chattable, pace pacing) (tgbotapi.Message, error) {
	if d := a.limits.paused(chat); d > 0 {
		return tgbotapi.Message{}, &bot.RateLimitError{RetryAfter: d}
	}
	var err error
	switch pace {
	case direct:
		a.limits.take(chat)
	case queued:
		err = a.limits.wait(ctx, chat, -1)
	default:
		err = a.limits.wait(ctx, chat, a.cfg.MaxPaceWait)
	}
	if err != nil {
		return tgbotapi.Message{}, err
	}
	if d := a.limits.paused(chat); d > 0 { // a 429 came while this one waited
		return tgbotapi.Message{}, &bot.RateLimitError{RetryAfter: d}
	}
	m, err := a.send(ctx, method, c)
	var rl *bot.RateLimitError
	if errors.As(err, &rl) {
		a.limits.pause(chat, rl.RetryAfter)
	}
	return m, err
}

// renderReply turns a reply's options into Telegram controls: an inline
// keyboard, one button per option, carrying the option's key; or, when one
// option asks for the phone number, a one-time reply keyboard whose first
// button shares it. Typed numbers and labels work either way; when an
// option cannot be a button, the numbered list goes into the text so it
// can still be chosen.
func renderReply(m *bot.Message) (string, any) {
	if len(m.Options) == 0 {
		return m.Text, nil
	}
	for _, o := range m.Options {
		if o.Key == sharePhoneKey {
			return m.Text, contactKeyboard(m)
		}
	}
	text := m.Text
	rows := make([][]tgbotapi.InlineKeyboardButton, 0, len(m.Options))
	for i, o := range m.Options {
		if o.Key == "" || len(o.Key) > maxCallbackData {
			continue
		}
		label := fmt.Sprintf("%d. %s", i+1, o.Label)
		rows = append(rows, tgbotapi.NewInlineKeyboardRow(tgbotapi.NewInlineKeyboardButtonData(label, o.Key)))
	}
	if len(rows) < len(m.Options) {
		var b strings.Builder
		b.WriteString(text)
		for i, o := range m.Options {
			fmt.Fprintf(&b, "\n%d. %s", i+1, o.Label)
		}
		text = b.String()
	}
	if len(rows) == 0 {
		return text, nil
	}
	return text, tgbotapi.NewInlineKeyboardMarkup(rows...)
}

// contactKeyboard is a reply keyboard: the share-phone option as a
// request_contact button and every other option as a button that types its
// label, which the conversation accepts like a pressed option.
func contactKeyboard(m *bot.Message) tgbotapi.ReplyKeyboardMarkup {
	var rows [][]tgbotapi.KeyboardButton
	for _, o := range m.Options {
		b := tgbotapi.NewKeyboardButton(o.Label)
		if o.Key == sharePhoneKey {
			b = tgbotapi.NewKeyboardButtonContact(o.Label)
		}
		rows = append(rows, tgbotapi.NewKeyboardButtonRow(b))
	}
	kb := tgbotapi.NewOneTimeReplyKeyboard(rows...)
	kb.ResizeKeyboard = true
	return kb
}

// sendCard posts a staff card to the staff group, or edits the one posted
// before. A card whose message is gone is posted again.
func (a *Adapter) sendCard(ctx context.Context, m *bot.Message) (string, error) {
	text, markup := renderCard(*m.Card, a.staff)
	if chat, msgID, ok := parseExternalID(m.ExternalID); ok && chat == a.cfg.StaffChat {
		err := a.editCard(ctx, chat, msgID, text, markup, outboxed)
		switch {
		case err == nil, badRequest(err, "message is not modified"):
			return m.ExternalID, nil
		case !badRequest(err, "message to edit not found") && !badRequest(err, "message can't be edited"):
			return "", err
		}
		a.log.Info("telegram: staff card message gone, posting it again", "ref", m.Card.Ref)
	}
	msg := tgbotapi.NewMessage(a.cfg.StaffChat, text)
	msg.ParseMode = tgbotapi.ModeHTML
	msg.DisableWebPagePreview = true
	if len(markup.InlineKeyboard) > 0 {
		msg.ReplyMarkup = markup
	}
	sent, err := a.deliver(ctx, a.cfg.StaffChat, "sendMessage", msg, outboxed)
	if err != nil {
		return "", err
	}
	a.sendPhotos(ctx, sent.MessageID, m.Card.Media)
	return externalID(a.cfg.StaffChat, sent.MessageID), nil
}

// sendThread posts what happened on a card's item (a customer's message in
// a handoff) as a reply to the card, so the group sees whose it is; when
// the card never made it to the group, the card's title says it instead.
func (a *Adapter) sendThread(ctx context.Context, m *bot.Message) (string, error) {
	text := m.Text
	if strings.TrimSpace(text) == "" {
		return "", nil
	}
	chat, cardMsg, ok := parseExternalID(m.ExternalID)
	if !ok || chat != a.cfg.StaffChat {
		text = m.Card.Title + "\n" + text
	}
	msg := tgbotapi.NewMessage(a.cfg.StaffChat, clip(text, maxText))
	msg.DisableWebPagePreview = true
	if ok && chat == a.cfg.StaffChat {
		msg.ReplyToMessageID, msg.AllowSendingWithoutReply = cardMsg, true
	}
	sent, err := a.deliver(ctx, a.cfg.StaffChat, "sendMessage", msg, outboxed)
	if err != nil {
		return "", err
	}
	return externalID(a.cfg.StaffChat, sent.MessageID), nil
}

func (a *Adapter) editCard(ctx context.Context, chat int64, msgID int, text string, markup tgbotapi.InlineKeyboardMarkup, pace pacing) error {
	edit := tgbotapi.NewEditMessageTextAndMarkup(chat, msgID, text, markup)
	edit.ParseMode = tgbotapi.ModeHTML
	edit.DisableWebPagePreview = true
	_, err := a.deliver(ctx, chat, "editMessageText", edit, pace)
	return err
}

// sendPhotos shows a new card's photos under it. Media references are
// Telegram file ids when the customer wrote on Telegram; from another
// channel they may not be, so a photo that fails is logged and left out
// rather than failing the card, which is already posted.
func (a *Adapter) sendPhotos(ctx context.Context, cardID int, media []string) {
	for _, ref := range media {
		p := tgbotapi.NewPhoto(a.cfg.StaffChat, tgbotapi.FileID(ref))
		p.ReplyToMessageID = cardID
		p.AllowSendingWithoutReply = true
		if _, err := a.deliver(ctx, a.cfg.StaffChat, "sendPhoto", p, queued); err != nil {
			a.log.Warn("telegram: photo for a staff card not sent", "err", err)
			if errors.Is(err, ctx.Err()) {
				return
			}
		}
	}
}

func externalID(chat int64, msgID int) string {
	return strconv.FormatInt(chat, 10) + ":" + strconv.Itoa(msgID)
}

func parseExternalID(s string) (chat int64, msgID int, ok bool) {
	c, m, found := strings.Cut(s, ":")
	if !found {
		return 0, 0, false
	}
	chat, err1 := strconv.ParseInt(c, 10, 64)
	msgID, err2 := strconv.Atoi(m)
	return chat, msgID, err1 == nil && err2 == nil && msgID > 0
}

// splitText cuts text into parts of at most n characters, at a line break
// where there is one in the second half of a part.
func splitText(text string, n int) []string {
	var parts []string
	for utf8.RuneCountInString(text) > n {
		cut := len(string([]rune(text)[:n]))
		if nl := strings.LastIndexByte(text[:cut], '\n'); nl > cut/2 {
			cut = nl + 1
		}
		parts = append(parts, text[:cut])
		text = text[cut:]
	}
	return append(parts, text)
}

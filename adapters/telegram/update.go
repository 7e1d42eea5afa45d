package telegram

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
)

// allowedUpdates are the update kinds the bot asks Telegram for:
// pre-checkout queries only when it takes payments.
func (a *Adapter) allowedUpdates() []string {
	if a.cfg.PayProviderToken != "" {
		return []string{"message", "callback_query", "pre_checkout_query"}
	}
	return []string{"message", "callback_query"}
}

// maxInbound keeps typed text within what the core accepts (16 KiB, more
// than Telegram's 4096 characters); the conversation itself then says, in
// the customer's language, when a text is too long.
const maxInbound = 16 << 10

// handleUpdate handles one update. Everything that is not a message or a
// button press in a private chat or the staff group (edited messages,
// channel posts, other groups) is acknowledged and ignored. A returned
// error means the update may succeed if tried again; bad input is logged
// and dropped.
func (a *Adapter) handleUpdate(ctx context.Context, u tgbotapi.Update) error {
	key := "telegram:" + strconv.Itoa(u.UpdateID)
	var err error
	switch {
	case u.PreCheckoutQuery != nil:
		err = a.onPreCheckout(ctx, u.PreCheckoutQuery)
	case u.Message != nil && u.Message.SuccessfulPayment != nil:
		err = a.onPaid(ctx, u.Message.SuccessfulPayment)
	case u.Message != nil:
		err = a.onMessage(ctx, key, u.Message)
	case u.CallbackQuery != nil:
		err = a.onCallback(ctx, key, u.CallbackQuery)
	}
	if errors.Is(err, bot.ErrInvalid) {
		a.log.Warn("telegram: update refused", "update", u.UpdateID, "err", err)
		return nil
	}
	if err != nil {
		return fmt.Errorf("telegram update %d: %w", u.UpdateID, err)
	}
	return nil
}

func (a *Adapter) isStaffChat(c *tgbotapi.Chat) bool {
	return c != nil && a.cfg.StaffChat != 0 && c.ID == a.cfg.StaffChat
}

func (a *Adapter) onMessage(ctx context.Context, key string, m *tgbotapi.Message) error {
	switch {
	case m.Chat == nil || m.From == nil || m.From.IsBot:
		return nil
	case a.isStaffChat(m.Chat):
		return a.onStaffMessage(ctx, key, m)
	case m.Chat.Type != "private":
		return nil
	}
	_, err := a.svc.HandleInbound(ctx, customerInbound(key, m))
	return err
}

// customerInbound turns a private-chat message into a core event: text
// (commands as the words they stand for), the largest size of a photo, a
// phone number the customer shared from their own account.
func customerInbound(key string, m *tgbotapi.Message) bot.Inbound {
	in := bot.Inbound{
		Channel:     bot.Telegram,
		UserID:      strconv.FormatInt(m.Chat.ID, 10),
		DisplayName: displayName(m.From),
		DedupKey:    key,
		Text:        clip(command(m.Text), maxInbound),
		LangHint:    langHint(m.From.LanguageCode),
	}
	if in.Text == "" {
		in.Text = clip(m.Caption, maxInbound)
	}
	if id := largestPhoto(m.Photo); id != "" {
		in.Media = []string{id}
	} else if d := m.Document; d != nil && strings.HasPrefix(d.MimeType, "image/") {
		// A photo sent "as a file" keeps its quality; it is still a photo.
		in.Media = []string{d.FileID}
	}
	// Only the customer's own number: a forwarded contact card is someone
	// else's, and Telegram marks the sender's own with their user id.
	if c := m.Contact; c != nil && c.UserID == m.From.ID && c.PhoneNumber != "" {
		in.Phone = phone(c.PhoneNumber)
	}
	return in
}

// commands are the bot's commands and the words they stand for, which
// every channel understands.
func commands() map[string]string {
	return map[string]string{"start": "menu", "menu": "menu", "orders": "orders", "aftersales": "after-sales", "human": "human", "help": "help"}
}

// command turns "/start", "/menu@shop_bot" or "/start payload" into the
// word the conversation knows; any other text is returned as it is.
func command(text string) string {
	rest, ok := strings.CutPrefix(text, "/")
	if !ok {
		return text
	}
	name, _, _ := strings.Cut(rest, " ")
	name, _, _ = strings.Cut(name, "@")
	if word, ok := commands()[strings.ToLower(name)]; ok {
		return word
	}
	return text
}

// largestPhoto is the file id of the biggest size Telegram offers.
func largestPhoto(sizes []tgbotapi.PhotoSize) string {
	if len(sizes) == 0 {
		return ""
	}
	best := slices.MaxFunc(sizes, func(x, y tgbotapi.PhotoSize) int {
		if d := x.Width*x.Height - y.Width*y.Height; d != 0 {
			return d
		}
		return x.FileSize - y.FileSize
	})
	return best.FileID
}

// phone gives a shared number the leading + that Telegram leaves out: it
// always includes the country code.
func phone(p string) string {
	p = strings.TrimSpace(p)
	if p != "" && p[0] != '+' {
		p = "+" + p
	}
	return p
}

// langHint is the language a new customer is greeted in: any Chinese
// variant gets simplified Chinese, anything else English.
func langHint(code string) string {
	switch {
	case code == "":
		return ""
	case strings.HasPrefix(strings.ToLower(code), "zh"):
		return "zh-CN"
	}
	return "en"
}

func displayName(u *tgbotapi.User) string {
	return clip(strings.TrimSpace(u.FirstName+" "+u.LastName), 100)
}

// clip cuts s to at most n bytes without splitting a character.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// onCallback handles a pressed button. In a customer's chat the button's
// data goes to the conversation like a chosen option; the conversation
// itself decides whether it is still one of the current options.
func (a *Adapter) onCallback(ctx context.Context, key string, q *tgbotapi.CallbackQuery) error {
	msg := q.Message
	switch {
	case msg == nil || msg.Chat == nil || q.From == nil:
		a.later(func(ctx context.Context) { a.answer(ctx, q.ID, "") })
		return nil
	case a.isStaffChat(msg.Chat):
		return a.onStaffPress(ctx, key, q)
	case msg.Chat.Type != "private":
		a.later(func(ctx context.Context) { a.answer(ctx, q.ID, "") })
		return nil
	}
	replies, err := a.svc.HandleInbound(ctx, bot.Inbound{
		Channel:     bot.Telegram,
		UserID:      strconv.FormatInt(msg.Chat.ID, 10),
		DisplayName: displayName(q.From),
		DedupKey:    key,
		Button:      clip(q.Data, maxInbound),
		LangHint:    langHint(q.From.LanguageCode),
	})
	if err != nil {
		return err // handled again, and answered then
	}
	// The pressed message keeps its buttons: removing them would cost a
	// second call to Telegram for every step, and a spent button pressed
	// again is answered as stale by the conversation.
	note := staleNote(replies)
	a.later(func(ctx context.Context) { a.answer(ctx, q.ID, note) })
	return nil
}

// staleNote is the short note for a stale button, "" for any other press.
func staleNote(replies []*bot.Message) string {
	if len(replies) == 0 || !replies[0].Stale {
		return ""
	}
	return conversation.StaleNote(conversation.ParseLang(replies[0].Lang))
}

// answer stops the button's spinner, with a short note when there is one.
// The library's Send cannot read answerCallbackQuery's boolean result, so
// this goes through Request.
func (a *Adapter) answer(ctx context.Context, queryID, note string) {
	if _, err := a.request(ctx, "answerCallbackQuery", tgbotapi.NewCallback(queryID, clip(note, 200))); err != nil {
		a.log.Warn("telegram: callback not answered", "err", err)
	}
}

package telegram

import (
	"context"
	"errors"
	"unicode/utf16"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// maxCaption is Telegram's limit on a photo's caption, in UTF-16 units.
const maxCaption = 1024

// PostStaffImage posts a PNG to the staff group with text (the daily
// report and its chart). A text that fits the caption goes with the photo,
// in one call; a longer one is sent first as its own message.
func (a *Adapter) PostStaffImage(ctx context.Context, text, filename string, image []byte) error {
	chat := a.cfg.StaffChat
	if chat == 0 {
		return errors.New("telegram: no staff group to post to")
	}
	caption := text
	if len(utf16.Encode([]rune(text))) > maxCaption {
		if _, err := a.deliver(ctx, chat, "sendMessage", tgbotapi.NewMessage(chat, text), queued); err != nil {
			return err
		}
		caption = ""
	}
	p := tgbotapi.NewPhoto(chat, tgbotapi.FileBytes{Name: filename, Bytes: image})
	p.Caption = caption
	_, err := a.deliver(ctx, chat, "sendPhoto", p, queued)
	return err
}

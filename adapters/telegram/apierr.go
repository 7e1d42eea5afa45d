package telegram

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/orderbot/orderbot/bot"
)

// apiError turns what the library returned into the core's terms: a flood
// wait becomes *bot.RateLimitError with Telegram's retry_after, a 403 (the
// user blocked the bot, deleted their account, or the bot left the group)
// wraps bot.ErrUnreachable, and anything else is a plain error the
// dispatcher retries with backoff. The library's *tgbotapi.Error stays
// wrapped so this package can still look at it.
func apiError(method string, err error) error {
	var te *tgbotapi.Error
	if !errors.As(err, &te) {
		return fmt.Errorf("telegram %s: %w", method, err)
	}
	switch {
	case te.Code == http.StatusTooManyRequests || te.RetryAfter > 0:
		// Uploads come back without a code, so retry_after alone counts too.
		return &bot.RateLimitError{RetryAfter: time.Duration(max(te.RetryAfter, 1)) * time.Second}
	case te.Code == http.StatusForbidden:
		return fmt.Errorf("telegram %s: %s: %w", method, te.Message, bot.ErrUnreachable)
	case te.MigrateToChatID != 0:
		return fmt.Errorf("telegram %s: the group became a supergroup, set ORDERBOT_TELEGRAM_STAFF_CHAT=%d: %w",
			method, te.MigrateToChatID, te)
	}
	return fmt.Errorf("telegram %s: %d %w", method, te.Code, te)
}

// badRequest reports whether err is Telegram's 400 with a description
// containing text, e.g. "message is not modified".
func badRequest(err error, text string) bool {
	var te *tgbotapi.Error
	return errors.As(err, &te) && te.Code == http.StatusBadRequest && strings.Contains(te.Message, text)
}

package telegram

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// secretHeader carries the webhook's secret_token on every update.
const secretHeader = "X-Telegram-Bot-Api-Secret-Token"

// maxUpdate bounds an update's body; real ones are a few KiB.
const maxUpdate = 1 << 20

// webhook receives one update. Without the right secret it answers 401 and
// reads nothing. A malformed update gets 400. Otherwise the answer is 200
// once the update is handled (one database transaction, committed), and
// 503 when it could not be, such as with the database down: Telegram never
// sends an update again after a 200, but retries one that got an error, and
// the core's dedup on update_id makes the retry safe. Bad input the core
// refuses counts as handled.
func (a *Adapter) webhook(w http.ResponseWriter, r *http.Request) {
	if !a.secretOK(r.Header.Get(secretHeader)) {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var u tgbotapi.Update
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxUpdate)).Decode(&u); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "update too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "malformed update", http.StatusBadRequest)
		return
	}
	if err := a.handleUpdate(r.Context(), u); err != nil {
		a.log.Error("telegram: update not handled, Telegram will send it again", "update", u.UpdateID, "err", err)
		http.Error(w, "update not handled, try again", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// secretOK compares in constant time; hashing first makes the time not
// depend on the length either.
func (a *Adapter) secretOK(got string) bool {
	want := sha256.Sum256([]byte(a.cfg.WebhookSecret))
	have := sha256.Sum256([]byte(got))
	return got != "" && subtle.ConstantTimeCompare(want[:], have[:]) == 1
}

// setWebhook registers the webhook with its secret_token, which the
// library's WebhookConfig predates, retrying while Telegram cannot be
// reached. A refusal (wrong token, URL Telegram will not call) is a
// configuration error and ends Run.
func (a *Adapter) setWebhook(ctx context.Context) error {
	allowed, err := json.Marshal(a.allowedUpdates())
	if err != nil {
		return fmt.Errorf("telegram: allowed updates: %w", err)
	}
	params := tgbotapi.Params{
		"url":             strings.TrimSuffix(a.cfg.PublicURL, "/") + webhookPath,
		"secret_token":    a.cfg.WebhookSecret,
		"allowed_updates": string(allowed),
	}
	wait := a.cfg.RetryWait
	for {
		rctx, cancel := context.WithTimeout(ctx, a.cfg.RequestTimeout)
		_, err := a.client(rctx).MakeRequest("setWebhook", params)
		cancel()
		if err == nil {
			a.log.Info("telegram: webhook registered", "url", params["url"])
			return nil
		}
		err = apiError("setWebhook", err)
		if ctx.Err() != nil {
			return nil
		}
		var te *tgbotapi.Error
		if errors.As(err, &te) && te.Code >= 400 && te.Code < 500 && te.Code != http.StatusTooManyRequests {
			return fmt.Errorf("telegram: webhook refused: %w", err)
		}
		a.log.Warn("telegram: setWebhook failed, will retry", "in", wait, "err", err)
		if !sleep(ctx, wait) {
			return nil
		}
		wait = min(2*wait, time.Minute)
	}
}

// sleep waits d or until ctx ends; it reports whether d passed.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
		return true
	}
}

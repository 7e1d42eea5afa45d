package telegram

import (
	"context"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// maxTries is how often an update that failed is tried before it is
// dropped, so that one poisoned update cannot stop the bot.
const maxTries = 3

// poll receives updates by long polling until ctx ends. The offset lives in
// memory only: after a restart Telegram hands out the updates that were not
// confirmed again, and the core's dedup on update_id drops the ones that
// were handled.
func (a *Adapter) poll(ctx context.Context) error {
	a.dropWebhook(ctx)
	p := poller{a: a, wait: a.cfg.RetryWait}
	for ctx.Err() == nil {
		updates, err := a.getUpdates(ctx, p.offset)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			a.log.Warn("telegram: getUpdates failed, will retry", "in", p.wait, "err", err)
			if !p.backOff(ctx) {
				break
			}
			continue
		}
		p.wait = a.cfg.RetryWait
		p.handle(ctx, updates)
	}
	return nil
}

// poller is the state of one polling loop.
type poller struct {
	a      *Adapter
	offset int           // the first update not yet handled
	tries  int           // failed attempts at the update at offset
	wait   time.Duration // the next pause after a failure
}

// handle handles a batch in order. An update that fails is fetched again
// after a pause, up to maxTries, and then skipped.
func (p *poller) handle(ctx context.Context, updates []tgbotapi.Update) {
	for _, u := range updates {
		if u.UpdateID < p.offset {
			continue
		}
		err := p.a.handleUpdate(ctx, u)
		if ctx.Err() != nil {
			return // interrupted: it comes again after a restart
		}
		if err != nil {
			p.tries++
			if p.tries < maxTries {
				p.a.log.Warn("telegram: update failed, will retry", "update", u.UpdateID, "err", err)
				p.offset = u.UpdateID
				p.backOff(ctx)
				return
			}
			p.a.log.Error("telegram: update dropped", "update", u.UpdateID, "tries", p.tries, "err", err)
		}
		p.tries = 0
		p.offset = u.UpdateID + 1
		p.wait = p.a.cfg.RetryWait
	}
}

func (p *poller) backOff(ctx context.Context) bool {
	ok := sleep(ctx, p.wait)
	p.wait = min(2*p.wait, time.Minute)
	return ok
}

func (a *Adapter) getUpdates(ctx context.Context, offset int) ([]tgbotapi.Update, error) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.PollTimeout+a.cfg.RequestTimeout)
	defer cancel()
	updates, err := a.client(ctx).GetUpdates(tgbotapi.UpdateConfig{
		Offset:         offset,
		Timeout:        max(1, int(a.cfg.PollTimeout/time.Second)),
		AllowedUpdates: allowedUpdates(),
	})
	if err != nil {
		return nil, apiError("getUpdates", err)
	}
	return updates, nil
}

// dropWebhook removes a webhook left from webhook mode: while one is set,
// Telegram refuses getUpdates.
func (a *Adapter) dropWebhook(ctx context.Context) {
	if _, err := a.request(ctx, "deleteWebhook", tgbotapi.DeleteWebhookConfig{}); err != nil && ctx.Err() == nil {
		a.log.Warn("telegram: deleteWebhook failed", "err", err)
	}
}

package telegram

import (
	"context"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"
)

// poll receives updates by long polling until ctx ends. The offset lives in
// memory only: after a restart Telegram hands out the updates that were not
// confirmed again, and the core's dedup on update_id drops the ones that
// were handled.
func (a *Adapter) poll(ctx context.Context) error {
	a.dropWebhook(ctx)
	p := &poller{a: a, wait: a.cfg.RetryWait, done: map[int]bool{}}
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
		if p.handle(ctx, updates) {
			p.wait = a.cfg.RetryWait
		} else if !p.backOff(ctx) {
			break
		}
	}
	return nil
}

// poller is the state of one polling loop.
type poller struct {
	a      *Adapter
	offset int           // the first update not yet handled
	wait   time.Duration // the next pause after a failure

	mu sync.Mutex
	// done holds the updates at or after offset that were handled, while
	// an earlier one waits to be tried again.
	done map[int]bool
	// failed is the first update of the batch under way that failed (-1: none).
	failed int
}

// handle handles a batch: each chat's updates in order, different chats at
// once, so that one customer's slow step does not hold up another's. The
// offset, which confirms updates to Telegram, never passes one that was
// not handled: it comes again in the next batch, after a pause, and the
// updates behind it in its chat wait for it. It reports whether all were
// handled.
func (p *poller) handle(ctx context.Context, updates []tgbotapi.Update) bool {
	p.failed = -1
	var wg sync.WaitGroup
	for _, queue := range byChat(updates) {
		wg.Go(func() { p.handleChat(ctx, queue) })
	}
	wg.Wait()
	if ctx.Err() != nil {
		return true // interrupted: what was not handled comes again after a restart
	}
	p.advance(updates)
	return p.failed < 0
}

// handleChat handles one chat's updates in order, up to one that fails.
func (p *poller) handleChat(ctx context.Context, queue []tgbotapi.Update) {
	for _, u := range queue {
		if u.UpdateID < p.offset || p.isDone(u.UpdateID) {
			continue
		}
		err := p.a.handleUpdate(ctx, u)
		p.mu.Lock()
		if err == nil {
			p.done[u.UpdateID] = true
		} else if p.failed < 0 || u.UpdateID < p.failed {
			p.failed = u.UpdateID
		}
		p.mu.Unlock()
		if err != nil {
			if ctx.Err() == nil {
				p.a.log.Warn("telegram: update failed, will retry", "update", u.UpdateID, "err", err)
			}
			return
		}
	}
}

func (p *poller) isDone(id int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.done[id]
}

// advance moves the offset past the batch, or to the first update that
// failed, and forgets what the offset now confirms.
func (p *poller) advance(updates []tgbotapi.Update) {
	for _, u := range updates {
		p.offset = max(p.offset, u.UpdateID+1)
	}
	if p.failed >= 0 {
		p.offset = p.failed
	}
	for id := range p.done {
		if id < p.offset {
			delete(p.done, id)
		}
	}
}

// byChat splits a batch into one queue per chat, each in update order.
// Updates without a chat go in a queue of their own.
func byChat(updates []tgbotapi.Update) [][]tgbotapi.Update {
	index := map[int64]int{}
	var queues [][]tgbotapi.Update
	for _, u := range updates {
		chat, ok := updateChat(u)
		i, seen := index[chat]
		if !ok || !seen {
			i = len(queues)
			queues = append(queues, nil)
			if ok {
				index[chat] = i
			}
		}
		queues[i] = append(queues[i], u)
	}
	return queues
}

// updateChat is the chat an update belongs to.
func updateChat(u tgbotapi.Update) (int64, bool) {
	switch {
	case u.Message != nil && u.Message.Chat != nil:
		return u.Message.Chat.ID, true
	case u.CallbackQuery != nil && u.CallbackQuery.Message != nil && u.CallbackQuery.Message.Chat != nil:
		return u.CallbackQuery.Message.Chat.ID, true
	}
	return 0, false
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
		AllowedUpdates: a.allowedUpdates(),
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

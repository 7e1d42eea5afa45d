package telegram

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/orderbot/orderbot/bot"
)

// limiter keeps what the bot sends inside Telegram's limits: about 30
// messages a second in all, one a second per chat (after a short burst)
// and 20 a minute per group, and no message at all to a chat that Telegram
// asked to wait (a 429's retry_after applies to the whole chat). It is per
// process: replicas each keep their own, and the 429s that several of them
// may still cause pause the chat in each of them that gets one.
type limiter struct {
	global *rate.Limiter
	chat   rate.Limit
	group  rate.Limit
	burst  int

	mu        sync.Mutex
	chats     map[int64]*chatLimit
	lastSweep time.Time
}

type chatLimit struct {
	lim         *rate.Limiter
	used        time.Time
	pausedUntil time.Time
}

// idleChat is how long a chat's limiter is kept after its last message;
// by then it has refilled, so a new one behaves the same.
const idleChat = time.Minute

func newLimiter(cfg Config) *limiter {
	return &limiter{
		global: rate.NewLimiter(rate.Limit(cfg.MessagesPerSecond), max(1, int(cfg.MessagesPerSecond))),
		chat:   rate.Every(cfg.ChatInterval),
		group:  rate.Every(cfg.GroupInterval),
		burst:  cfg.ChatBurst,
		chats:  map[int64]*chatLimit{},
	}
}

// wait blocks until a message to chat may go at the chat's pace, or ctx
// ends. When the chat's turn is more than upTo away (upTo < 0: no bound)
// it does not wait but returns *bot.RateLimitError with the time to it.
func (l *limiter) wait(ctx context.Context, chat int64, upTo time.Duration) error {
	r := l.forChat(chat).lim.Reserve()
	d := r.Delay()
	if upTo >= 0 && d > upTo {
		r.Cancel()
		return &bot.RateLimitError{RetryAfter: d}
	}
	if !sleep(ctx, d) {
		r.Cancel()
		return fmt.Errorf("telegram: waiting for chat %d's rate limit: %w", chat, ctx.Err())
	}
	if err := l.global.Wait(ctx); err != nil {
		return fmt.Errorf("telegram: waiting for the rate limit: %w", err)
	}
	return nil
}

// take lets a reply to the customer's own message go at once: Telegram's
// overall limit of about 30 a second is for a bot's notifications, and a
// customer tapping through the menu must not wait a turn behind other
// customers (at 64 customers stepping every 2 s the replies alone ask for
// 32 a second). The reply still takes its tokens, from its chat's burst
// and from the overall limit, so notifications and promotions wait behind
// it; a 429 Telegram sends anyway pauses the chat like any other.
func (l *limiter) take(chat int64) {
	l.forChat(chat).lim.Allow()
	l.global.Reserve()
}

// pause stops every message to chat for d, as a 429 asks.
func (l *limiter) pause(chat int64, d time.Duration) {
	c := l.forChat(chat)
	l.mu.Lock()
	defer l.mu.Unlock()
	c.pausedUntil = latest(c.pausedUntil, time.Now().Add(d))
}

// paused is how long chat is still paused; zero when it is not.
func (l *limiter) paused(chat int64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	c, ok := l.chats[chat]
	if !ok {
		return 0
	}
	return max(0, time.Until(c.pausedUntil))
}

func latest(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func (l *limiter) forChat(chat int64) *chatLimit {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > idleChat {
		for id, c := range l.chats {
			if now.Sub(c.used) > idleChat && now.After(c.pausedUntil) {
				delete(l.chats, id)
			}
		}
		l.lastSweep = now
	}
	c, ok := l.chats[chat]
	if !ok {
		every := l.chat
		if chat < 0 { // groups and channels have negative ids
			every = l.group
		}
		c = &chatLimit{lim: rate.NewLimiter(every, l.burst)}
		l.chats[chat] = c
	}
	c.used = now
	return c
}

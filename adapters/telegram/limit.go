package telegram

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// limiter paces what the bot sends to stay inside Telegram's limits: about
// 30 messages a second in all, one a second per chat and 20 a minute per
// group. It is per process: replicas each keep their own, and the 429s that
// several of them may still cause are honoured through their retry_after.
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
	lim  *rate.Limiter
	used time.Time
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

// wait blocks until a message to chat may go, or ctx ends.
func (l *limiter) wait(ctx context.Context, chat int64) error {
	if err := l.forChat(chat).Wait(ctx); err != nil {
		return fmt.Errorf("telegram: waiting for chat %d's rate limit: %w", chat, err)
	}
	if err := l.global.Wait(ctx); err != nil {
		return fmt.Errorf("telegram: waiting for the rate limit: %w", err)
	}
	return nil
}

func (l *limiter) forChat(chat int64) *rate.Limiter {
	now := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) > idleChat {
		for id, c := range l.chats {
			if now.Sub(c.used) > idleChat {
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
	return c.lim
}

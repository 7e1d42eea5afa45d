package slack

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/orderbot/orderbot/bot"
)

// limiter paces messages per Slack channel, and remembers a 429 so that
// the other messages for that channel wait too instead of each earning
// its own. It is per process: replicas each keep their own, and the 429s
// they may still cause are honoured through Retry-After.
type limiter struct {
	every rate.Limit
	burst int

	mu        sync.Mutex
	channels  map[string]*channelLimit
	lastSweep time.Time
}

type channelLimit struct {
	lim     *rate.Limiter
	used    time.Time
	blocked time.Time // Slack asked us to wait until then
}

// idleChannel is how long a channel's state is kept after its last use; by
// then its limiter has refilled, so a new one behaves the same.
const idleChannel = 5 * time.Minute

func newLimiter(interval time.Duration, burst int) *limiter {
	return &limiter{every: rate.Every(interval), burst: burst, channels: map[string]*channelLimit{}}
}

// wait blocks until a message to channel may go. While Slack's Retry-After
// for the channel runs it returns a *bot.RateLimitError at once, so the
// dispatcher reschedules instead of blocking.
func (l *limiter) wait(ctx context.Context, channel string) error {
	c, blocked := l.get(channel)
	if left := time.Until(blocked); left > 0 {
		return &bot.RateLimitError{RetryAfter: left}
	}
	if err := c.Wait(ctx); err != nil {
		return fmt.Errorf("slack: waiting for channel %s's rate limit: %w", channel, err)
	}
	return nil
}

// block records Slack's Retry-After for a channel.
func (l *limiter) block(channel string, d time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.entry(channel, time.Now())
	c.blocked = time.Now().Add(d)
}

func (l *limiter) get(channel string) (*rate.Limiter, time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	c := l.entry(channel, time.Now())
	return c.lim, c.blocked
}

// entry returns the channel's state, dropping idle ones now and then so
// the map stays as small as the set of busy channels. l.mu must be held.
func (l *limiter) entry(channel string, now time.Time) *channelLimit {
	if now.Sub(l.lastSweep) > idleChannel {
		for id, c := range l.channels {
			if now.Sub(c.used) > idleChannel && now.After(c.blocked) {
				delete(l.channels, id)
			}
		}
		l.lastSweep = now
	}
	c, ok := l.channels[channel]
	if !ok {
		c = &channelLimit{lim: rate.NewLimiter(l.every, l.burst)}
		l.channels[channel] = c
	}
	c.used = now
	return c
}

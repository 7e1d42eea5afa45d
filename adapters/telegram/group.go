package telegram

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/orderbot/orderbot/bot"
)

// groupQueue holds what the bot says in the staff group on its own rather
// than through the outbox: prompts for an action's input, notes answering
// a staff member, refreshed cards. They go out one by one, in order, at the
// group's pace (20 a minute) however long that takes, and a failure is
// retried, so a burst of decisions delays these messages but loses none.
// The queue lives in the process: what is still in it when the process
// stops is lost, and the staff member presses the button again.
type groupQueue struct {
	mu   sync.Mutex
	jobs []*groupJob
	wake chan struct{}
}

// groupJob is one message for the group; run makes one attempt at it and
// may keep state between attempts (what was already posted).
type groupJob struct {
	what string // for the log
	run  func(ctx context.Context) error
}

func newGroupQueue() *groupQueue {
	return &groupQueue{wake: make(chan struct{}, 1)}
}

// toGroup queues a message for the staff group; it never blocks.
func (a *Adapter) toGroup(what string, run func(ctx context.Context) error) {
	q := a.group
	q.mu.Lock()
	q.jobs = append(q.jobs, &groupJob{what: what, run: run})
	q.mu.Unlock()
	select {
	case q.wake <- struct{}{}:
	default:
	}
}

// sayInGroup queues a message for the staff group.
func (a *Adapter) sayInGroup(what string, msg tgbotapi.MessageConfig) {
	a.toGroup(what, func(ctx context.Context) error {
		_, err := a.deliver(ctx, msg.ChatID, "sendMessage", msg, queued)
		return err
	})
}

// next takes the first job, or reports there is none.
func (q *groupQueue) next() (*groupJob, bool) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if len(q.jobs) == 0 {
		return nil, false
	}
	j := q.jobs[0]
	q.jobs = q.jobs[1:]
	return j, true
}

// putBack returns an interrupted job to the front of the queue.
func (q *groupQueue) putBack(j *groupJob) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.jobs = append([]*groupJob{j}, q.jobs...)
}

func (q *groupQueue) len() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.jobs)
}

// runGroup sends the queued messages until ctx ends; then it gives what is
// left one more try within the request timeout, so the answers to the
// last actions before a shutdown still go out.
func (a *Adapter) runGroup(ctx context.Context) {
	for ctx.Err() == nil {
		j, ok := a.group.next()
		if !ok {
			select {
			case <-ctx.Done():
			case <-a.group.wake:
			}
			continue
		}
		a.runJob(ctx, j)
	}
	dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), a.cfg.RequestTimeout)
	defer cancel()
	for dctx.Err() == nil {
		j, ok := a.group.next()
		if !ok {
			return
		}
		if err := j.run(dctx); err != nil {
			a.log.Warn("telegram: message to the staff group not sent at shutdown", "what", j.what, "err", err)
		}
	}
	if n := a.group.len(); n > 0 {
		a.log.Warn("telegram: messages to the staff group left unsent at shutdown", "count", n)
	}
}

// runJob tries a job until it succeeds, waiting as long as Telegram asks
// after a 429 and backing off after other failures. Only a refusal that
// no retry can change (a 4xx, the bot removed from the group) drops it.
func (a *Adapter) runJob(ctx context.Context, j *groupJob) {
	backoff := a.cfg.RetryWait
	for {
		err := j.run(ctx)
		if err == nil {
			return
		}
		var rl *bot.RateLimitError
		wait := backoff
		switch {
		case ctx.Err() != nil:
			a.group.putBack(j)
			return
		case errors.As(err, &rl):
			wait = rl.RetryAfter
		case refused(err):
			a.log.Error("telegram: message to the staff group refused", "what", j.what, "err", err)
			return
		default:
			a.log.Warn("telegram: message to the staff group failed, will retry", "what", j.what, "in", wait, "err", err)
			backoff = min(2*backoff, time.Minute)
		}
		if !sleep(ctx, wait) {
			a.group.putBack(j)
			return
		}
	}
}

// refused reports whether Telegram refused a call for good: a 4xx other
// than 429, which a retry would only repeat.
func refused(err error) bool {
	var te *tgbotapi.Error
	if errors.As(err, &te) {
		return te.Code >= 400 && te.Code < 500 && te.Code != http.StatusTooManyRequests
	}
	return errors.Is(err, bot.ErrUnreachable)
}

package bot

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// How one recipient's messages are sent: by one worker, in order, each
// under its lease; whatever must wait makes the ones after it wait too.

const (
	// markTimeout bounds recording a result. Results are recorded even
	// when the send's context has ended: a message that went out must not
	// be sent again.
	markTimeout = 10 * time.Second
	// abortWait is how long Shutdown waits for cancelled sends to return.
	abortWait = 2 * time.Second
)

// recipient is one queue: a user (or the staff destination) of a channel.
type recipient struct{ channel, id string }

// outcome is what became of a message whose result was recorded.
type outcome int

const (
	sent      outcome = iota + 1
	settled           // held, or given up: the next one may go
	postponed         // to be tried again later; the recipient's others wait too
)

// errAborted means the send was cancelled by shutdown: no attempt counted,
// the lease is given back.
var errAborted = errors.New("send aborted")

// round counts what one Run or DeliverDue delivered and the first error.
type round struct {
	delivered atomic.Int64
	mu        sync.Mutex
	err       error
}

func (r *round) fail(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.err == nil {
		r.err = err
	}
}

func (r *round) firstErr() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// assign queues claimed messages to their recipients' workers, starting a
// worker for a recipient not served here yet, or, when Workers are busy,
// leaving the recipient to the first that is free. A recipient's queue stays in
// id order even when two claims for it (the loop's and its worker's) race.
// carried says the messages came by Carry.
func (d *Dispatcher) assign(ctx context.Context, r *round, ms []*Message, leaseUntil time.Time, carried bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopping {
		return // Shutdown gives their leases back
	}
	for _, m := range ms {
		if _, queued := d.leases[m.ID]; queued {
			continue // never twice in a queue, whatever a claim returned
		}
		d.leases[m.ID] = leaseUntil
		if m.Bulk {
			d.bulk[m.ID] = true
		}
		if carried {
			d.carried[m.ID] = true
		}
		k := recipient{m.Channel, m.Recipient}
		q, busy := d.queues[k]
		q = append(q, m)
		if len(q) > 1 && inLine(m, q[len(q)-2]) {
			slices.SortFunc(q, func(a, b *Message) int {
				switch {
				case inLine(a, b):
					return -1
				case inLine(b, a):
					return 1
				}
				return 0
			})
		}
		d.queues[k] = q
		switch {
		case busy:
		case d.running < d.cfg.Workers:
			d.running++
			d.workers.Add(1)
			go d.work(ctx, r, k)
		default:
			d.waiting = append(d.waiting, k)
		}
	}
}

// inLine reports whether a goes before b in their recipient's line: the
// non-bulk messages by id, then the bulk ones by id. A reply claimed while
// a recipient's promotions are queued here goes out before them.
func inLine(a, b *Message) bool {
	if a.Bulk != b.Bulk {
		return !a.Bulk
	}
	return a.ID < b.ID
}

// release forgets a message claimed here; d.mu is held.
func (d *Dispatcher) release(id int64) {
	delete(d.leases, id)
	delete(d.bulk, id)
	delete(d.carried, id)
}

// work serves recipients one after another, starting with k, while some
// wait for a worker.
func (d *Dispatcher) work(ctx context.Context, r *round, k recipient) {
	defer d.workers.Done()
	for ok := true; ok; k, ok = d.nextRecipient() {
		d.serve(ctx, r, k)
		select {
		case d.settled <- struct{}{}:
		default:
		}
	}
}

// nextRecipient hands a worker the recipient that has waited longest,
// one with a non-bulk message first, or retires the worker.
func (d *Dispatcher) nextRecipient() (recipient, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.waiting) == 0 || d.stopping {
		d.running--
		return recipient{}, false
	}
	// A recipient with a reply goes before those with only promotions.
	i := slices.IndexFunc(d.waiting, func(k recipient) bool {
		q := d.queues[k]
		return len(q) > 0 && !q[0].Bulk
	})
	i = max(i, 0)
	k := d.waiting[i]
	d.waiting = slices.Delete(d.waiting, i, i+1)
	return k, true
}

// serve sends one recipient's messages in order. When it has sent what it
// held, it claims the recipient's next ones itself, up to a batch in all,
// then leaves the recipient to the loop, which serves the oldest first.
func (d *Dispatcher) serve(ctx context.Context, r *round, k recipient) {
	// What was sent last: a broadcast's, or a reply that came by Carry.
	bulk, carried := false, false
	for turn := 0; ; {
		if m, c := d.next(k); m != nil {
			d.process(ctx, r, m)
			bulk, carried = m.Bulk, c
			turn++
			continue
		}
		// After a promotion the loop finds the recipient's next ones: a
		// broadcast sends one to each, and looking for a second would
		// cost two queries a message while replies wait for the database.
		// After a carried reply too: it was written when nothing else
		// waited for the customer, and what was queued for them since is
		// found by the loop's claim that the end of this work sets off.
		if !bulk && !carried && turn < d.cfg.Batch && ctx.Err() == nil && !d.isStopping() && d.claimNext(ctx, r, k) > 0 {
			continue
		}
		if d.end(k) {
			return
		}
	}
}

// next takes the recipient's next message, nil when none is left or the
// dispatcher stops, and says whether it came by Carry.
func (d *Dispatcher) next(k recipient) (*Message, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	q := d.queues[k]
	if len(q) == 0 || d.stopping {
		return nil, false
	}
	d.queues[k] = q[1:]
	return q[0], d.carried[q[0].ID]
}

// end ends the recipient's work here, unless a claim queued more for it
// meanwhile.
func (d *Dispatcher) end(k recipient) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	q := d.queues[k]
	if len(q) > 0 && !d.stopping {
		return false
	}
	for _, m := range q {
		d.release(m.ID)
	}
	delete(d.queues, k)
	return true
}

// claimNext claims the recipient's next messages into its queue.
func (d *Dispatcher) claimNext(ctx context.Context, r *round, k recipient) int {
	now := d.cfg.Clock().UTC()
	until := d.leaseEnd(now)
	bulk := d.askBulk()
	defer d.doneAsking(bulk)
	ms, err := d.store.ClaimNextUpTo(ctx, d.cfg.Owner, k.channel, k.id, now, until, d.cfg.Batch, bulk)
	if err != nil {
		d.log.Warn("outbox: claiming a recipient's next messages", "channel", k.channel, "err", err)
		return 0
	}
	d.assign(ctx, r, ms, until, false)
	return len(ms)
}

// drop leaves the recipient's remaining messages unsent, so that none
// overtakes the one that could not go. Their leases are not renewed.
func (d *Dispatcher) drop(k recipient) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, m := range d.queues[k] {
		d.release(m.ID)
	}
	d.queues[k] = nil
}

// holds reports whether m's lease is safely ours: not run out, and with
// more left than the renewals need to keep it. A replica that could not
// renew stops sending before another one may take the message over.
func (d *Dispatcher) holds(id int64) bool {
	d.mu.Lock()
	until, ok := d.leases[id]
	d.mu.Unlock()
	return ok && until.Sub(d.cfg.Clock()) > d.cfg.Lease/3
}

func (d *Dispatcher) forget(id int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.release(id)
}

// process sends one message and records what became of it.
func (d *Dispatcher) process(ctx context.Context, r *round, m *Message) {
	k := recipient{m.Channel, m.Recipient}
	if !d.holds(m.ID) {
		d.log.Warn("outbox lease ran out before sending; the message is left to be claimed again",
			"channel", m.Channel, "message", m.ID)
		d.drop(k)
		return
	}
	res, err := d.deliver(ctx, m)
	d.forget(m.ID)
	switch {
	case errors.Is(err, ErrLeaseLost):
		d.log.Warn("outbox lease lost: another dispatcher took the message over, this result is not recorded",
			"channel", m.Channel, "message", m.ID)
		d.drop(k)
	case errors.Is(err, errAborted):
		d.drop(k)
	case err != nil:
		d.log.Error("outbox delivery", "channel", m.Channel, "message", m.ID, "err", err)
		r.fail(err)
		d.drop(k)
	case res == sent:
		r.delivered.Add(1)
	case res == postponed:
		d.drop(k) // Postpone gave their leases back
	}
}

// deliver sends one claimed message and records the result.
func (d *Dispatcher) deliver(ctx context.Context, m *Message) (outcome, error) {
	if ctx.Err() != nil {
		return 0, errAborted
	}
	mctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	sender, ok := d.senders[m.Channel]
	if !ok {
		return settled, d.store.MarkFailed(mctx, d.cfg.Owner, m.ID, d.cfg.Clock().UTC(), "no sender for channel "+m.Channel)
	}
	if (m.Kind == KindCard || m.Kind == KindThread) && m.Card != nil {
		ext, err := d.store.CardRef(mctx, m.Channel, m.Card.Ref)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return 0, fmt.Errorf("card ref %s: %w", m.Card.Ref, err)
		}
		m.ExternalID = ext
	}
	ext, err := sender.Send(ctx, m)
	now := d.cfg.Clock().UTC()
	if err != nil {
		if ctx.Err() != nil {
			return 0, errAborted
		}
		return d.failed(mctx, m, err, now)
	}
	if m.Kind == KindCard && m.Card != nil && ext != "" {
		if err := d.store.SaveCardRef(mctx, m.Channel, m.Card.Ref, ext); err != nil {
			return 0, fmt.Errorf("save card ref %s: %w", m.Card.Ref, err)
		}
	}
	if err := d.store.MarkDelivered(mctx, d.cfg.Owner, m.ID, now, ext, m.Path); err != nil {
		return 0, err
	}
	return sent, nil
}

// failed decides what a failed send means: wait as long as the platform
// asked, give up on an unreachable recipient, or back off and retry.
func (d *Dispatcher) failed(ctx context.Context, m *Message, sendErr error, now time.Time) (outcome, error) {
	var rl *RateLimitError
	switch {
	case errors.As(sendErr, &rl):
		return d.retry(ctx, m, m.Attempts, now.Add(rl.RetryAfter), sendErr, true)
	case errors.Is(sendErr, ErrHold) && m.Bulk:
		// A promotion is not kept until the customer writes again (WeChat's
		// window): it would reach them days late, in front of the answer
		// to their own message. It counts as failed in its broadcast.
		return settled, d.store.MarkFailed(ctx, d.cfg.Owner, m.ID, now, sendErr.Error())
	case errors.Is(sendErr, ErrHold):
		return settled, d.store.MarkHeld(ctx, d.cfg.Owner, m.ID, now, sendErr.Error())
	case errors.Is(sendErr, ErrUnreachable):
		d.log.Info("recipient unreachable", "channel", m.Channel, "message", m.ID)
		if err := d.markUnreachable(ctx, m); err != nil {
			return 0, err
		}
		return settled, d.store.MarkFailed(ctx, d.cfg.Owner, m.ID, now, sendErr.Error())
	case m.Attempts+1 >= d.cfg.MaxAttempts:
		d.log.Error("outbox message given up", "channel", m.Channel, "message", m.ID, "err", sendErr)
		return settled, d.store.MarkFailed(ctx, d.cfg.Owner, m.ID, now, sendErr.Error())
	}
	d.log.Warn("outbox send failed, will retry", "channel", m.Channel, "message", m.ID, "attempt", m.Attempts+1, "err", sendErr)
	return d.retry(ctx, m, m.Attempts+1, now.Add(Backoff(m.Attempts+1)), sendErr, !m.Bulk)
}

// retry records when m is to be tried again and makes every other waiting
// message to its recipient wait until then too, in the database, so that
// none overtakes it and, after a platform's "slow down" for the chat, none
// earns a 429 of its own, here or on another replica. A bulk message that
// failed for another reason (holdAll false) holds back only the bulk ones
// after it, which the claim sees by itself: a reply may still go first.
// Either way the leases of the recipient's others queued here are freed.
func (d *Dispatcher) retry(ctx context.Context, m *Message, attempts int, at time.Time, sendErr error, holdAll bool) (outcome, error) {
	if err := d.store.MarkRetry(ctx, d.cfg.Owner, m.ID, attempts, at, sendErr.Error()); err != nil {
		return 0, err
	}
	now := d.cfg.Clock().UTC()
	until := at
	if !holdAll {
		until = now // postpones nothing: frees the leases
	}
	if err := d.store.Postpone(ctx, d.cfg.Owner, m.Channel, m.Recipient, now, until); err != nil {
		return 0, fmt.Errorf("postpone recipient of %d: %w", m.ID, err)
	}
	return postponed, nil
}

// markUnreachable flags the customer under their row lock, so that it
// cannot overwrite a conversation saved at the same moment.
func (d *Dispatcher) markUnreachable(ctx context.Context, m *Message) error {
	if m.Recipient == StaffRecipient {
		return nil
	}
	err := d.store.InTx(ctx, func(tx Repo) error {
		c, err := tx.LockCustomer(ctx, m.Channel, m.Recipient)
		if err != nil {
			return err
		}
		c.Unreachable = true
		return tx.UpdateCustomer(ctx, c)
	})
	if err != nil {
		return fmt.Errorf("mark customer unreachable: %w", err)
	}
	return nil
}

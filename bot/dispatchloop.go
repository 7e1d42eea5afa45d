package bot

import (
	"context"
	"fmt"
	"time"
)

// loop claims due messages and hands them to their recipients' workers. It
// claims again whenever a recipient's work ends (its next messages may now
// be due), on Kick, when the next retry is due and every Poll, and renews
// the leases of the messages being worked on. With untilIdle it returns
// once nothing is due and no worker is left; otherwise when ctx ends or
// Shutdown is called.
func (d *Dispatcher) loop(ctx, sendCtx context.Context, r *round, untilIdle bool) {
	renew := time.NewTicker(d.cfg.Lease / 3)
	defer renew.Stop()
	prune := time.NewTicker(time.Hour)
	defer prune.Stop()
	for ctx.Err() == nil && !d.isStopping() {
		// Idle before the claim, not after it: a recipient's work that
		// ends during the claim may have made its next messages due.
		idle := d.idle()
		n, err := d.claim(ctx, sendCtx, r)
		if err != nil {
			r.fail(err)
			if !untilIdle {
				d.log.Error("outbox delivery", "err", err)
			}
		}
		if err == nil && n == d.cfg.Batch && d.hasRoom() {
			continue // more may be due at once
		}
		if untilIdle && (n == 0 || err != nil) && idle {
			return
		}
		wait := d.cfg.Poll
		if !untilIdle {
			wait = d.untilNextDue(ctx)
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
		case <-d.stop:
		case <-d.settled:
		case <-d.wake:
		case <-timer.C:
		case <-renew.C:
			d.renew(ctx)
		case <-prune.C:
			if !untilIdle {
				d.Prune(ctx)
			}
		}
		timer.Stop()
	}
}

// claim leases what is due, as long as fewer recipients than Workers are
// being served here.
func (d *Dispatcher) claim(ctx, sendCtx context.Context, r *round) (int, error) {
	if !d.hasRoom() {
		return 0, nil
	}
	now := d.cfg.Clock().UTC()
	until := d.leaseEnd(now)
	bulk := d.askBulk()
	defer d.doneAsking(bulk)
	ms, err := d.store.ClaimDueUpTo(ctx, d.cfg.Owner, now, until, d.cfg.Batch, bulk)
	if err != nil {
		return 0, fmt.Errorf("claim outbox: %w", err)
	}
	d.assign(sendCtx, r, ms, until, false)
	return len(ms), nil
}

// askBulk is how many bulk messages a claim may take: what BulkInFlight
// leaves beside those held here and those the claims under way may bring,
// once that is at least half of it. Taking them by the half, not one for
// each sent, spares the database a claim per promotion, which replies
// would wait behind. The caller gives the count back with doneAsking once
// the claim's messages are assigned.
func (d *Dispatcher) askBulk() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	n := d.cfg.BulkInFlight - len(d.bulk) - d.bulkAsked
	if n < (d.cfg.BulkInFlight+1)/2 {
		return 0
	}
	d.bulkAsked += n
	return n
}

func (d *Dispatcher) doneAsking(n int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.bulkAsked -= n
}

// untilNextDue is how long to sleep: until the next retry is due, at most
// Poll.
func (d *Dispatcher) untilNextDue(ctx context.Context) time.Duration {
	now := d.cfg.Clock()
	next, err := d.store.NextDue(ctx, now)
	if err != nil {
		d.log.Debug("outbox: finding the next retry", "err", err) // the claim logs the outage
		return d.cfg.Poll
	}
	if next.IsZero() {
		return d.cfg.Poll
	}
	return max(min(next.Sub(now), d.cfg.Poll), time.Millisecond)
}

// renew extends the leases of the messages still being worked on. Only
// leases that have not run out are renewed: another replica may have
// taken a message whose lease ran out.
func (d *Dispatcher) renew(ctx context.Context) {
	now := d.cfg.Clock().UTC()
	until := d.leaseEnd(now)
	var ids []int64
	d.mu.Lock()
	for id, end := range d.leases {
		if end.After(now) {
			ids = append(ids, id)
		}
	}
	d.mu.Unlock()
	if len(ids) == 0 {
		return
	}
	if _, err := d.store.RenewLeases(ctx, d.cfg.Owner, ids, now, until); err != nil {
		d.log.Warn("outbox: renewing leases", "err", err)
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, id := range ids {
		if _, ok := d.leases[id]; ok {
			d.leases[id] = until
		}
	}
}

// leaseEnd is the end of a lease taken or renewed at now. No two are the
// same, to the millisecond databases keep: a claim finds its messages by
// owner and lease end, and two claims of this dispatcher may run at once.
func (d *Dispatcher) leaseEnd(now time.Time) time.Time {
	d.mu.Lock()
	defer d.mu.Unlock()
	end := now.Add(d.cfg.Lease).Truncate(time.Millisecond)
	if !end.After(d.lastLease) {
		end = d.lastLease.Add(time.Millisecond)
	}
	d.lastLease = end
	return end
}

func (d *Dispatcher) hasRoom() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.queues) < d.cfg.Workers
}

func (d *Dispatcher) idle() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.queues) == 0
}

func (d *Dispatcher) isStopping() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.stopping
}

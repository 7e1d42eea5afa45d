// Package refundretry keeps refunds a payment provider refused or could
// not be reached for, and asks again with backoff until it accepts them or
// staff are told to refund by hand. An approved refund must not be lost to
// a network error or a provider's passing refusal (WeChat Pay's
// SYSTEM_ERROR, a merchant balance short for the moment).
package refundretry

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// The states of a pending refund.
const (
	Pending = "pending" // to be asked again at NextAt
	Done    = "done"    // the provider accepted it; its notification records it
	GaveUp  = "gave_up" // staff were told to refund by hand
)

// Refund is a refund the provider has not accepted yet.
type Refund struct {
	ID       int64
	Request  bot.RefundRequest
	Attempts int // asks made so far
	NextAt   time.Time
	// LastError is the provider's last answer, for staff.
	LastError string
	State     string
}

// Repo is the storage of pending refunds. The store's transaction Repo
// implements it beside bot.Repo.
type Repo interface {
	// AddPendingRefund stores r; bot.ErrDuplicate when its request has one.
	AddPendingRefund(ctx context.Context, r *Refund) error
	// DuePendingRefunds lists pending refunds due at now, earliest first.
	DuePendingRefunds(ctx context.Context, now time.Time, limit int) ([]Refund, error)
	// ClaimPendingRefund takes the due refund id for owner until until,
	// unless another owner holds it; false when the claim failed.
	ClaimPendingRefund(ctx context.Context, id int64, owner string, now, until time.Time) (bool, error)
	// SavePendingRefund writes r's attempts, next time, last error and
	// state and drops owner's claim; bot.ErrConflict when owner holds
	// it no longer.
	SavePendingRefund(ctx context.Context, r Refund, owner string) error
}

// Store runs a transaction.
type Store interface {
	InTx(ctx context.Context, fn func(tx bot.Repo) error) error
}

// Provider gives money back (the payment adapter); asking again for the
// same request must be safe.
type Provider interface {
	Refund(ctx context.Context, r bot.RefundRequest) error
}

// Staff tells staff, in tx, that a refund has to be made by hand
// (bot.Service).
type Staff interface {
	RefundFailed(ctx context.Context, tx bot.Repo, r bot.RefundRequest, attempts int, reason string) error
}

// defaultBackoff is the wait before each retry; after the last, staff
// are told: about ten hours in all.
var defaultBackoff = []time.Duration{time.Minute, 5 * time.Minute, 15 * time.Minute, time.Hour, 3 * time.Hour, 6 * time.Hour}

const (
	sweepEvery = time.Minute
	sweepPage  = 20
	// claimFor outlasts one provider call with room to spare; a replica
	// that dies holding a claim gives it up after this.
	claimFor = 5 * time.Minute
)

// Queue asks the provider for refunds and retries those it refused. It
// is a bot.PayRefunder for the refunds of one provider.
type Queue struct {
	store    Store
	provider Provider
	staff    Staff
	log      *slog.Logger
	clock    func() time.Time
	backoff  []time.Duration
	owner    string // this replica, in claims
}

// New returns a queue over store; clock is time.Now when nil.
func New(store Store, provider Provider, staff Staff, log *slog.Logger, clock func() time.Time) (*Queue, error) {
	if clock == nil {
		clock = time.Now
	}
	id := make([]byte, 8)
	if _, err := rand.Read(id); err != nil {
		return nil, fmt.Errorf("refund queue owner id: %w", err)
	}
	return &Queue{store: store, provider: provider, staff: staff, log: log, clock: clock,
		backoff: defaultBackoff, owner: hex.EncodeToString(id)}, nil
}

// WithBackoff sets the waits between retries (tests).
func (q *Queue) WithBackoff(b ...time.Duration) *Queue {
	q.backoff = b
	return q
}

func (q *Queue) now() time.Time { return q.clock().UTC() }

func repoOf(tx bot.Repo) (Repo, error) {
	r, ok := tx.(Repo)
	if !ok {
		return nil, fmt.Errorf("refundretry: storage %T keeps no pending refunds", tx)
	}
	return r, nil
}

// Refund asks the provider at once. When it refuses or cannot be reached
// the refund is kept and retried, and the error wraps bot.ErrRefundRetrying
// so that the staff member who approved it is told so.
func (q *Queue) Refund(ctx context.Context, r bot.RefundRequest) error {
	err := q.provider.Refund(ctx, r)
	if err == nil {
		return nil
	}
	p := Refund{Request: r, Attempts: 1, NextAt: q.now().Add(q.wait(1)), LastError: reason(err), State: Pending}
	serr := q.store.InTx(context.WithoutCancel(ctx), func(tx bot.Repo) error {
		rr, err := repoOf(tx)
		if err != nil {
			return err
		}
		return rr.AddPendingRefund(ctx, &p)
	})
	if serr != nil && !errors.Is(serr, bot.ErrDuplicate) {
		return fmt.Errorf("refund %s of order %s: %w (and it could not be kept for a retry: %v)", r.RequestNumber, r.OrderNumber, err, serr)
	}
	return fmt.Errorf("%w: %w", bot.ErrRefundRetrying, err)
}

// wait is the backoff before the retry after attempt n (1-based).
func (q *Queue) wait(n int) time.Duration {
	if len(q.backoff) == 0 {
		return sweepEvery
	}
	return q.backoff[min(n, len(q.backoff))-1]
}

// reason is a provider's error as kept for staff: one line, bounded.
func reason(err error) string {
	s := err.Error()
	if r := []rune(s); len(r) > 300 {
		s = string(r[:300])
	}
	return s
}

// Sweep retries the refunds that are due. Each is claimed in the database
// first, so that of several replicas sweeping at once only one asks the
// provider. It returns how many it settled (accepted or given up).
func (q *Queue) Sweep(ctx context.Context) (int, error) {
	now := q.now()
	var due []Refund
	err := q.store.InTx(ctx, func(tx bot.Repo) error {
		r, err := repoOf(tx)
		if err != nil {
			return err
		}
		due, err = r.DuePendingRefunds(ctx, now, sweepPage)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("refund retry sweep: %w", err)
	}
	settled := 0
	for _, p := range due {
		ok, err := q.claim(ctx, p.ID, now)
		if err != nil {
			return settled, err
		}
		if !ok {
			continue // another replica has it
		}
		done, err := q.retry(ctx, p, now)
		if err != nil {
			return settled, err
		}
		if done {
			settled++
		}
	}
	return settled, nil
}

func (q *Queue) claim(ctx context.Context, id int64, now time.Time) (bool, error) {
	var ok bool
	err := q.store.InTx(ctx, func(tx bot.Repo) error {
		r, err := repoOf(tx)
		if err != nil {
			return err
		}
		ok, err = r.ClaimPendingRefund(ctx, id, q.owner, now, now.Add(claimFor))
		return err
	})
	if err != nil {
		return false, fmt.Errorf("claim pending refund %d: %w", id, err)
	}
	return ok, nil
}

// retry asks the provider again for a claimed refund and saves the
// outcome: done, due again later, or given up with staff told, in one
// transaction. It reports whether the refund is settled.
func (q *Queue) retry(ctx context.Context, p Refund, now time.Time) (bool, error) {
	rq := p.Request
	left, err := q.leftToRefund(ctx, rq.OrderNumber)
	if err != nil {
		return false, err
	}
	if left <= 0 {
		// Staff gave the money back another way and recorded it: asking
		// the provider again could only be refused.
		err = errSettledElsewhere
	} else {
		err = q.provider.Refund(ctx, rq)
		p.Attempts++
	}
	switch {
	case errors.Is(err, errSettledElsewhere):
		p.State, p.LastError = Done, err.Error()
		err = nil
	case err == nil:
		p.State, p.LastError = Done, ""
	case p.Attempts > len(q.backoff):
		p.State, p.LastError = GaveUp, reason(err)
	default:
		p.NextAt, p.LastError = now.Add(q.wait(p.Attempts)), reason(err)
	}
	serr := q.store.InTx(ctx, func(tx bot.Repo) error {
		r, err := repoOf(tx)
		if err != nil {
			return err
		}
		if err := r.SavePendingRefund(ctx, p, q.owner); err != nil {
			return err
		}
		if p.State != GaveUp {
			return nil
		}
		return q.staff.RefundFailed(ctx, tx, rq, p.Attempts, p.LastError)
	})
	if errors.Is(serr, bot.ErrConflict) {
		return false, nil // our claim ran out and another replica took over
	}
	if serr != nil {
		return false, fmt.Errorf("save pending refund %s: %w", rq.RequestNumber, serr)
	}
	switch p.State {
	case Done:
		q.log.InfoContext(ctx, "refund accepted on retry", "order", rq.OrderNumber, "request", rq.RequestNumber, "attempts", p.Attempts)
	case GaveUp:
		q.log.ErrorContext(ctx, "refund given up: staff told to refund by hand", "order", rq.OrderNumber, "request", rq.RequestNumber, "attempts", p.Attempts, "err", err)
	default:
		q.log.WarnContext(ctx, "refund refused again, retrying later", "order", rq.OrderNumber, "request", rq.RequestNumber, "attempts", p.Attempts, "next", p.NextAt, "err", err)
	}
	return p.State != Pending, nil
}

var errSettledElsewhere = errors.New("nothing left to refund on the order")

// leftToRefund is what the order has left to give back.
func (q *Queue) leftToRefund(ctx context.Context, number string) (int64, error) {
	var left int64
	err := q.store.InTx(ctx, func(tx bot.Repo) error {
		o, err := tx.OrderByNumber(ctx, number)
		if err != nil {
			return err
		}
		left = o.Paid - o.Refunded
		return nil
	})
	if err != nil {
		return 0, fmt.Errorf("order %s of a pending refund: %w", number, err)
	}
	return left, nil
}

// Run sweeps every minute until ctx ends; a failed sweep is logged and
// the next one runs regardless.
func (q *Queue) Run(ctx context.Context) {
	t := time.NewTicker(sweepEvery)
	defer t.Stop()
	for {
		if _, err := q.Sweep(ctx); err != nil && ctx.Err() == nil {
			q.log.ErrorContext(ctx, "refund retry sweep failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

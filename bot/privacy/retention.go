package privacy

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// Retention timing: how many customers one transaction retires, how long a
// run's claim is kept (its hour and more, so that no replica claims it
// again), and how often Run looks.
const (
	retirePage  = 100
	claimTTL    = 2 * time.Hour
	retireCheck = 10 * time.Minute
)

// actionRetire is the audit action of a customer deleted for silence.
const actionRetire = "retention delete"

// retentionActor names the retention job in the audit trail.
const retentionActor = "retention"

// Claims is the shared cache a run is claimed in, so that one replica an
// hour runs it; bot.Service implements it on the database.
type Claims interface {
	CacheAdd(ctx context.Context, name, value string, ttl time.Duration) (string, error)
	CacheDelete(ctx context.Context, name string) error
}

// RetireIfDue runs the hour's retention unless a replica, this one or
// another, has claimed it. It reports whether it ran.
func (s *Service) RetireIfDue(ctx context.Context, claims Claims) (bool, error) {
	hour := s.opts.Clock().UTC().Format("2006-01-02T15")
	me, err := claimant()
	if err != nil {
		return false, err
	}
	claim := "privacy:retention:" + hour
	got, err := claims.CacheAdd(ctx, claim, me, claimTTL)
	if err != nil {
		return false, fmt.Errorf("claim retention of %s: %w", hour, err)
	}
	if got != me {
		return false, nil
	}
	n, err := s.Retire(ctx)
	if err != nil {
		// Give the hour back so that the next look runs again; what was
		// retired stays retired.
		if derr := claims.CacheDelete(context.WithoutCancel(ctx), claim); derr != nil {
			err = errors.Join(err, derr)
		}
		return true, err
	}
	if n > 0 {
		s.log.InfoContext(ctx, "retention: silent customers deleted", "customers", n)
		s.forgetFreed(ctx)
	}
	return true, nil
}

func claimant() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("retention claim: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// Retire deletes, with their data, the customers who never ordered and
// have been silent for the retention period, a page of them per
// transaction so that customers' messages are not held up. It returns how
// many it deleted.
func (s *Service) Retire(ctx context.Context) (int, error) {
	var after int64
	total := 0
	for {
		before := s.opts.Clock().UTC().Add(-s.opts.Retention)
		var ids []int64
		err := s.inTx(ctx, func(_ bot.Repo, r Repo) error {
			var err error
			ids, err = r.SilentCustomers(ctx, before, after, retirePage)
			return err
		})
		if err != nil {
			return total, fmt.Errorf("retention: %w", err)
		}
		if len(ids) == 0 {
			return total, nil
		}
		n := 0
		err = s.inTx(ctx, func(tx bot.Repo, r Repo) error {
			n = 0
			for _, id := range ids {
				done, err := s.retire(ctx, tx, r, id, before)
				if err != nil {
					return err
				}
				if done {
					n++
				}
			}
			return nil
		})
		if err != nil {
			return total, fmt.Errorf("retention: %w", err)
		}
		total += n
		after = ids[len(ids)-1]
	}
}

// retire deletes one customer unless, once locked, they turn out to have
// written or ordered since the page was read.
func (s *Service) retire(ctx context.Context, tx bot.Repo, r Repo, id int64, before time.Time) (bool, error) {
	c, err := r.LockCustomerByID(ctx, id)
	if errors.Is(err, bot.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	last := c.LastInboundAt
	if last.IsZero() {
		last = c.CreatedAt
	}
	if !last.Before(before) {
		return false, nil
	}
	now := s.opts.Clock().UTC()
	if !c.Erased() {
		if _, _, err := s.erase(ctx, tx, r, c, now); err != nil {
			return false, err
		}
	}
	err = r.DeleteCustomer(ctx, id)
	if errors.Is(err, bot.ErrConflict) {
		return false, nil // they ordered meanwhile: kept
	}
	if err != nil {
		return false, err
	}
	return true, tx.AddAudit(ctx, bot.AuditEntry{
		Actor: retentionActor, Entity: "customer", Ref: strconv.FormatInt(id, 10), Action: actionRetire,
		Note: "never ordered, silent for " + s.opts.Retention.String(), At: now,
	})
}

// Run retires silent customers once an hour until ctx ends; a failed run is
// logged and the next hour's runs regardless.
func (s *Service) Run(ctx context.Context, claims Claims) {
	t := time.NewTicker(retireCheck)
	defer t.Stop()
	for {
		if _, err := s.RetireIfDue(ctx, claims); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "retention failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

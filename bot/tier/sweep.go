package tier

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// Sweep timing: how many customers one page reads and one transaction
// recomputes, how long a day's claim is kept (past the day, so that no
// replica claims it again), and how often Run looks whether a new day has
// begun.
const (
	sweepPage  = 200
	sweepTx    = 20
	claimTTL   = 48 * time.Hour
	sweepCheck = 10 * time.Minute
)

// SweepIfDue runs the day's sweep unless a replica, this one or another,
// has claimed it: the claim is a cache entry named after the shop's local
// day, added atomically in the database. It reports whether it ran.
func (s *Service) SweepIfDue(ctx context.Context) (bool, error) {
	now := s.now()
	day := now.In(s.loc).Format(time.DateOnly)
	me, err := claimant()
	if err != nil {
		return false, err
	}
	claim := "tiers:sweep:" + day
	got, err := s.store.CacheAdd(ctx, claim, me, now.Add(claimTTL), now)
	if err != nil {
		return false, fmt.Errorf("claim tier sweep of %s: %w", day, err)
	}
	if got != me {
		return false, nil
	}
	n, err := s.Sweep(ctx)
	if err != nil {
		// Give the day back, so that the next look, here or on another
		// replica, sweeps again; recomputing twice does no harm.
		if derr := s.store.CacheDelete(context.WithoutCancel(ctx), claim); derr != nil {
			err = errors.Join(err, derr)
		}
		return true, fmt.Errorf("tier sweep of %s: %w", day, err)
	}
	s.log.InfoContext(ctx, "tier sweep done", "day", day, "customers", n)
	return true, nil
}

// claimant is a value no other claim of the sweep can have.
func claimant() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("tier sweep claim: %w", err)
	}
	return hex.EncodeToString(b), nil
}

// Sweep recomputes the tier of every customer who has one or has completed
// an order, so that tiers drop as orders leave the window. Each page is one
// transaction, so orders go on being placed meanwhile. It returns how many
// customers it looked at.
func (s *Service) Sweep(ctx context.Context) (int, error) {
	var after int64
	total := 0
	for {
		var ids []int64
		err := s.inTx(ctx, func(_ bot.Repo, r Repo) error {
			var err error
			ids, err = r.TierSweepPage(ctx, after, sweepPage)
			return err
		})
		if err != nil {
			return total, err
		}
		if len(ids) == 0 {
			return total, nil
		}
		now := s.now()
		// Small transactions: on SQLite, whose one connection serializes
		// every transaction, a customer's message waits for the one under
		// way, and 200 recomputes took about a second.
		for part := range slices.Chunk(ids, sweepTx) {
			err = s.inTx(ctx, func(tx bot.Repo, _ Repo) error {
				for _, id := range part {
					if err := s.Recompute(ctx, tx, id, now); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return total, err
			}
		}
		total += len(ids)
		after = ids[len(ids)-1]
	}
}

// Run sweeps once a day until ctx ends: it looks at start and then every
// few minutes whether the shop's day has a sweep yet. A failed sweep is
// logged; the next day's runs regardless.
func (s *Service) Run(ctx context.Context) {
	t := time.NewTicker(sweepCheck)
	defer t.Stop()
	for {
		if _, err := s.SweepIfDue(ctx); err != nil && ctx.Err() == nil {
			s.log.ErrorContext(ctx, "tier sweep failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

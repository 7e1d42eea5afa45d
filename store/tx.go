package store

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/go-sql-driver/mysql"
	"gorm.io/gorm"

	"github.com/orderbot/orderbot/bot"
)

// txRetries is how often InTx runs fn again after MySQL chose its
// transaction as a deadlock victim or gave up waiting for a lock.
const txRetries = 3

// commitTimeout bounds a commit that its caller's context does not.
const commitTimeout = 5 * time.Second

// MySQL error numbers after which the whole transaction may simply run again.
const (
	errLockWaitTimeout = 1205
	errDeadlock        = 1213
)

// InTx runs fn in one transaction with a Repo bound to it: committed when fn
// returns nil, rolled back otherwise. After a deadlock or lock wait timeout
// the transaction is retried up to three times, so fn must have no effect
// outside the transaction. fn must use tx only, never the Store: on SQLite
// the transaction holds the one connection, and a call on the Store would
// wait for it forever.
//
// On SQLite the transaction first writes the delivery records waiting for
// the connection (see deliveryQueue): they commit with it, or go back to
// wait when it does not.
func (s *Store) InTx(ctx context.Context, fn func(tx bot.Repo) error) error {
	return s.retry(ctx, func() error {
		var ds []*delivery
		var outcomes []error
		err := s.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
			r := s.repo.on(tx)
			r.forClaim = new(bool)
			if s.dialect == dialectSQLite {
				ds = s.deliveries.take()
				var err error
				if outcomes, err = r.settleDeliveries(ctx, ds); err != nil {
					return err
				}
			}
			return fn(r)
		})
		if err != nil {
			s.deliveries.putBack(ds)
			return err
		}
		tell(ds, outcomes)
		return nil
	})
}

// MarkReplied is repo.MarkReplied in a transaction of its own, run again
// after a deadlock like InTx: replicas marking and claiming the same
// messages lock them in different orders, and a passive reply lost to a
// deadlock would only go out later through the dispatcher.
func (s *Store) MarkReplied(ctx context.Context, ids []int64, at time.Time, path string) (int, error) {
	if len(ids) == 0 {
		return 0, nil
	}
	marked := 0
	err := s.retry(ctx, func() error {
		// ctx bounds waiting for a connection and the statement, which may
		// wait for another request's row locks, but not the commit: a
		// commit cut off half-way would leave unknown whether the replies
		// were taken, and a caller told "no" whose marking did commit would
		// lose them. A statement cut off is rolled back for sure.
		txCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), commitTimeout)
		defer cancel()
		return s.db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
			return conn.WithContext(txCtx).Transaction(func(tx *gorm.DB) error {
				var err error
				marked, err = markReplied(tx.WithContext(ctx), ids, dbTime(at), path)
				return err
			})
		})
	})
	if err != nil && !errors.Is(err, errPartial) {
		return 0, dbErrf("mark replied", err)
	}
	return marked, nil
}

// retry runs the transaction txn, and again after a deadlock, a lock wait
// timeout or a customer created by another transaction out of its sight,
// up to txRetries times.
func (s *Store) retry(ctx context.Context, txn func() error) error {
	for attempt := 0; ; attempt++ {
		err := txn()
		if err == nil || attempt == txRetries || !retryable(err) {
			return err
		}
		s.log.DebugContext(ctx, "transaction retried", "attempt", attempt+1, "err", err)
		if err := pause(ctx, attempt); err != nil {
			return fmt.Errorf("retry transaction: %w", err)
		}
	}
}

func retryable(err error) bool {
	if errors.Is(err, errCustomerCreatedMeanwhile) {
		return true
	}
	var me *mysql.MySQLError
	return errors.As(err, &me) && (me.Number == errDeadlock || me.Number == errLockWaitTimeout)
}

// pause waits a little longer after each failed attempt, with jitter so that
// the transactions that collided do not collide again in step.
func pause(ctx context.Context, attempt int) error {
	d := time.Duration(attempt+1)*10*time.Millisecond + rand.N(10*time.Millisecond)
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Ready reports whether the database answers and carries every migration
// this binary knows.
func (s *Store) Ready(ctx context.Context) error {
	if err := s.sqlDB.PingContext(ctx); err != nil {
		return fmt.Errorf("database unreachable: %w", err)
	}
	v, err := s.SchemaVersion(ctx)
	if err != nil {
		return err
	}
	if want := latestVersion(); v < want {
		return fmt.Errorf("database schema is at version %d, this binary needs %d: run `orderbot migrate`", v, want)
	}
	return nil
}

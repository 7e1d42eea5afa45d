package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"gorm.io/gorm"

	"github.com/orderbot/orderbot/bot"
)

// On SQLite every write of this process goes through one connection, one
// transaction at a time, and a transaction's commit costs more than the
// single UPDATE that records a delivery: the commit writes every page the
// statement changed to the log, with the locks around it. Under load a
// customer's message is nearly always waiting for the connection too, and
// its transaction changes the same outbox pages (it inserts the next
// reply). So a delivery record waits in deliveryQueue, and whoever gets the
// connection first writes every record waiting: a message's transaction
// (InTx) before its own statements, or the sender itself in a transaction
// of its own. MarkDelivered returns once its record is committed, as
// before: only who commits it changes, never what is promised.

// delivery is one MarkDelivered waiting for its record to be committed.
type delivery struct {
	owner, externalID, path string
	id                      int64
	at                      time.Time
	done                    chan error // its outcome, once committed or refused
}

// deliveryQueue holds the delivery records not yet written.
type deliveryQueue struct {
	mu      sync.Mutex
	waiting []*delivery
}

func (q *deliveryQueue) add(d *delivery) {
	q.mu.Lock()
	q.waiting = append(q.waiting, d)
	q.mu.Unlock()
}

// take removes and returns every record waiting.
func (q *deliveryQueue) take() []*delivery {
	q.mu.Lock()
	defer q.mu.Unlock()
	ds := q.waiting
	q.waiting = nil
	return ds
}

// putBack returns records whose transaction did not commit, ahead of those
// that came since.
func (q *deliveryQueue) putBack(ds []*delivery) {
	if len(ds) == 0 {
		return
	}
	q.mu.Lock()
	q.waiting = append(slices.Clip(ds), q.waiting...)
	q.mu.Unlock()
}

// remove takes d out of the queue; false when a transaction took it first.
func (q *deliveryQueue) remove(d *delivery) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	i := slices.Index(q.waiting, d)
	if i < 0 {
		return false
	}
	q.waiting = slices.Delete(q.waiting, i, i+1)
	return true
}

// MarkDelivered records the delivery and frees the lease, if owner still
// holds it (bot.ErrLeaseLost otherwise), and returns once the record is
// committed. On SQLite the record is written by whichever transaction gets
// the connection first (see deliveryQueue).
func (s *Store) MarkDelivered(ctx context.Context, owner string, id int64, at time.Time, externalID, path string) error {
	if s.dialect != dialectSQLite {
		return s.repo.MarkDelivered(ctx, owner, id, at, externalID, path)
	}
	d := &delivery{owner: owner, id: id, at: orNow(at), externalID: externalID, path: path, done: make(chan error, 1)}
	s.deliveries.add(d)
	for {
		var outcome error
		told := false
		err := s.db.WithContext(ctx).Connection(func(conn *gorm.DB) error {
			// With the connection in hand no other transaction runs: if
			// one wrote d meanwhile, it has said so, or is about to.
			select {
			case outcome = <-d.done:
				told = true
				return nil
			default:
			}
			return s.writeDeliveries(ctx, conn)
		})
		switch {
		case told:
			return outcome
		case err != nil && s.deliveries.remove(d):
			return fmt.Errorf("mark delivered %d: %w", id, dbErr(err))
		case err != nil:
			// A transaction took d: its outcome comes at once.
			return <-d.done
		}
		// d was written here, or taken by a transaction that has not yet
		// told how it went (then the next round hears it, or finds d put
		// back and writes it).
		select {
		case err := <-d.done:
			return err
		default:
		}
	}
}

// writeDeliveries commits every record waiting, in a transaction of its own
// on conn.
func (s *Store) writeDeliveries(ctx context.Context, conn *gorm.DB) error {
	ds := s.deliveries.take()
	if len(ds) == 0 {
		return nil
	}
	var outcomes []error
	err := conn.Transaction(func(tx *gorm.DB) error {
		var err error
		outcomes, err = s.repo.on(tx).settleDeliveries(ctx, ds)
		return err
	})
	if err != nil {
		s.deliveries.putBack(ds)
		return err
	}
	tell(ds, outcomes)
	return nil
}

// settleDeliveries writes each record of ds: an outcome for each, nil or
// bot.ErrLeaseLost, or an error for them all when the database failed.
func (r *repo) settleDeliveries(ctx context.Context, ds []*delivery) ([]error, error) {
	outcomes := make([]error, len(ds))
	for i, d := range ds {
		err := r.settleRaw(ctx, "mark delivered", d.id, markDeliveredSQL, d.at, d.externalID, d.path, d.id, d.owner)
		if err != nil && !errors.Is(err, bot.ErrLeaseLost) {
			return nil, err
		}
		outcomes[i] = err
	}
	return outcomes, nil
}

// tell gives each record its outcome.
func tell(ds []*delivery, outcomes []error) {
	for i, d := range ds {
		d.done <- outcomes[i]
	}
}

package store_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// leased enqueues a reply to recipient leased to owner, as a carried reply is.
func leased(t *testing.T, s *store.Store, owner, recipient string) *bot.Message {
	t.Helper()
	m := &bot.Message{Channel: bot.Telegram, Recipient: recipient, Kind: bot.KindReply, Text: "hi",
		LeasedTo: owner, LeaseUntil: time.Now().Add(time.Minute)}
	must(t, s.Enqueue(context.Background(), []*bot.Message{m}))
	return m
}

func delivered(t *testing.T, tx bot.Repo, m *bot.Message) bool {
	t.Helper()
	feed, err := tx.Feed(context.Background(), m.Channel, m.Recipient, m.ID-1, 1)
	must(t, err)
	return len(feed) == 1 && !feed[0].DeliveredAt.IsZero()
}

// TestDeliveryRecordRidesTheNextTransaction: on SQLite a delivery record
// waiting for the connection is written by the next transaction, before
// what that transaction does, and its sender hears the outcome once that
// transaction committed; a record whose lease is gone gets ErrLeaseLost
// without failing the transaction.
func TestDeliveryRecordRidesTheNextTransaction(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	m := leased(t, s, "d1", "r1")
	other := leased(t, s, "d1", "r2")
	mine := store.QueueDelivery(s, "d1", m.ID, t0)
	lost := store.QueueDelivery(s, "someone else", other.ID, t0)
	var inside bool
	must(t, s.InTx(ctx, func(tx bot.Repo) error {
		inside = delivered(t, tx, m)
		return nil
	}))
	if !inside {
		t.Fatal("the waiting delivery record was not written by the transaction")
	}
	select {
	case err := <-mine:
		must(t, err)
	default:
		t.Fatal("the sender was not told after the commit")
	}
	wantErr(t, <-lost, bot.ErrLeaseLost)
}

// TestDeliveryRecordOutlivesARolledBackTransaction: a transaction that rolls
// back takes the records it wrote back with it; they wait for the next one,
// and their senders hear nothing until then.
func TestDeliveryRecordOutlivesARolledBackTransaction(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	m := leased(t, s, "d1", "r1")
	mine := store.QueueDelivery(s, "d1", m.ID, t0)
	failed := errors.New("step failed")
	err := s.InTx(ctx, func(tx bot.Repo) error {
		if !delivered(t, tx, m) {
			t.Error("the waiting record was not written by the transaction")
		}
		return failed
	})
	wantErr(t, err, failed)
	select {
	case err := <-mine:
		t.Fatalf("told %v for a record that was rolled back", err)
	default:
	}
	var after bool
	must(t, s.InTx(ctx, func(tx bot.Repo) error {
		after = delivered(t, tx, m)
		return nil
	}))
	if !after {
		t.Fatal("the record did not wait for the next transaction")
	}
	must(t, <-mine)
}

// TestDeliveriesBesideMessages: senders recording deliveries while
// messages' transactions run all get their records committed once, each
// by one transaction or the other.
func TestDeliveriesBesideMessages(t *testing.T) {
	s := storetest.SQLite(t)
	ctx := context.Background()
	const n = 40
	ms := make([]*bot.Message, n)
	for i := range ms {
		ms[i] = leased(t, s, "d1", "r"+string(rune('A'+i)))
	}
	var wg sync.WaitGroup
	for i, m := range ms {
		wg.Go(func() {
			if err := s.MarkDelivered(ctx, "d1", m.ID, t0, "ext", ""); err != nil {
				t.Errorf("mark %d delivered: %v", i, err)
			}
		})
		wg.Go(func() {
			if err := s.InTx(ctx, func(tx bot.Repo) error { _, err := tx.LockCustomer(ctx, bot.Telegram, "c"); return err }); err != nil {
				t.Errorf("transaction %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	must(t, s.InTx(ctx, func(tx bot.Repo) error {
		for _, m := range ms {
			if !delivered(t, tx, m) {
				t.Errorf("message %d not delivered", m.ID)
			}
		}
		return nil
	}))
	// A second record of a delivery finds the lease freed by the first.
	wantErr(t, s.MarkDelivered(ctx, "d1", ms[0].ID, t0, "ext", ""), bot.ErrLeaseLost)
}

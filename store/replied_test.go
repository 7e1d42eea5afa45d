package store_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// A duplicate of a platform's request learns that the replies are its
// answer to give again, unless the dispatcher sent them another way.
func TestMarkRepliedAgainForADuplicate(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		ms := enqueue(t, s, 2, t0.Add(5*time.Second))
		for _, at := range []time.Time{t0, t0.Add(time.Second)} {
			if n, err := s.MarkReplied(ctx, msgIDs(ms), at, "passive"); err != nil || n != 2 {
				t.Fatalf("marked %d, %v; want both, also for the duplicate", n, err)
			}
		}
		if sent, _ := s.CountDelivered(ctx, bot.Telegram, "42", "passive", t0.Add(time.Millisecond)); sent != 0 {
			t.Fatalf("the duplicate moved the delivery time: %d delivered since", sent)
		}
		// Sent by the dispatcher: no passive answer has them.
		other := enqueue(t, s, 1, t0)
		if c, err := s.ClaimDue(ctx, "d", t0, t0.Add(time.Minute), 10); err != nil || len(c) != 1 || c[0].ID != other[0].ID {
			t.Fatalf("claimed %v, %v; want the one message", c, err)
		}
		must(t, s.MarkDelivered(ctx, "d", other[0].ID, t0, "", "cs"))
		if n, err := s.MarkReplied(ctx, append(msgIDs(ms), other[0].ID), t0, "passive"); err != nil || n != 0 {
			t.Fatalf("marked %d, %v with one sent another way; want none", n, err)
		}
	})
}

// syncBuffer is a log destination goroutines may share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (w *syncBuffer) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func (w *syncBuffer) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.String()
}

// A real deadlock: another transaction locks the second of two messages,
// MarkReplied locks the first and waits for the second, then the other
// transaction asks for the first. MySQL rolls MarkReplied back (it has
// changed less); it runs again once the other is done, and takes both.
func TestMarkRepliedRetriesADeadlock(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t, "mysql")
	logs := &syncBuffer{}
	s, err := store.Open(ctx, dsn, slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})))
	must(t, err)
	t.Cleanup(func() { s.Close() })
	raw, err := sql.Open("mysql", strings.TrimPrefix(dsn, "mysql:"))
	must(t, err)
	t.Cleanup(func() { raw.Close() })

	ms := enqueue(t, s, 2, t0)
	a, b := ms[0].ID, ms[1].ID
	weight := msgIDs(enqueue(t, s, 6, t0))
	other, err := raw.BeginTx(ctx, nil)
	must(t, err)
	defer other.Rollback()
	// The other transaction changes more rows, so MySQL picks MarkReplied
	// as the deadlock's victim.
	weight = append(weight, b)
	for _, id := range weight {
		_, err := other.ExecContext(ctx, "UPDATE messages SET last_error = 'busy' WHERE id = ?", id)
		must(t, err)
	}

	type result struct {
		n   int
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := s.MarkReplied(ctx, []int64{a, b}, t0.Add(time.Second), "passive")
		done <- result{n, err}
	}()
	// MarkReplied locks a, then waits for b.
	if !waitForRowLock(t, raw, a) {
		res := <-done
		t.Fatalf("MarkReplied never locked the first message; it returned %d, %v", res.n, res.err)
	}
	var id int64
	if err := other.QueryRowContext(ctx, "SELECT id FROM messages WHERE id = ? FOR UPDATE", a).Scan(&id); err != nil {
		t.Fatalf("the other transaction was chosen as the victim, not MarkReplied: %v", err)
	}
	must(t, other.Commit())
	res := <-done
	if res.err != nil || res.n != 2 {
		t.Fatalf("MarkReplied after a deadlock: marked %d, %v; want both", res.n, res.err)
	}
	if log := logs.String(); !strings.Contains(log, "transaction retried") || !strings.Contains(log, "1213") {
		t.Fatalf("no deadlock retry logged:\n%s", log)
	}
}

// waitForRowLock reports when another transaction holds the message's row
// lock, or false when none did within 10 s. It probes with NOWAIT, which
// fails at once on a locked row and otherwise releases the row at once.
func waitForRowLock(t *testing.T, db *sql.DB, id int64) bool {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var got int64
		err := db.QueryRow("SELECT id FROM messages WHERE id = ? FOR UPDATE NOWAIT", id).Scan(&got)
		var me *mysql.MySQLError
		if errors.As(err, &me) && (me.Number == 1205 || me.Number == 3572) {
			return true
		}
		must(t, err)
		time.Sleep(2 * time.Millisecond)
	}
	return false
}

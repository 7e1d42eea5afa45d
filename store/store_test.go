package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestOpenRejectsUnknownScheme(t *testing.T) {
	for _, dsn := range []string{"postgres://u:secret@host/db", "orderbot.db", "", "sqlite:"} {
		s, err := store.Open(context.Background(), dsn, nil)
		if err == nil {
			s.Close()
			t.Fatalf("Open(%q) succeeded", dsn)
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("Open(%q) error reveals the password: %v", dsn, err)
		}
	}
}

func TestReadyNeedsMigration(t *testing.T) {
	ctx := context.Background()
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(t.TempDir(), "new.db"), storetest.Logger(t))
	must(t, err)
	defer s.Close()
	err = s.Ready(ctx)
	if err == nil || !strings.Contains(err.Error(), "migrate") {
		t.Fatalf("Ready on an empty database = %v, want an error that says to migrate", err)
	}
	must(t, s.Migrate(ctx))
	must(t, s.Ready(ctx))
}

func TestReadyFailsWhenClosed(t *testing.T) {
	s := storetest.SQLite(t)
	must(t, s.Close())
	if err := s.Ready(context.Background()); err == nil {
		t.Fatal("Ready on a closed store succeeded")
	}
}

func TestMigrateTwiceIsNoop(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		v, err := s.SchemaVersion(ctx)
		must(t, err)
		if v < 1 {
			t.Fatalf("SchemaVersion = %d after migrating", v)
		}
		products(t, s, tea(5))
		must(t, s.Migrate(ctx))
		must(t, s.Migrate(ctx))
		v2, err := s.SchemaVersion(ctx)
		must(t, err)
		if v2 != v {
			t.Fatalf("SchemaVersion changed from %d to %d", v, v2)
		}
		if p, err := s.Product(ctx, "TEA-1"); err != nil || p.Stock != 5 {
			t.Fatalf("product after migrating again = %+v, %v", p, err)
		}
		must(t, s.Ready(ctx))
	})
}

func TestInTx(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		products(t, s, tea(5))
		boom := errors.New("boom")
		err := s.InTx(ctx, func(tx bot.Repo) error {
			must(t, tx.ReserveStock(ctx, "TEA-1", 2))
			must(t, tx.RecordInbound(ctx, "k1", t0))
			return boom
		})
		wantErr(t, err, boom)
		if p, _ := s.Product(ctx, "TEA-1"); p.Stock != 5 {
			t.Fatalf("stock after rollback = %d, want 5", p.Stock)
		}
		must(t, s.RecordInbound(ctx, "k1", t0)) // rolled back, so new

		must(t, s.InTx(ctx, func(tx bot.Repo) error {
			if err := tx.ReserveStock(ctx, "TEA-1", 2); err != nil {
				return err
			}
			// Reads inside see the transaction's own writes.
			p, err := tx.Product(ctx, "TEA-1")
			if err == nil && p.Stock != 3 {
				t.Errorf("stock inside the transaction = %d, want 3", p.Stock)
			}
			return err
		}))
		if p, _ := s.Product(ctx, "TEA-1"); p.Stock != 3 {
			t.Fatalf("stock after commit = %d, want 3", p.Stock)
		}
	})
}

func TestInTxRollsBackOnPanic(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		products(t, s, tea(5))
		func() {
			defer func() { recover() }()
			s.InTx(ctx, func(tx bot.Repo) error {
				must(t, tx.ReserveStock(ctx, "TEA-1", 5))
				panic("boom")
			})
		}()
		if p, _ := s.Product(ctx, "TEA-1"); p.Stock != 5 {
			t.Fatalf("stock after panic = %d, want 5", p.Stock)
		}
	})
}

func TestRetryable(t *testing.T) {
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{nil, false},
		{errors.New("plain"), false},
		{&mysql.MySQLError{Number: 1062}, false},
		{&mysql.MySQLError{Number: 1213}, true},
		{fmt.Errorf("reserve stock A: %w", &mysql.MySQLError{Number: 1205}), true},
	} {
		if got := store.Retryable(tc.err); got != tc.want {
			t.Errorf("Retryable(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

// TestInTxRetriesDeadlock makes two transactions take two rows in opposite
// order. MySQL kills one; InTx runs it again and both succeed.
func TestInTxRetriesDeadlock(t *testing.T) {
	s := storetest.MySQL(t)
	ctx := context.Background()
	products(t, s, bot.Product{SKU: "A", Name: "A", Stock: 10, Active: true}, bot.Product{SKU: "B", Name: "B", Stock: 10, Active: true})
	var (
		bothHoldOne sync.WaitGroup
		attempts    atomic.Int32
		wg          sync.WaitGroup
	)
	bothHoldOne.Add(2)
	for _, order := range [][2]string{{"A", "B"}, {"B", "A"}} {
		wg.Go(func() {
			try := 0
			err := s.InTx(ctx, func(tx bot.Repo) error {
				try++
				attempts.Add(1)
				if err := tx.ReserveStock(ctx, order[0], 1); err != nil {
					return err
				}
				if try == 1 {
					bothHoldOne.Done()
					bothHoldOne.Wait()
				}
				return tx.ReserveStock(ctx, order[1], 1)
			})
			if err != nil {
				t.Errorf("InTx %v: %v", order, err)
			}
		})
	}
	wg.Wait()
	if n := attempts.Load(); n != 3 {
		t.Errorf("%d attempts, want 3 (one deadlock victim retried)", n)
	}
	for _, sku := range []string{"A", "B"} {
		if p, _ := s.Product(ctx, sku); p.Stock != 8 {
			t.Errorf("stock of %s = %d, want 8", sku, p.Stock)
		}
	}
}

func TestOpenSQLitePathWithOddCharacters(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "a dir?#%")
	must(t, os.Mkdir(dir, 0o755))
	s, err := store.Open(ctx, "sqlite:"+filepath.Join(dir, "x.db"), storetest.Logger(t))
	must(t, err)
	defer s.Close()
	must(t, s.Migrate(ctx))
	if _, err := os.Stat(filepath.Join(dir, "x.db")); err != nil {
		t.Fatalf("database not where asked: %v", err)
	}
}

// TestInTxSeesCommittedChanges: a transaction that waited for a lock must
// see what the lock holder committed, even after an earlier read of its own.
func TestInTxSeesCommittedChanges(t *testing.T) {
	s := storetest.MySQL(t) // on SQLite the other writer could not run meanwhile
	ctx := context.Background()
	products(t, s, tea(10))
	must(t, s.InTx(ctx, func(tx bot.Repo) error {
		if p, err := tx.Product(ctx, "TEA-1"); err != nil || p.Stock != 10 {
			t.Fatalf("first read = %+v, %v", p, err)
		}
		must(t, s.ReserveStock(ctx, "TEA-1", 1)) // another connection commits
		p, err := tx.Product(ctx, "TEA-1")
		if err == nil && p.Stock != 9 {
			t.Errorf("second read sees stock %d, want 9 as committed", p.Stock)
		}
		return err
	}))
}

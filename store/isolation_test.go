package store_test

import (
	"context"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestTransactionsReadWhatOthersCommitted: on MySQL and TiDB a transaction
// reads what another committed after its first read (READ COMMITTED), so
// that a customer's message sees what their previous one just saved. Under
// the servers' default, REPEATABLE READ, the second read would repeat the
// first. (SQLite has one writer: nothing commits beside a transaction.)
func TestTransactionsReadWhatOthersCommitted(t *testing.T) {
	for name, open := range map[string]func(testing.TB) *store.Store{"mysql": storetest.MySQL, "tidb": storetest.TiDB} {
		t.Run(name, func(t *testing.T) { readCommitted(t, open(t)) })
	}
}

func readCommitted(t *testing.T, s *store.Store) {
	ctx := context.Background()
	c, err := s.LockCustomer(ctx, bot.Telegram, "1")
	must(t, err)
	err = s.InTx(ctx, func(tx bot.Repo) error {
		first, err := tx.Customer(ctx, c.ID)
		if err != nil {
			return err
		}
		first.Lang = "en"
		if err := s.UpdateCustomer(ctx, first); err != nil { // on a connection of its own
			return err
		}
		again, err := tx.Customer(ctx, c.ID)
		if err != nil {
			return err
		}
		if again.Lang != "en" {
			t.Errorf("a transaction missed what another committed after its first read (REPEATABLE READ)")
		}
		return nil
	})
	must(t, err)
}

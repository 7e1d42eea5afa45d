package store_test

import (
	"context"
	"sync"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestBusyConnectionsStayOpen: after a burst of concurrent transactions,
// MySQL's connections go back to the pool instead of being closed and
// opened again for the next burst (a handshake, authentication and the
// session's settings each: more of MariaDB's CPU than a message's own
// statements under load).
func TestBusyConnectionsStayOpen(t *testing.T) {
	s := storetest.MySQL(t)
	ctx := context.Background()
	const busy = 20
	var opened sync.WaitGroup
	opened.Add(busy)
	var done sync.WaitGroup
	for range busy {
		done.Add(1)
		go func() {
			defer done.Done()
			err := s.InTx(ctx, func(bot.Repo) error {
				opened.Done()
				opened.Wait() // every transaction holds its connection at once
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	done.Wait()
	st := store.ConnStats(s)
	if st.MaxIdleClosed != 0 || st.Idle < busy {
		t.Errorf("after %d concurrent transactions: %d connections idle, %d closed for want of idle room; want every one kept", busy, st.Idle, st.MaxIdleClosed)
	}
}

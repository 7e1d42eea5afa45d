package wechat

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// countingService counts the pushes that reach the core.
type countingService struct {
	Service
	calls *atomic.Int32
}

func (s countingService) HandleInbound(ctx context.Context, in bot.Inbound) ([]*bot.Message, error) {
	s.calls.Add(1)
	return s.Service.HandleInbound(ctx, in)
}

// concurrently runs fn(i) for i in [0, n) at the same moment and waits.
func concurrently(n int, fn func(i int)) {
	var ready, done sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			<-start
			fn(i)
		}()
	}
	ready.Wait()
	close(start)
	done.Wait()
}

// One signed plain-mode URL carries one body, also when twenty different
// bodies arrive on it at the same moment: the first is handled, the others
// are refused before they reach the core.
func TestConcurrentBodiesOnOneSignedURL(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		var calls atomic.Int32
		count := func(s Service) Service { return countingService{s, &calls} }
		e := newEnv(t, st, options{wrap: count})
		q := e.signedQuery(e.clock.Now().Unix(), "")
		const n = 20
		bodies := make([]string, n)
		for i := range bodies {
			openID := fmt.Sprintf("oRaceRaceRaceRaceRaceRace%03d", i)
			bodies[i] = textXML(openID, e.nextMsgID(), e.clock.Now().Unix(), "菜单")
		}
		statuses := make([]int, n)
		concurrently(n, func(i int) { statuses[i] = e.post(q, bodies[i]).status })
		taken, refused := 0, 0
		for _, s := range statuses {
			switch s {
			case http.StatusOK:
				taken++
			case http.StatusUnauthorized:
				refused++
			}
		}
		if taken != 1 || refused != n-1 || calls.Load() != 1 {
			t.Fatalf("%d bodies on one signed URL: %d taken, %d refused, %d reached the core (statuses %v); want 1, %d, 1",
				n, taken, refused, calls.Load(), statuses, n-1)
		}
	})
}

// Duplicates of a push that arrive together (WeChat retrying while the
// first is still being answered) all get the reply the first one gets.
func TestConcurrentDuplicatesGetTheSameReply(t *testing.T) {
	for _, mode := range modes {
		t.Run(mode.name, func(t *testing.T) {
			storetest.Each(t, func(t *testing.T, st *store.Store) {
				concurrentDuplicates(t, newEnv(t, st, options{safe: mode.safe}))
			})
		})
	}
}

// concurrentDuplicates pushes six copies of a message at once, ten times.
func concurrentDuplicates(t *testing.T, e *env) {
	const trials, n = 10, 6
	for trial := range trials {
		openID := fmt.Sprintf("oDupDupDupDupDupDupDupDup%03d", trial)
		raw := textXML(openID, e.nextMsgID(), e.clock.Now().Unix(), "菜单")
		answers := make([]response, n)
		concurrently(n, func(i int) { answers[i] = e.push(raw) })
		first := e.passive(answers[0], openID)
		for i, res := range answers {
			if got := e.passive(res, openID); got == "" || got != first {
				t.Fatalf("trial %d: duplicate %d answered %q, another %q; want the one reply for all", trial, i, got, first)
			}
		}
	}
	// Every reply went out once, in place: nothing is left to send.
	e.a.running.wait()
	e.clock.Add(time.Minute)
	e.deliver()
	if cs := e.api.csMessages(); len(cs) != 0 {
		t.Fatalf("%d replies answered in place were sent again", len(cs))
	}
}

// stopAfterCore makes the database go down right after the core committed
// a push, so that marking its replies fails.
type stopAfterCore struct {
	Service
	proxy *storetest.FaultProxy
}

func (s stopAfterCore) HandleInbound(ctx context.Context, in bot.Inbound) ([]*bot.Message, error) {
	replies, err := s.Service.HandleInbound(ctx, in)
	s.proxy.Stop()
	return replies, err
}

// When the replies cannot be marked as given in place, the push is only
// acknowledged and the dispatcher delivers them: the customer gets each
// reply exactly once.
func TestRepliesNotMarkedAreSentOnce(t *testing.T) {
	ctx := context.Background()
	dsn, proxy := storetest.MySQLWithProxy(t)
	st, err := store.Open(ctx, dsn, storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	down := func(s Service) Service { return stopAfterCore{s, proxy} }
	e := newEnv(t, st, options{wrap: down})
	res := e.push(textXML(alice, e.nextMsgID(), e.clock.Now().Unix(), "菜单"))
	if got := e.passive(res, alice); got != "" {
		t.Fatalf("answered %q in place although the replies were not marked", got)
	}
	proxy.Resume()
	e.clock.Add(6 * time.Second)
	e.deliver()
	e.clock.Add(time.Minute)
	e.deliver()
	cs := e.api.csMessages()
	if len(cs) != 1 || !strings.Contains(cs[0].Text.Content, "浏览商品") {
		t.Fatalf("customer-service messages %+v; want the menu once", cs)
	}
}

// A duplicate that cannot learn in time whether the replies are its to
// give (another transaction holds their rows) is acknowledged within
// WeChat's budget, and the dispatcher sends the replies once.
func TestDuplicateKeptWaitingIsAcknowledgedInTime(t *testing.T) {
	ctx := context.Background()
	dsn := storetest.DSN(t, "mysql")
	st, err := store.Open(ctx, dsn, storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	raw, err := sql.Open("mysql", strings.TrimPrefix(dsn, "mysql:"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { raw.Close() })
	var calls atomic.Int32
	slow := func(s Service) Service { return slowOnce{s, time.Second, &calls} }
	const deadline = 300 * time.Millisecond
	e := newEnv(t, st, options{deadline: deadline, wrap: slow})
	push := textXML(alice, e.nextMsgID(), e.clock.Now().Unix(), "菜单")
	if got := e.passive(e.push(push), alice); got != "" {
		t.Fatalf("slow push answered %q", got)
	}
	e.a.running.wait()
	// Hold the reply rows, as a dispatcher or replica in the middle of
	// marking them would.
	lock, err := raw.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer lock.Rollback()
	if _, err := lock.ExecContext(ctx, "SELECT id FROM messages WHERE recipient = ? FOR UPDATE", alice); err != nil {
		t.Fatal(err)
	}
	res := e.push(push)
	if got := e.passive(res, alice); got != "" || res.elapsed > deadline+claimGrace+1500*time.Millisecond {
		t.Fatalf("duplicate answered %q after %s; want an acknowledgement by %s", got, res.elapsed, deadline+claimGrace)
	}
	if err := lock.Rollback(); err != nil {
		t.Fatal(err)
	}
	e.clock.Add(6 * time.Second)
	e.deliver()
	e.clock.Add(time.Minute)
	e.deliver()
	if cs := e.api.csMessages(); len(cs) != 1 {
		t.Fatalf("%d customer-service messages, want the reply once", len(cs))
	}
}

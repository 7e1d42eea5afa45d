package wechat

import (
	"context"
	"errors"
	"fmt"
	"sync"
)

// errClosing refuses pushes that arrive while the adapter shuts down:
// WeChat pushes them again, to a replica that is still up.
var errClosing = errors.New("shutting down")

// tracker counts the cores' runs still going, which may outlive the answer
// to their push (a run that missed the reply deadline commits later, and
// its replies go out through the dispatcher), so that shutdown can wait for
// them instead of cutting them off mid-transaction.
type tracker struct {
	mu      sync.Mutex
	closed  bool
	running int
	wg      sync.WaitGroup
}

// start counts one run, or reports false once the adapter is closing.
func (t *tracker) start() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return false
	}
	t.running++
	t.wg.Add(1)
	return true
}

func (t *tracker) done() {
	t.mu.Lock()
	t.running--
	t.mu.Unlock()
	t.wg.Done()
}

// wait returns when no run is going.
func (t *tracker) wait() { t.wg.Wait() }

// close refuses new runs from now on.
func (t *tracker) close() {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
}

// count is how many runs are going.
func (t *tracker) count() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.running
}

// Close stops taking pushes and waits until the cores' runs started by
// earlier ones have finished, or ctx ends. Call it after the HTTP server has
// stopped, and before the last outbox flush, which then carries their
// replies. Pushes arriving meanwhile are answered 503, and WeChat retries.
func (a *Adapter) Close(ctx context.Context) error {
	a.running.close()
	idle := make(chan struct{})
	go func() {
		a.running.wait()
		close(idle)
	}()
	select {
	case <-idle:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("wechat: %d pushes still being handled: %w", a.running.count(), ctx.Err())
	}
}

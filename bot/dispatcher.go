package bot

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// Sender delivers outgoing messages on one channel. A staff card whose
// ExternalID is set was posted before and is to be edited in place; for a
// KindThread message ExternalID is the card it is about. Send returns the
// platform's id of what it posted. Return ErrHold (wrapped) to keep a
// message until the recipient writes again. Return *RateLimitError when
// the platform asks to slow down and ErrUnreachable (wrapped) when the
// recipient can never be reached (blocked the bot, unfollowed).
type Sender interface {
	Send(ctx context.Context, m *Message) (externalID string, err error)
}

// DispatcherConfig tunes delivery. Zero values get sensible defaults.
type DispatcherConfig struct {
	Owner string // this replica's name on the leases it takes
	// Lease is how long a claimed message is ours (15 s). It is renewed
	// every third of it while the work goes on, so it only runs out when
	// this replica dies or loses the database, and then another replica
	// takes the messages over within one lease.
	Lease time.Duration
	// Poll is how often to look for due messages when nothing else wakes
	// the dispatcher: it wakes on Kick, when a recipient's work ends here
	// and when the next retry is due.
	Poll  time.Duration
	Batch int // messages claimed at once
	// Workers is how many recipients are served at once (32). A worker
	// waiting on a slow platform holds no database connection.
	Workers int
	// BulkInFlight is how many bulk messages (a broadcast's) may be
	// claimed here and not yet sent (Workers/2): the other workers stay
	// free for the replies that come in while a large broadcast drains.
	BulkInFlight int
	MaxAttempts  int
	// Retention is how long delivered messages and dedup keys are kept;
	// Run prunes older ones every hour. Platforms retry within hours, and
	// the web chat shows a customer's recent history from the outbox.
	Retention time.Duration
	Clock     func() time.Time
}

// Dispatcher delivers the outbox. Several replicas may run one each: a
// message is claimed under a lease before it is sent, so only one of them
// sends it, and a replica that dies mid-send leaves it to be claimed again
// when its lease runs out. Each recipient's messages go out in order, one
// at a time, from one replica; recipients are served side by side, so a
// slow or rate-limited one never holds up the others.
type Dispatcher struct {
	store   DispatchStore
	senders map[string]Sender
	log     *slog.Logger
	cfg     DispatcherConfig
	wake    chan struct{} // Kick
	settled chan struct{} // a recipient's work here ended
	stop    chan struct{} // closed by Shutdown

	loops    sync.WaitGroup // Run and DeliverDue claiming
	workers  sync.WaitGroup // one per recipient being served
	shutdown sync.Once
	stopErr  error

	mu        sync.Mutex
	queues    map[recipient][]*Message // recipients served here, with what is left to send
	leases    map[int64]time.Time      // claimed and not settled: when each lease ends
	bulk      map[int64]bool           // the bulk ones among leases
	carried   map[int64]bool           // the ones among leases that came by Carry
	carrier   *carrier                 // set while Run runs
	bulkAsked int                      // bulk messages claims under way may bring
	lastLease time.Time                // the latest lease end handed out
	running   int                      // workers
	waiting   []recipient              // recipients queued here waiting for a worker
	stopping  bool
	aborts    []context.CancelFunc // cancel Run's sends
}

// NewDispatcher returns a dispatcher delivering through the given senders,
// keyed by channel.
func NewDispatcher(store DispatchStore, senders map[string]Sender, log *slog.Logger, cfg DispatcherConfig) *Dispatcher {
	if cfg.Owner == "" {
		cfg.Owner = fmt.Sprintf("orderbot-%d", rand.Int64())
	}
	if cfg.Lease <= 0 {
		cfg.Lease = 15 * time.Second
	}
	if cfg.Poll <= 0 {
		cfg.Poll = time.Second
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 50
	}
	if cfg.Workers <= 0 {
		cfg.Workers = 32
	}
	if cfg.BulkInFlight <= 0 {
		cfg.BulkInFlight = max(cfg.Workers/2, 1)
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 12
	}
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Retention <= 0 {
		cfg.Retention = 30 * 24 * time.Hour
	}
	return &Dispatcher{
		store: store, senders: senders, log: log, cfg: cfg,
		wake: make(chan struct{}, 1), settled: make(chan struct{}, 1), stop: make(chan struct{}),
		queues: map[recipient][]*Message{}, leases: map[int64]time.Time{}, bulk: map[int64]bool{}, carried: map[int64]bool{},
	}
}

// Kick asks for a look at the outbox now; it never blocks.
func (d *Dispatcher) Kick() {
	select {
	case d.wake <- struct{}{}:
	default:
	}
}

// Run delivers until ctx ends or Shutdown is called. When ctx ends, it
// stops at once: the sends under way are cancelled and the leases given
// back. Shutdown is the graceful way.
func (d *Dispatcher) Run(ctx context.Context) error {
	sendCtx, abort := context.WithCancel(context.WithoutCancel(ctx))
	if !d.enter(abort) {
		abort()
		return nil
	}
	r := &round{}
	d.mu.Lock()
	d.carrier = &carrier{ctx: sendCtx, r: r}
	d.mu.Unlock()
	d.loop(ctx, sendCtx, r, false)
	d.mu.Lock()
	d.carrier = nil
	d.mu.Unlock()
	d.loops.Done()
	if ctx.Err() != nil {
		ended, cancel := context.WithCancel(context.WithoutCancel(ctx))
		cancel()
		_ = d.Shutdown(ended) // logged there
	}
	return nil
}

// DeliverDue sends what is due now and returns when nothing more is, with
// how many it delivered and the first error it met. Recipients are served
// side by side as in Run. It is for tests and one-off flushes: do not run
// it beside Run on the same Dispatcher.
func (d *Dispatcher) DeliverDue(ctx context.Context) (int, error) {
	if !d.enter(nil) {
		return 0, nil
	}
	defer d.loops.Done()
	r := &round{}
	d.loop(ctx, ctx, r, true)
	if ctx.Err() != nil {
		d.workers.Wait() // their sends end with ctx
	}
	return int(r.delivered.Load()), r.firstErr()
}

// enter registers a claiming loop, unless the dispatcher was shut down.
func (d *Dispatcher) enter(abort context.CancelFunc) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopping {
		return false
	}
	d.loops.Add(1)
	if abort != nil {
		d.aborts = append(d.aborts, abort)
	}
	return true
}

// Shutdown stops delivering: nothing more is claimed, the sends under way
// may finish until ctx ends (then they are cancelled), and every lease this
// replica still holds is given back, so that another replica or the next
// start sends those messages at once rather than when the leases run out.
// It logs how many were left. The dispatcher delivers nothing after it.
func (d *Dispatcher) Shutdown(ctx context.Context) error {
	d.shutdown.Do(func() { d.stopErr = d.shutDown(ctx) })
	return d.stopErr
}

func (d *Dispatcher) shutDown(ctx context.Context) error {
	d.mu.Lock()
	d.stopping = true
	aborts := d.aborts
	d.mu.Unlock()
	close(d.stop)
	d.loops.Wait()
	done := make(chan struct{})
	go func() { d.workers.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
		for _, abort := range aborts {
			abort()
		}
		select {
		case <-done:
		case <-time.After(abortWait):
			d.log.Warn("outbox sends still running at shutdown; their messages are given back")
		}
	}
	for _, abort := range aborts {
		abort()
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), markTimeout)
	defer cancel()
	n, err := d.store.ReleaseLeases(rctx, d.cfg.Owner)
	if err != nil {
		d.log.Error("outbox: giving back leases at shutdown; they run out by themselves", "err", err)
		return fmt.Errorf("release leases: %w", err)
	}
	d.log.Info("outbox stopped", "left_for_next_start", n)
	return nil
}

// Prune deletes delivered messages and dedup keys older than the
// retention, and expired cache values.
func (d *Dispatcher) Prune(ctx context.Context) {
	now := d.cfg.Clock()
	n, err := d.store.Prune(ctx, now.Add(-d.cfg.Retention))
	if err != nil {
		d.log.Error("outbox prune", "err", err)
		return
	}
	c, err := d.store.PruneCache(ctx, now)
	if err != nil {
		d.log.Error("cache prune", "err", err)
		return
	}
	if n+c > 0 {
		d.log.Info("pruned", "rows", n+c)
	}
}

// Backoff is the wait before attempt n+1: exponential from 2 s, capped at
// 10 minutes, with jitter so that retries from many messages spread out.
func Backoff(attempt int) time.Duration {
	d := 2 * time.Second << min(attempt-1, 9)
	d = min(d, 10*time.Minute)
	return d/2 + rand.N(d/2+1)
}

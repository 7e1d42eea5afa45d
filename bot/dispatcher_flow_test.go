package bot_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// gate holds every send to the recipients in hold until the test lets it
// go (or the send's context ends), and records what it delivered.
type gate struct {
	recordingSender
	hold    map[string]bool
	started chan *bot.Message
	release chan struct{}
}

func newGate(hold ...string) *gate {
	g := &gate{hold: map[string]bool{}, started: make(chan *bot.Message, 100), release: make(chan struct{})}
	for _, r := range hold {
		g.hold[r] = true
	}
	return g
}

func (g *gate) Send(ctx context.Context, m *bot.Message) (string, error) {
	if g.hold[m.Recipient] {
		g.started <- m
		select {
		case <-g.release:
		case <-ctx.Done():
			return "", ctx.Err()
		}
	}
	return g.recordingSender.Send(ctx, m)
}

// waitStarted returns the next message the gate holds, failing the test
// when none comes.
func (g *gate) waitStarted(t *testing.T) *bot.Message {
	t.Helper()
	select {
	case m := <-g.started:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no send started")
		return nil
	}
}

// sentTo lists what went to recipient, in order.
func sentTo(s *recordingSender, recipient string) string {
	var got []string
	for _, m := range s.messages() {
		if m.Recipient == recipient {
			got = append(got, m.Text)
		}
	}
	return strings.Join(got, ",")
}

// waitFor fails the test when cond does not hold within a few seconds.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// run runs d until the test ends.
func run(t *testing.T, d *bot.Dispatcher) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { _ = d.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
}

func text(recipient, s string) *bot.Message {
	return &bot.Message{Channel: bot.WebChat, Recipient: recipient, Kind: bot.KindReply, Text: s}
}

// TestSlowRecipientDoesNotHoldUpOthers: while a send to one recipient
// hangs, a message to another one, written afterwards, goes out.
func TestSlowRecipientDoesNotHoldUpOthers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		clock := newClock()
		g := newGate("slow")
		d := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: g}, quietLog(),
			bot.DispatcherConfig{Owner: "a", Poll: time.Hour, Clock: clock.Now})
		run(t, d)
		enqueue(t, st, clock, text("slow", "s1"), text("slow", "s2"))
		d.Kick()
		g.waitStarted(t)

		enqueue(t, st, clock, text("quick", "q1"))
		d.Kick()
		waitFor(t, "the quick recipient's message", func() bool { return sentTo(&g.recordingSender, "quick") == "q1" })
		if got := sentTo(&g.recordingSender, "slow"); got != "" {
			t.Fatalf("the slow recipient got %q while its send hangs", got)
		}
		close(g.release)
		waitFor(t, "the slow recipient's messages", func() bool { return sentTo(&g.recordingSender, "slow") == "s1,s2" })
	})
}

// limitFirst answers the first send to recipient with a 429.
type limitFirst struct {
	recordingSender
	recipient  string
	retryAfter time.Duration
	mu         sync.Mutex
	attempts   []time.Time
}

func (l *limitFirst) Send(ctx context.Context, m *bot.Message) (string, error) {
	if m.Recipient == l.recipient {
		l.mu.Lock()
		l.attempts = append(l.attempts, time.Now())
		first := len(l.attempts) == 1
		l.mu.Unlock()
		if first {
			return "", &bot.RateLimitError{RetryAfter: l.retryAfter}
		}
	}
	return l.recordingSender.Send(ctx, m)
}

func (l *limitFirst) tries() []time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]time.Time(nil), l.attempts...)
}

// TestRateLimitHoldsBackTheRecipientEverywhere: after a 429 for a chat,
// none of its other messages is sent before Retry-After, not those claimed
// later, not those written later, not by another replica; then all go in
// order. Other recipients go on.
func TestRateLimitHoldsBackTheRecipientEverywhere(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx, clock := context.Background(), newClock()
		s := &limitFirst{recipient: "u1", retryAfter: 30 * time.Second}
		cfg := bot.DispatcherConfig{Owner: "a", Batch: 1, Clock: clock.Now}
		a := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: s}, quietLog(), cfg)
		cfg.Owner = "b"
		b := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: s}, quietLog(), cfg)
		enqueue(t, st, clock, text("u1", "1"), text("u1", "2"))
		if _, err := a.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		enqueue(t, st, clock, text("u1", "3"), text("u2", "other"))
		for _, d := range []*bot.Dispatcher{a, b} {
			if _, err := d.DeliverDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		clock.Add(29 * time.Second)
		if _, err := b.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		if got := sentTo(&s.recordingSender, "u1"); got != "" || len(s.tries()) != 1 {
			t.Fatalf("during Retry-After u1 got %q in %d tries", got, len(s.tries()))
		}
		if got := sentTo(&s.recordingSender, "u2"); got != "other" {
			t.Fatalf("another recipient was held up: %q", got)
		}
		clock.Add(2 * time.Second)
		if n, err := b.DeliverDue(ctx); err != nil || n != 3 {
			t.Fatalf("after Retry-After delivered %d, %v", n, err)
		}
		if got := sentTo(&s.recordingSender, "u1"); got != "1,2,3" {
			t.Fatalf("u1 got %q", got)
		}
	})
}

// TestRetryAfterIsHonouredOnTime: the dispatcher wakes for a retry when it
// is due, not at its next poll.
func TestRetryAfterIsHonouredOnTime(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		const retryAfter = 300 * time.Millisecond
		s := &limitFirst{recipient: "u1", retryAfter: retryAfter}
		d := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: s}, quietLog(),
			bot.DispatcherConfig{Owner: "a", Poll: time.Hour})
		run(t, d)
		if err := st.Enqueue(context.Background(), []*bot.Message{text("u1", "hi")}); err != nil {
			t.Fatal(err)
		}
		d.Kick()
		waitFor(t, "the retry", func() bool { return sentTo(&s.recordingSender, "u1") == "hi" })
		tries := s.tries()
		// The stored time keeps milliseconds: the retry may come up to 1 ms early.
		if gap := tries[1].Sub(tries[0]); gap < retryAfter-time.Millisecond {
			t.Fatalf("retried %v after the 429, before Retry-After %v", gap, retryAfter)
		}
	})
}

// TestManyRecipientsEachMessageOnceInOrder: with more recipients than
// workers and the workers claiming their recipients' next messages while
// the loop claims too, every message goes out once, each recipient's in
// order.
func TestManyRecipientsEachMessageOnceInOrder(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		clock := newClock()
		var msgs []*bot.Message
		for i := range 600 {
			msgs = append(msgs, text(fmt.Sprintf("u%d", i%40), fmt.Sprint(i/40)))
		}
		enqueue(t, st, clock, msgs...)
		s := &recordingSender{}
		d := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: s}, quietLog(),
			bot.DispatcherConfig{Owner: "a", Workers: 8, Batch: 7, Clock: clock.Now})
		if n, err := d.DeliverDue(context.Background()); err != nil || n != len(msgs) {
			t.Fatalf("delivered %d of %d: %v", n, len(msgs), err)
		}
		seen := map[int64]bool{}
		next := map[string]int{}
		for _, m := range s.messages() {
			if seen[m.ID] {
				t.Fatalf("message %d sent twice", m.ID)
			}
			seen[m.ID] = true
			if m.Text != fmt.Sprint(next[m.Recipient]) {
				t.Fatalf("%s got %s after %d", m.Recipient, m.Text, next[m.Recipient])
			}
			next[m.Recipient]++
		}
	})
}

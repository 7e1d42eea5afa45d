package bot_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// logBuffer keeps what a dispatcher logged.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func (l *logBuffer) logger() *slog.Logger { return slog.New(slog.NewTextHandler(l, nil)) }

// stored returns the outbox row of a message as the store has it.
func stored(t *testing.T, st *store.Store, m *bot.Message) *bot.Message {
	t.Helper()
	feed, err := st.Feed(context.Background(), m.Channel, m.Recipient, m.ID-1, 1)
	if err != nil || len(feed) != 1 || feed[0].ID != m.ID {
		t.Fatalf("message %d: %v, %v", m.ID, feed, err)
	}
	return feed[0]
}

// deliverInBackground runs d.DeliverDue until it returns; the returned
// function waits for that.
func deliverInBackground(d *bot.Dispatcher) (wait func() int) {
	done := make(chan int, 1)
	go func() { n, _ := d.DeliverDue(context.Background()); done <- n }()
	return func() int { return <-done }
}

// TestLostLeaseRecordsNothing: a replica whose send outlived its lease,
// while another one took the message over and delivered it, does not
// overwrite that delivery, and says so in its log.
func TestLostLeaseRecordsNothing(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		clock, logs := newClock(), &logBuffer{}
		ga, gb := newGate(bot.StaffRecipient), &recordingSender{}
		a := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: ga}, logs.logger(), bot.DispatcherConfig{Owner: "a", Clock: clock.Now})
		b := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: gb}, quietLog(), bot.DispatcherConfig{Owner: "b", Clock: clock.Now})
		card := &bot.Message{Channel: bot.WebChat, Recipient: bot.StaffRecipient, Kind: bot.KindCard, Card: &bot.Card{Ref: "order:1", Status: "new"}}
		enqueue(t, st, clock, card)
		waitA := deliverInBackground(a)
		ga.waitStarted(t)

		clock.Add(2 * time.Minute) // a's send hangs past its lease (15 s, or the old 60 s)
		if n, err := b.DeliverDue(context.Background()); err != nil || n != 1 {
			t.Fatalf("b took over %d, %v", n, err)
		}
		close(ga.release)
		if n := waitA(); n != 0 {
			t.Fatalf("a counted %d delivered after losing its lease", n)
		}
		if got := stored(t, st, card); got.ExternalID != "ext-1" || got.DeliveredAt.IsZero() {
			t.Fatalf("the row after both sends: %+v", got)
		}
		if ref, _ := st.CardRef(context.Background(), bot.WebChat, "order:1"); ref != "ext-1" {
			t.Fatalf("card ref %q: a's late send overwrote b's", ref)
		}
		if !strings.Contains(logs.String(), "lease lost") {
			t.Fatalf("a did not log the lost lease:\n%s", logs)
		}
	})
}

// TestDeadReplicasMessagesAreTakenOverInSeconds: a replica that claimed a
// message and died (it never renews nor releases) holds it back for one
// short lease only.
func TestDeadReplicasMessagesAreTakenOverInSeconds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		clock := newClock()
		dead, live := newGate("u1"), &recordingSender{}
		a := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: dead}, quietLog(), bot.DispatcherConfig{Owner: "a", Clock: clock.Now})
		b := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: live}, quietLog(), bot.DispatcherConfig{Owner: "b", Clock: clock.Now})
		enqueue(t, st, clock, text("u1", "1"), text("u1", "2"))
		waitA := deliverInBackground(a)
		t.Cleanup(func() { close(dead.release); waitA() })
		dead.waitStarted(t)

		clock.Add(10 * time.Second)
		if n, _ := b.DeliverDue(context.Background()); n != 0 {
			t.Fatal("b took over while a's lease runs")
		}
		clock.Add(6 * time.Second)
		if n, err := b.DeliverDue(context.Background()); err != nil || n != 2 || sentTo(live, "u1") != "1,2" {
			t.Fatalf("16 s after a died, b delivered %d (%q), %v", n, sentTo(live, "u1"), err)
		}
	})
}

// slowSender takes a while for every send and logs who sent what.
type slowSender struct {
	delay time.Duration
	owner string
	log   *sendLog
}

type sendLog struct {
	mu   sync.Mutex
	sent []string // owner:text
}

func (s slowSender) Send(ctx context.Context, m *bot.Message) (string, error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
		return "", ctx.Err()
	}
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.sent = append(s.log.sent, s.owner+":"+m.Text)
	return "", nil
}

// TestTwoReplicasShareAQueueWithoutRepeats: two replicas, a platform that
// takes a while per message, and one customer's queue that takes longer to
// send (3 s) than a lease lasts (2 s): every message goes out once, in
// order.
func TestTwoReplicasShareAQueueWithoutRepeats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		log := &sendLog{}
		var msgs []*bot.Message
		var want []string
		for i := range 25 {
			msgs = append(msgs, text("u1", fmt.Sprint(i+1)))
			want = append(want, fmt.Sprint(i+1))
		}
		if err := st.Enqueue(context.Background(), msgs); err != nil {
			t.Fatal(err)
		}
		for _, owner := range []string{"a", "b"} {
			d := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: slowSender{120 * time.Millisecond, owner, log}}, quietLog(),
				bot.DispatcherConfig{Owner: owner, Lease: 2 * time.Second, Poll: 20 * time.Millisecond})
			run(t, d)
		}
		done := func() bool {
			log.mu.Lock()
			defer log.mu.Unlock()
			return len(log.sent) >= 25
		}
		waitFor(t, "25 sends", done)
		time.Sleep(300 * time.Millisecond) // a repeat would come now
		log.mu.Lock()
		defer log.mu.Unlock()
		var got []string
		for _, s := range log.sent {
			got = append(got, s[strings.Index(s, ":")+1:])
		}
		if strings.Join(got, ",") != strings.Join(want, ",") {
			t.Fatalf("sent %v", log.sent)
		}
	})
}

// TestShutdownLetsSendsFinishAndGivesTheRestBack: at shutdown the send
// under way finishes, nothing more is sent, and the messages this replica
// had claimed are free at once for another one.
func TestShutdownLetsSendsFinishAndGivesTheRestBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		clock, logs := newClock(), &logBuffer{}
		g := newGate("u1")
		a := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: g}, logs.logger(),
			bot.DispatcherConfig{Owner: "a", Poll: time.Hour, Clock: clock.Now})
		run(t, a)
		enqueue(t, st, clock, text("u1", "1"), text("u1", "2"), text("u1", "3"))
		a.Kick()
		g.waitStarted(t)

		stopped := make(chan error, 1)
		go func() { stopped <- a.Shutdown(context.Background()) }()
		select {
		case err := <-stopped:
			t.Fatalf("Shutdown returned with a send under way: %v", err)
		case <-time.After(100 * time.Millisecond):
		}
		close(g.release)
		if err := <-stopped; err != nil {
			t.Fatal(err)
		}
		if got := sentTo(&g.recordingSender, "u1"); got != "1" {
			t.Fatalf("sent %q during shutdown, want only the send under way", got)
		}
		if !strings.Contains(logs.String(), "left_for_next_start=2") {
			t.Fatalf("the log does not say what was left:\n%s", logs)
		}
		next := &recordingSender{}
		b := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: next}, quietLog(), bot.DispatcherConfig{Owner: "b", Clock: clock.Now})
		if n, err := b.DeliverDue(context.Background()); err != nil || n != 2 || sentTo(next, "u1") != "2,3" {
			t.Fatalf("the next replica delivered %d (%q), %v: the leases were not given back", n, sentTo(next, "u1"), err)
		}
	})
}

// TestShutdownCancelsSendsPastTheGracePeriod: a send still hanging when
// the grace period ends is cancelled, counts as no attempt, and its
// message is free at once for another replica.
func TestShutdownCancelsSendsPastTheGracePeriod(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		clock := newClock()
		g := newGate("u1")
		a := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: g}, quietLog(),
			bot.DispatcherConfig{Owner: "a", Poll: time.Hour, Clock: clock.Now})
		run(t, a)
		m := text("u1", "1")
		enqueue(t, st, clock, m)
		a.Kick()
		g.waitStarted(t)

		ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if err := a.Shutdown(ctx); err != nil {
			t.Fatal(err)
		}
		got := stored(t, st, m)
		if got.Attempts != 0 || got.LastError != "" || !got.NextAt.Equal(m.NextAt) {
			t.Fatalf("a cancelled send counted as a failed attempt: %+v", got)
		}
		next := &recordingSender{}
		b := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: next}, quietLog(), bot.DispatcherConfig{Owner: "b", Clock: clock.Now})
		if n, err := b.DeliverDue(context.Background()); err != nil || n != 1 {
			t.Fatalf("the next replica delivered %d, %v", n, err)
		}
	})
}

// TestRunGivesLeasesBackWhenItsContextEnds: a Run stopped without
// Shutdown leaves no lease behind either.
func TestRunGivesLeasesBackWhenItsContextEnds(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		clock := newClock()
		g := newGate("u1")
		a := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: g}, quietLog(),
			bot.DispatcherConfig{Owner: "a", Poll: time.Hour, Clock: clock.Now})
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { _ = a.Run(ctx); close(done) }()
		enqueue(t, st, clock, text("u1", "1"), text("u1", "2"))
		a.Kick()
		g.waitStarted(t)
		cancel()
		<-done
		next := &recordingSender{}
		b := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: next}, quietLog(), bot.DispatcherConfig{Owner: "b", Clock: clock.Now})
		if n, err := b.DeliverDue(context.Background()); err != nil || n != 2 {
			t.Fatalf("the next replica delivered %d, %v", n, err)
		}
	})
}

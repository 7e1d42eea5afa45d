package bot_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// countingClaims counts the messages the dispatcher's claims of the outbox
// brought it.
type countingClaims struct {
	bot.DispatchStore
	claimed atomic.Int64
}

func (c *countingClaims) ClaimDueUpTo(ctx context.Context, owner string, now, until time.Time, limit, bulk int) ([]*bot.Message, error) {
	ms, err := c.DispatchStore.ClaimDueUpTo(ctx, owner, now, until, limit, bulk)
	c.claimed.Add(int64(len(ms)))
	return ms, err
}

func (c *countingClaims) ClaimNextUpTo(ctx context.Context, owner, channel, recipient string, now, until time.Time, limit, bulk int) ([]*bot.Message, error) {
	ms, err := c.DispatchStore.ClaimNextUpTo(ctx, owner, channel, recipient, now, until, limit, bulk)
	c.claimed.Add(int64(len(ms)))
	return ms, err
}

// courierShop is a shop whose replies go by the courier of a running
// dispatcher delivering through sender.
func courierShop(t *testing.T, st *store.Store, sender bot.Sender) (*shop, *countingClaims) {
	t.Helper()
	claims := &countingClaims{DispatchStore: st}
	d := bot.NewDispatcher(claims, map[string]bot.Sender{bot.WebChat: sender}, quietLog(),
		bot.DispatcherConfig{Owner: "here", Poll: 50 * time.Millisecond})
	run(t, d)
	waitFor(t, "the dispatcher to run", func() bool { _, _, ok := d.Lease(); return ok })
	return newShopWith(t, st, bot.Config{Courier: d}), claims
}

// TestCarriedReplyNeedsNoClaim: a reply written while nothing waits for
// the customer goes out without any claim of the outbox, and is recorded
// as delivered.
func TestCarriedReplyNeedsNoClaim(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		sender := &recordingSender{}
		s, claims := courierShop(t, st, sender)
		replies := s.say("u1", "menu")
		waitFor(t, "the reply", func() bool { return len(sender.messages()) == len(replies) })
		if n := claims.claimed.Load(); n != 0 {
			t.Errorf("claims took %d messages; want the reply carried without one", n)
		}
		waitFor(t, "the delivery recorded", func() bool { return !stored(t, st, replies[0]).DeliveredAt.IsZero() })
		// The next step of the same customer goes the same way.
		more := s.press("u1", "browse")
		waitFor(t, "the second reply", func() bool { return len(sender.messages()) == len(replies)+len(more) })
		if n := claims.claimed.Load(); n != 0 {
			t.Errorf("claims took %d messages; want both replies carried", n)
		}
	})
}

// TestCarriedReplyKeepsItsPlace: a reply is not carried past a message
// that waits for the customer elsewhere (here for a retry); it goes out
// after it, by a claim. Behind one this dispatcher is sending, it is
// carried and goes after it too.
func TestCarriedReplyKeepsItsPlace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		g := newGate("held")
		s, claims := courierShop(t, st, g)
		ctx := context.Background()

		// Waiting for a retry: the reply waits behind it.
		first := &bot.Message{Channel: bot.WebChat, Recipient: "u1", Kind: bot.KindReply, Text: "earlier",
			NextAt: time.Now().Add(300 * time.Millisecond)}
		if err := st.Enqueue(ctx, []*bot.Message{first}); err != nil {
			t.Fatal(err)
		}
		replies := s.say("u1", "menu")
		waitFor(t, "both messages", func() bool { return len(g.messages()) == 1+len(replies) })
		if got := g.messages()[0].Text; got != "earlier" {
			t.Errorf("first sent %q; want the message that waited", got)
		}
		if n := claims.claimed.Load(); n != int64(1+len(replies)) {
			t.Errorf("claims took %d messages; want %d (the reply waited for a claim)", n, 1+len(replies))
		}

		// Being sent here: the reply is carried and queued behind it.
		claimed := claims.claimed.Load()
		sentBefore := len(g.messages())
		busy := &bot.Message{Channel: bot.WebChat, Recipient: "held", Kind: bot.KindReply, Text: "in flight"}
		if err := st.Enqueue(ctx, []*bot.Message{busy}); err != nil {
			t.Fatal(err)
		}
		if m := g.waitStarted(t); m.Text != "in flight" {
			t.Fatalf("started %q", m.Text)
		}
		replies = s.say("held", "menu")
		close(g.release)
		waitFor(t, "the reply behind it", func() bool { return len(g.messages()) == sentBefore+1+len(replies) })
		want := "in flight"
		for _, r := range replies {
			want += "," + r.Text
		}
		if got := sentTo(&g.recordingSender, "held"); got != want {
			t.Errorf("sent %q; want the message in flight, then the reply: %q", got, want)
		}
		if n := claims.claimed.Load() - claimed; n != 1 {
			t.Errorf("claims took %d messages; want 1 (only the one in flight)", n)
		}
	})
}

// lostCourier leases replies to a replica that dies before carrying them.
type lostCourier struct{ until time.Time }

func (c lostCourier) Lease() (string, time.Time, bool) { return "died", c.until, true }
func (lostCourier) Carry([]*bot.Message)               {}

// TestCarriedReplyOfADeadReplicaIsTakenOver: a reply leased to a replica
// that died before sending it is sent by another one once the lease has
// run out, once.
func TestCarriedReplyOfADeadReplicaIsTakenOver(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		// The shop's clock starts where newClock's does.
		s := newShopWith(t, st, bot.Config{Courier: lostCourier{until: newClock().Now().Add(time.Minute)}})
		clock := s.clock
		replies := s.say("u1", "menu")
		sender := &recordingSender{}
		d := dispatcher(st, clock, "survivor", sender)
		if n, err := d.DeliverDue(context.Background()); n != 0 || err != nil {
			t.Fatalf("before the lease ran out: delivered %d, %v; want 0", n, err)
		}
		clock.Add(time.Minute + time.Second)
		if n, err := d.DeliverDue(context.Background()); n != len(replies) || err != nil {
			t.Fatalf("after the lease ran out: delivered %d, %v; want %d", n, err, len(replies))
		}
		if n, _ := d.DeliverDue(context.Background()); n != 0 {
			t.Errorf("delivered %d more; want each reply once", n)
		}
	})
}

// TestKickOnlyForClaims: a customer's message whose replies the courier
// carries asks the dispatcher for no claim (it would find nothing and cost
// the database three statements); one that queued a message only a claim
// sends does, at once: a reply behind a message waiting for the customer,
// and a held message the customer's message makes due again.
func TestKickOnlyForClaims(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		sender := &recordingSender{}
		d := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: sender}, quietLog(),
			bot.DispatcherConfig{Owner: "here", Poll: time.Hour})
		run(t, d)
		waitFor(t, "the dispatcher to run", func() bool { _, _, ok := d.Lease(); return ok })
		var kicks atomic.Int64
		svc := bot.NewService(st, quietLog(), bot.Config{Courier: d, StaffChannels: []string{bot.WebChat}}, func() { kicks.Add(1) })
		say := func(user, text string) []*bot.Message {
			t.Helper()
			out, err := svc.HandleInbound(ctx, bot.Inbound{Channel: bot.WebChat, UserID: user, Text: text})
			if err != nil || len(out) == 0 {
				t.Fatalf("%s says %q: %d replies, %v", user, text, len(out), err)
			}
			return out
		}

		carried := say("u1", "menu")
		if carried[0].LeasedTo == "" {
			t.Fatal("the reply was not leased to the courier")
		}
		if n := kicks.Load(); n != 0 {
			t.Errorf("carried replies kicked the dispatcher %d times", n)
		}

		// A message waiting for a retry: the reply queues behind it.
		retry := &bot.Message{Channel: bot.WebChat, Recipient: "u2", Kind: bot.KindReply, Text: "earlier", NextAt: time.Now().Add(time.Hour)}
		if err := st.Enqueue(ctx, []*bot.Message{retry}); err != nil {
			t.Fatal(err)
		}
		if out := say("u2", "menu"); out[0].LeasedTo != "" {
			t.Fatal("a reply was carried past a waiting message")
		}
		if n := kicks.Load(); n != 1 {
			t.Errorf("a reply queued for a claim kicked the dispatcher %d times, want 1", n)
		}

		// A held message: the customer's next message releases it.
		held := &bot.Message{Channel: bot.WebChat, Recipient: "u3", Kind: bot.KindNotice, Text: "your order shipped"}
		if err := st.Enqueue(ctx, []*bot.Message{held}); err != nil {
			t.Fatal(err)
		}
		if _, err := st.ClaimNext(ctx, "elsewhere", bot.WebChat, "u3", time.Now(), time.Now().Add(time.Minute), 1); err != nil {
			t.Fatal(err)
		}
		if err := st.MarkHeld(ctx, "elsewhere", held.ID, time.Now(), "outside the window"); err != nil {
			t.Fatal(err)
		}
		before := kicks.Load()
		say("u3", "menu")
		if n := kicks.Load() - before; n != 1 {
			t.Errorf("releasing a held message kicked the dispatcher %d times, want 1", n)
		}
	})
}

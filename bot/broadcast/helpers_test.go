package broadcast_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/broadcast"
	"github.com/orderbot/orderbot/bot/care"
	"github.com/orderbot/orderbot/store"
)

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

var (
	approver  = bot.Staff{Channel: bot.WebChat, UserID: "alice", Name: "alice", Role: bot.Approver}
	approver2 = bot.Staff{Channel: bot.WebChat, UserID: "bob", Name: "bob", Role: bot.Approver}
	agent     = bot.Staff{Channel: bot.WebChat, UserID: "ann", Name: "ann", Role: bot.Agent}
)

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// shop is the core, care (for consent) and broadcasts on one real store.
type shop struct {
	t     *testing.T
	st    *store.Store
	svc   *bot.Service
	bc    *broadcast.Service
	clock *clock
	seq   atomic.Int64
}

func newShop(t *testing.T, st *store.Store, twoPeople bool) *shop {
	t.Helper()
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	staff := []string{bot.WebChat}
	cs := care.New(st, quiet(), care.Config{Clock: c.Now, StaffChannels: staff}, nil)
	bc := broadcast.New(st, quiet(), broadcast.Config{TwoPeople: twoPeople, StaffChannels: staff, Clock: c.Now, Batch: 3}, nil)
	svc := bot.NewService(st, quiet(), bot.Config{StaffChannels: staff, Clock: c.Now, Care: cs, Broadcasts: bc}, nil)
	for _, s := range []bot.Staff{approver, approver2, agent} {
		if err := svc.SaveStaff(ctx, "test", s); err != nil {
			t.Fatal(err)
		}
	}
	return &shop{t: t, st: st, svc: svc, bc: bc, clock: c}
}

// say is a customer's message on a channel.
func (s *shop) say(channel, user, lang, text string) {
	s.t.Helper()
	in := bot.Inbound{Channel: channel, UserID: user, Text: text, LangHint: lang, DedupKey: fmt.Sprintf("test:%d", s.seq.Add(1))}
	if _, err := s.svc.HandleInbound(context.Background(), in); err != nil {
		s.t.Fatalf("%s/%s says %q: %v", channel, user, text, err)
	}
}

// customer makes a customer who says hello, and opts in when subscribed.
func (s *shop) customer(channel, user, lang string, subscribed bool) int64 {
	s.t.Helper()
	s.say(channel, user, lang, "hi")
	if subscribed {
		s.say(channel, user, lang, "subscribe")
	}
	c, err := s.st.CustomerByUser(context.Background(), channel, user)
	if err != nil {
		s.t.Fatal(err)
	}
	return c.ID
}

func (s *shop) create(b broadcast.Broadcast) broadcast.Broadcast {
	s.t.Helper()
	out, err := s.bc.Create(context.Background(), agent, b)
	if err != nil {
		s.t.Fatalf("create %+v: %v", b, err)
	}
	return out
}

func (s *shop) act(who bot.Staff, id int64, action string) broadcast.Broadcast {
	s.t.Helper()
	b, err := s.bc.Act(context.Background(), who, id, action)
	if err != nil {
		s.t.Fatalf("%s %s broadcast %d: %v", who.Name, action, id, err)
	}
	return b
}

func (s *shop) sendDue() int {
	s.t.Helper()
	n, err := s.bc.SendDue(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

// promotions are the bulk messages queued to a customer.
func (s *shop) promotions(channel, user string) []*bot.Message {
	s.t.Helper()
	ms, err := s.st.Feed(context.Background(), channel, user, 0, 1000)
	if err != nil {
		s.t.Fatal(err)
	}
	var out []*bot.Message
	for _, m := range ms {
		if m.Bulk {
			out = append(out, m)
		}
	}
	return out
}

func (s *shop) report(id int64) broadcast.Report {
	s.t.Helper()
	_, rep, err := s.bc.Get(context.Background(), id)
	if err != nil {
		s.t.Fatal(err)
	}
	return rep
}

var both = broadcast.Broadcast{TextZH: "新茶上市，全场九折", TextEN: "New season's tea is in: 10% off everything"}

package bot_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// A platform that refuses to deliver now (WeChat outside its window) gets
// the message again with the reply to the customer's next message.
func TestHeldNoticeGoesOutWithTheNextReply(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		ctx := context.Background()
		o := s.orderByNumber(s.order("u1", "TEA", 1))
		if _, err := s.act("alice", fmt.Sprintf("order:%d", o.ID), bot.ActApprove, o.Version); err != nil {
			t.Fatal(err)
		}
		out := &holdNotices{}
		d := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: fanout{&recordingSender{}, out}}, quietLog(),
			bot.DispatcherConfig{Owner: "d", Clock: s.clock.Now})
		// Everything but the approval notice was delivered before; take it now.
		for range 2 {
			if _, err := d.DeliverDue(ctx); err != nil {
				t.Fatal(err)
			}
		}
		s.clock.Add(time.Hour)
		if _, err := d.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		var notices int
		for _, m := range out.messages() {
			if m.Kind == bot.KindNotice {
				notices++
			}
		}
		if notices != 0 {
			t.Fatalf("a held notice was sent %d times before the customer wrote", notices)
		}
		replies := s.say("u1", "help")
		if len(replies) < 2 || replies[0].Kind != bot.KindNotice || !strings.Contains(replies[0].Text, o.Number) {
			t.Fatalf("the held notice did not lead the reply: %+v", replies)
		}
	})
}

func TestReplyHoldLetsTheAdapterAnswerInPlace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx, clock := context.Background(), newClock()
		svc := bot.NewService(st, quietLog(), bot.Config{Clock: clock.Now, StaffLang: bot.StaffLangEN, ReplyHold: map[string]time.Duration{bot.WebChat: 5 * time.Second}}, nil)
		out := &recordingSender{}
		d := bot.NewDispatcher(st, map[string]bot.Sender{bot.WebChat: out}, quietLog(), bot.DispatcherConfig{Owner: "d", Clock: clock.Now})

		first, err := svc.HandleInbound(ctx, bot.Inbound{Channel: bot.WebChat, UserID: "u1", DedupKey: "k1", Text: "menu"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := d.DeliverDue(ctx); err != nil || len(out.messages()) != 0 {
			t.Fatalf("dispatcher sent a reply during its hold: %d, %v", len(out.messages()), err)
		}
		ids := []int64{first[0].ID}
		if all, err := svc.MarkReplied(ctx, ids, "passive"); err != nil || !all {
			t.Fatalf("mark replied: %v, %v", all, err)
		}
		// A reply the adapter was too late for goes out once the hold is over.
		clock.Add(time.Second)
		if _, err := svc.HandleInbound(ctx, bot.Inbound{Channel: bot.WebChat, UserID: "u1", DedupKey: "k2", Text: "help"}); err != nil {
			t.Fatal(err)
		}
		clock.Add(6 * time.Second)
		if _, err := d.DeliverDue(ctx); err != nil {
			t.Fatal(err)
		}
		sent := out.messages()
		if len(sent) != 1 || sent[0].ID == first[0].ID {
			t.Fatalf("sent %+v: want only the late reply", sent)
		}
		last, n, err := svc.Window(ctx, bot.WebChat, "u1", "passive")
		if err != nil || !last.Equal(clock.Now().Add(-6*time.Second)) || n != 0 {
			t.Fatalf("window: %v, %d, %v", last, n, err)
		}
	})
}

func TestOrderDetailsAndStats(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		ctx := context.Background()
		n1 := s.order("u1", "TEA", 2)
		n2 := s.order("u2", "POT", 1)
		o2 := s.orderByNumber(n2)
		if _, err := s.act("alice", fmt.Sprintf("order:%d", o2.ID), bot.ActReject, o2.Version, "sold out"); err != nil {
			t.Fatal(err)
		}
		card, err := s.svc.OrderDetails(ctx, n2)
		if err != nil {
			t.Fatal(err)
		}
		timeline := card.Fields[len(card.Fields)-1]
		if timeline.Label != "Timeline" || !strings.Contains(timeline.Value, "Placed by") || !strings.Contains(timeline.Value, "Rejected by alice") {
			t.Fatalf("timeline %+v", timeline)
		}
		if _, err := s.svc.OrderDetails(ctx, "999999"); err == nil {
			t.Fatal("unknown order found")
		}
		day := s.clock.Now().Truncate(24 * time.Hour)
		count, revenue, err := s.svc.Stats(ctx, day, day.Add(24*time.Hour))
		if err != nil || count != 2 || revenue != 2*3800 {
			t.Fatalf("stats %d orders, %d revenue, %v (order %s counted, %s rejected)", count, revenue, err, n1, n2)
		}
	})
}

func TestCustomerMessagesDuringHandoffReachStaffThread(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		ctx := context.Background()
		s.say("u1", "human")
		s.say("u1", "Can I pick up the order myself?")
		msgs, err := st.Feed(ctx, bot.WebChat, bot.StaffRecipient, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		last := msgs[len(msgs)-1]
		if last.Kind != bot.KindThread || last.Text != "Can I pick up the order myself?" || last.Card == nil || !strings.HasPrefix(last.Card.Ref, "handoff:") {
			t.Fatalf("relay: %+v", last)
		}
		cards, err := s.svc.OpenWork(ctx)
		if err != nil || len(cards) != 1 {
			t.Fatalf("open work %+v, %v", cards, err)
		}
		if _, err := s.act("ann", cards[0].Ref, bot.ActReply, 0, ""); err == nil {
			t.Fatal("an empty staff reply was accepted")
		}
		a := bot.StaffAction{Channel: bot.WebChat, UserID: "ann", Ref: cards[0].Ref, Action: bot.ActReply, Text: "Yes, any day after 10:00."}
		if _, err := s.svc.HandleStaffAction(ctx, a); err != nil {
			t.Fatal(err)
		}
		feed := s.feed("u1")
		if got := feed[len(feed)-1]; !strings.Contains(got.Text, "any day after 10:00") {
			t.Fatalf("staff reply not relayed: %+v", got)
		}
	})
}

// holdNotices refuses customer notifications the way a platform outside its
// window does, and sends everything else.
type holdNotices struct{ recordingSender }

func (h *holdNotices) Send(ctx context.Context, m *bot.Message) (string, error) {
	if m.Kind == bot.KindNotice {
		return "", fmt.Errorf("window closed: %w", bot.ErrHold)
	}
	return h.recordingSender.Send(ctx, m)
}

func TestCustomerLeavingEndsTheHandoff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		ctx := context.Background()
		s.say("u1", "human")
		s.say("u1", "menu")
		if cards, err := s.svc.OpenWork(ctx); err != nil || len(cards) != 0 {
			t.Fatalf("handoff still open after the customer left: %+v, %v", cards, err)
		}
		msgs, err := st.Feed(ctx, bot.WebChat, bot.StaffRecipient, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		if last := msgs[len(msgs)-1]; last.Kind != bot.KindThread || !strings.Contains(last.Card.Status, "Ended by the customer") {
			t.Fatalf("staff not told: %+v", last)
		}
		// Asking again opens a new handoff.
		s.say("u1", "human")
		if cards, _ := s.svc.OpenWork(ctx); len(cards) != 1 {
			t.Fatalf("second handoff: %d cards", len(cards))
		}
	})
}

func TestSaveMediaTakesOnlyImages(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		ctx := context.Background()
		png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 100)...)
		ref, err := s.svc.SaveMedia(ctx, bot.WebChat, "u1", png)
		if err != nil || !strings.HasPrefix(ref, "media:") {
			t.Fatalf("ref %q, %v", ref, err)
		}
		m, err := s.svc.MediaByRef(ctx, ref)
		if err != nil || m.ContentType != "image/png" || m.Owner != "u1" || len(m.Data) != len(png) {
			t.Fatalf("media %+v, %v", m.ContentType, err)
		}
		for name, data := range map[string][]byte{
			"html posing as a photo": []byte("<html><script>alert(1)</script></html>"),
			"empty":                  nil,
			"too large":              append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, bot.MaxMediaBytes)...),
		} {
			if _, err := s.svc.SaveMedia(ctx, bot.WebChat, "u1", data); !errors.Is(err, bot.ErrInvalid) {
				t.Errorf("%s: %v", name, err)
			}
		}
		for i := 1; i < 20; i++ {
			if _, err := s.svc.SaveMedia(ctx, bot.WebChat, "u1", png); err != nil {
				t.Fatalf("photo %d: %v", i+1, err)
			}
		}
		if _, err := s.svc.SaveMedia(ctx, bot.WebChat, "u1", png); !errors.Is(err, bot.ErrInvalid) {
			t.Fatalf("the 21st photo in an hour: %v", err)
		}
		if _, err := s.svc.SaveMedia(ctx, bot.WebChat, "u2", png); err != nil {
			t.Fatalf("another customer's photo: %v", err)
		}
		s.clock.Add(time.Hour + time.Second)
		if _, err := s.svc.SaveMedia(ctx, bot.WebChat, "u1", png); err != nil {
			t.Fatalf("a photo an hour later: %v", err)
		}
		for _, bad := range []string{"media:0", "media:x", "AgACAgIAAxkBAAIB", "media:999999"} {
			if _, err := s.svc.MediaByRef(ctx, bad); !errors.Is(err, bot.ErrNotFound) {
				t.Errorf("ref %q: %v", bad, err)
			}
		}
	})
}

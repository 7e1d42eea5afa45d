package privacy_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/privacy"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestEraseLeavesNoTraceButOrdersAndAudit reads the whole database after an
// erase: no name, phone, address, typed text, photo or platform id of the
// customer is left in any table, while the order keeps its items and
// amounts and the audit trail says who erased whom and when.
func TestEraseLeavesNoTraceButOrdersAndAudit(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *shop) {
		ctx := context.Background()
		c, o := s.journey(userID)
		found := strings.Join(traces(t, s.dsn), " ")
		for _, secret := range secrets {
			if !strings.Contains(found, strconv.Quote(secret)) {
				t.Fatalf("the journey left no %q to erase: the test would prove nothing", secret)
			}
		}

		res, err := s.privacy.Erase(ctx, "alice (webchat)", c.ID)
		must(t, err)
		if res.AlreadyErased || res.Orders != 1 || res.AfterSales != 1 || res.Media != 1 || res.ChatLines != 1 || res.Messages == 0 {
			t.Fatalf("erase result %+v", res)
		}
		if found := traces(t, s.dsn); len(found) > 0 {
			t.Fatalf("personal data left after the erase: %v", found)
		}

		kept, err := s.st.OrderByNumber(ctx, o.Number)
		must(t, err)
		if kept.Total != o.Total || !reflect.DeepEqual(kept.Items, o.Items) || kept.Status != o.Status || kept.Contact != (bot.Contact{}) {
			t.Fatalf("order after erase %+v, before %+v", kept, o)
		}
		audit, err := s.st.Audit(ctx, "customer", strconv.FormatInt(c.ID, 10))
		must(t, err)
		last := audit[len(audit)-1]
		if last.Action != "erase" || last.Actor != "alice (webchat)" || !last.At.Equal(s.clock.Now()) {
			t.Fatalf("audit after erase: %+v", audit)
		}
		if len(kept.History) == 0 || kept.History[0].Actor != "customer webchat:erased:"+strconv.FormatInt(c.ID, 10) {
			t.Fatalf("history actor after erase: %+v", kept.History)
		}
	})
}

// TestEraseEditsPostedCards: a staff channel that posted a card of the
// customer's gets the card again, without the customer in it, so that it
// edits the post; the outbox keeps no earlier version with the customer.
func TestEraseEditsPostedCards(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *shop) {
		ctx := context.Background()
		c, o := s.journey(userID)
		before, err := s.st.Feed(ctx, bot.Slack, bot.StaffRecipient, 0, 0)
		must(t, err)
		res, err := s.privacy.Erase(ctx, "alice (webchat)", c.ID)
		must(t, err)
		if res.CardsQueued != 1 {
			t.Fatalf("%d cards queued, want the one posted on Slack", res.CardsQueued)
		}
		after, err := s.st.Feed(ctx, bot.Slack, bot.StaffRecipient, before[len(before)-1].ID, 0)
		must(t, err)
		ref := fmt.Sprintf("order:%d", o.ID)
		if len(after) != 1 || after[0].Kind != bot.KindCard || after[0].Card == nil || after[0].Card.Ref != ref {
			t.Fatalf("queued after erase: %+v", after)
		}
		if strings.Contains(fmt.Sprint(after[0].Card), custPhone) || !strings.Contains(after[0].Card.Title, o.Number) {
			t.Fatalf("redacted card %+v", after[0].Card)
		}

		// The dispatcher edits the posted card: it sends the redacted card
		// with the post's id, and nothing it sends names the customer.
		rec := &recorder{}
		senders := map[string]bot.Sender{bot.Slack: rec, bot.WebChat: rec}
		d := bot.NewDispatcher(s.st, senders, quietLog(), bot.DispatcherConfig{Clock: s.clock.Now})
		_, err = d.DeliverDue(ctx)
		must(t, err)
		edited := false
		for _, m := range rec.sent {
			text := fmt.Sprintf("%s %+v", m.Text, m.Card)
			for _, secret := range secrets {
				if strings.Contains(text, secret) {
					t.Errorf("sent to %s after the erase: %q", m.Channel, text)
				}
			}
			edited = edited || (m.Channel == bot.Slack && m.Card != nil && m.Card.Ref == ref && m.ExternalID == "1700000000.000100")
		}
		if !edited {
			t.Fatalf("the posted card was not edited: %d messages sent", len(rec.sent))
		}
	})
}

// recorder is a staff channel that keeps what it is sent.
type recorder struct {
	mu   sync.Mutex
	sent []bot.Message
}

func (r *recorder) Send(_ context.Context, m *bot.Message) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sent = append(r.sent, *m)
	if m.ExternalID != "" {
		return m.ExternalID, nil
	}
	return fmt.Sprintf("posted-%d", len(r.sent)), nil
}

// TestEraseTwiceIsTheSameAndUnknownIsNotFound: a second erase changes
// nothing and is no error; an unknown customer is bot.ErrNotFound.
func TestEraseTwiceIsTheSameAndUnknownIsNotFound(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *shop) {
		ctx := context.Background()
		c, _ := s.journey(userID)
		first, err := s.privacy.Erase(ctx, "alice (webchat)", c.ID)
		must(t, err)
		dump := storetest.Dump(t, s.dsn)
		s.clock.Add(1)
		again, err := s.privacy.Erase(ctx, "bob (api)", c.ID)
		must(t, err)
		if !again.AlreadyErased || !again.ErasedAt.Equal(first.ErasedAt) {
			t.Fatalf("second erase %+v, first %+v", again, first)
		}
		if !reflect.DeepEqual(storetest.Dump(t, s.dsn), dump) {
			t.Fatal("the second erase changed the database")
		}
		if _, err := s.privacy.Erase(ctx, "alice (webchat)", c.ID+1000); !errors.Is(err, bot.ErrNotFound) {
			t.Fatalf("erase of an unknown customer: %v", err)
		}
	})
}

// TestEraseTouchesNoOtherCustomer: another customer with the same kind of
// journey keeps everything.
func TestEraseTouchesNoOtherCustomer(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *shop) {
		ctx := context.Background()
		other, otherOrder := s.journey("wx-other-1")
		c, _ := s.journey(userID)
		_, err := s.privacy.Erase(ctx, "alice (webchat)", c.ID)
		must(t, err)
		kept, err := s.st.Customer(ctx, other.ID)
		must(t, err)
		if kept.Name != custName || kept.Phone != custPhone || kept.UserID != "wx-other-1" {
			t.Fatalf("other customer after erase: %+v", kept)
		}
		o, err := s.st.OrderByNumber(ctx, otherOrder.Number)
		must(t, err)
		if o.Contact.Phone != custPhone {
			t.Fatalf("other customer's order after erase: %+v", o.Contact)
		}
		feed, err := s.st.Feed(ctx, bot.WebChat, "wx-other-1", 0, 0)
		must(t, err)
		if len(feed) == 0 {
			t.Fatal("other customer's messages are gone")
		}
	})
}

// TestEraseDeletesDedupKeysNamingTheUser: WeChat's dedup keys hold the
// OpenID; they go, with every character of the id taken literally, and a
// user whose id only starts the same keeps theirs.
func TestEraseDeletesDedupKeysNamingTheUser(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *shop) {
		ctx := context.Background()
		const openID, similar = "oAbC_12%x", "oAbC_12%xy"
		c, err := s.st.LockCustomer(ctx, bot.WeChat, openID)
		must(t, err)
		keys := map[string]bool{
			"wechat:msg:" + openID + ":1":              false,
			"wechat:event:" + openID + ":2:subscribe:": false,
			"wechat:msg:" + similar + ":3":             true,
			"wechat:msg:oAbC-12%x:4":                   true,
			"telegram:5":                               true,
		}
		for k := range keys {
			must(t, s.st.RecordInbound(ctx, k, s.clock.Now()))
		}
		res, err := s.privacy.Erase(ctx, "alice (webchat)", c.ID)
		must(t, err)
		if res.Inbound != 2 {
			t.Fatalf("erase result %+v", res)
		}
		for k, kept := range keys {
			err := s.st.RecordInbound(ctx, k, s.clock.Now())
			if kept != errors.Is(err, bot.ErrDuplicate) {
				t.Errorf("key %q kept %v: %v", k, kept, err)
			}
		}
	})
}

// TestEraseWhileTheCustomerWrites: messages arriving during the erase wait
// for it or come first; none fails, and one that comes after starts a new
// customer rather than filling the erased one again.
func TestEraseWhileTheCustomerWrites(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *shop) {
		ctx := context.Background()
		c, _ := s.journey(userID)
		var wg sync.WaitGroup
		errs := make(chan error, 20)
		for i := range 10 {
			wg.Go(func() {
				_, err := s.svc.HandleInbound(ctx, bot.Inbound{Channel: bot.WebChat, UserID: userID,
					DedupKey: fmt.Sprintf("webchat:%s:race-%d", userID, i), Text: "menu"})
				errs <- err
			})
		}
		wg.Go(func() {
			_, err := s.privacy.Erase(ctx, "alice (webchat)", c.ID)
			errs <- err
		})
		wg.Wait()
		close(errs)
		for err := range errs {
			must(t, err)
		}
		erased, err := s.st.Customer(ctx, c.ID)
		must(t, err)
		if !erased.Erased() || erased.Name != "" || erased.Phone != "" || erased.Conversation != nil {
			t.Fatalf("customer after erase: %+v", erased)
		}
		feed, err := s.st.Feed(ctx, bot.WebChat, bot.ErasedUserID(c.ID), 0, 0)
		must(t, err)
		if len(feed) != 0 {
			t.Fatalf("%d messages to the erased customer", len(feed))
		}
	})
}

// TestTwoErasesAtOnce: one erases, the other finds it done; no customer is
// made up on the way.
func TestTwoErasesAtOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *shop) {
		ctx := context.Background()
		c, _ := s.journey(userID)
		var wg sync.WaitGroup
		results, errs := make([]bool, 2), make([]error, 2)
		for i := range results {
			wg.Go(func() {
				var res privacy.Result
				res, errs[i] = s.privacy.Erase(ctx, "alice (webchat)", c.ID)
				results[i] = res.AlreadyErased
			})
		}
		wg.Wait()
		must(t, errors.Join(errs...))
		if results[0] == results[1] {
			t.Fatalf("already erased: %v, want one of each", results)
		}
		if _, err := s.st.CustomerByUser(ctx, bot.WebChat, userID); !errors.Is(err, bot.ErrNotFound) {
			t.Fatalf("a customer holds the erased platform id: %v", err)
		}
	})
}

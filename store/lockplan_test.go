package store_test

import (
	"context"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestLockForInboundPlan: the read every customer message starts with
// finds the customer by its unique key, the event by primary key, and
// whether the customer has held or waiting messages on idx_messages_queue,
// among the recipient's undelivered messages only, never scanning the
// outbox or the recipient's delivered history (migration 26 dropped the
// index of held messages that the first subquery once used).
func TestLockForInboundPlan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := customer(t, s, "42")
		for i := range 20 { // other recipients' messages
			must(t, s.Enqueue(ctx, []*bot.Message{{Channel: bot.Telegram, Recipient: fmt.Sprint(100 + i), Kind: bot.KindReply, Text: "hi", NextAt: t0}}))
		}
		sent := enqueue(t, s, 30, t0) // to 42, the customer
		claim(t, s, "a", t0, 50)
		for _, m := range sent[:28] {
			must(t, s.MarkDelivered(ctx, "a", m.ID, t0, "", ""))
		}
		must(t, s.MarkHeld(ctx, "a", sent[28].ID, t0, "outside the window"))

		must(t, s.InTx(ctx, func(tx bot.Repo) error { return tx.RecordInboundReply(ctx, "e1", t0, nil) }))

		lk, err := s.LockForInbound(ctx, bot.Telegram, c.UserID, "e1", "b")
		must(t, err)
		if !lk.Held || !lk.Waiting || !lk.Seen {
			t.Errorf("lock read held %v, waiting %v, seen %v; want all", lk.Held, lk.Waiting, lk.Seen)
		}
		plan, err := store.ExplainLockForInbound(ctx, s, bot.Telegram, c.UserID, "e1", "b")
		must(t, err)
		var bad []string
		switch {
		case s.Dialect() == "sqlite":
			bad = append(bad, missing(plan, "SEARCH customers USING INDEX uq_customers_user (channel=? AND user_id=?)",
				"SEARCH inbound USING INDEX sqlite_autoindex_inbound_1 (dedup_key=?)",
				"SEARCH messages USING INDEX idx_messages_queue (channel=? AND recipient=? AND delivered_at=?)")...)
			if m := regexp.MustCompile(`SCAN (messages|customers|inbound)\b`).FindString(plan); m != "" {
				bad = append(bad, m)
			}
		case s.TiDB():
			bad = append(bad, missing(plan, "index:uq_customers_user", "index:idx_messages_queue")...)
			if strings.Contains(plan, "FullScan") {
				bad = append(bad, "a full scan")
			}
		default:
			bad = append(bad, mysqlKeys(plan, map[string]string{
				"customers": "uq_customers_user", "messages": "idx_messages_queue", "inbound": "PRIMARY",
			})...)
		}
		if len(bad) > 0 {
			t.Errorf("plan of LockForInbound: %s\n%s", strings.Join(bad, "; "), plan)
		}
	})
}

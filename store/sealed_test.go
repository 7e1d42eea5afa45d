package store_test

import (
	"bytes"
	"context"
	"errors"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/seal"
	"github.com/orderbot/orderbot/store/storetest"
)

// personal is what a customer tells the shop; none of it may be stored in clear.
var personal = []string{"13912345678", "韩梅梅", "Han Meimei", "88 Chaoyang Road", "broken lid", "PHOTO-BYTES"}

func TestPersonalDataIsSealedAtRest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := customer(t, s, "u1")
		c.Name, c.DisplayName, c.Phone, c.Address = "韩梅梅", "Han Meimei", "13912345678", "88 Chaoyang Road"
		c.Conversation = []byte(`{"draft":{"name":"韩梅梅","phone":"13912345678","address":"88 Chaoyang Road"}}`)
		must(t, s.UpdateCustomer(ctx, c))
		items := []bot.OrderItem{{SKU: "TEA-1", Name: "Green tea", UnitPrice: 3800, Qty: 1}}
		o, err := bot.NewOrder(c, items, bot.Contact{Name: c.Name, Phone: c.Phone, Address: c.Address}, t0)
		must(t, err)
		must(t, s.CreateOrder(ctx, o))
		must(t, s.Enqueue(ctx, []*bot.Message{{Channel: bot.Telegram, Recipient: "u1", Kind: bot.KindReply,
			Text: "Deliver to 韩梅梅, 13912345678, 88 Chaoyang Road?", Options: []conversation.Option{{Key: "addr", Label: "88 Chaoyang Road"}}}}))
		must(t, s.RecordInbound(ctx, "k1", t0))
		must(t, s.SetInboundReply(ctx, "k1", []byte(`{"text":"88 Chaoyang Road"}`)))
		m := &bot.Media{Channel: bot.WebChat, Owner: "u1", ContentType: "image/png", Data: []byte("PHOTO-BYTES")}
		must(t, s.SaveMedia(ctx, m))
		must(t, s.SaveChatLine(ctx, bot.ChatLine{UserID: "u1", ClientID: "c1", Kind: "text", Text: "my lid is broken lid", At: t0}))

		for _, table := range []string{"customers", "orders", "messages", "inbound", "media", "chat_lines"} {
			raw, err := store.TableBytes(ctx, s, table)
			must(t, err)
			for _, p := range personal {
				if bytes.Contains(raw, []byte(p)) {
					t.Errorf("table %s holds %q in clear", table, p)
				}
			}
		}

		// Everything reads back in clear through the store.
		got, err := s.Customer(ctx, c.ID)
		must(t, err)
		if got.Name != c.Name || got.Phone != c.Phone || got.Address != c.Address || got.DisplayName != c.DisplayName || string(got.Conversation) != string(c.Conversation) {
			t.Errorf("customer read back as %+v", got)
		}
		back, err := s.Order(ctx, o.ID)
		must(t, err)
		if back.Contact != o.Contact {
			t.Errorf("contact read back as %+v, want %+v", back.Contact, o.Contact)
		}
		feed, err := s.Feed(ctx, bot.Telegram, "u1", 0, 10)
		must(t, err)
		if len(feed) != 1 || feed[0].Text != "Deliver to 韩梅梅, 13912345678, 88 Chaoyang Road?" || feed[0].Options[0].Label != "88 Chaoyang Road" {
			t.Errorf("feed = %+v", feed)
		}
		media, err := s.Media(ctx, m.ID)
		must(t, err)
		if string(media.Data) != "PHOTO-BYTES" {
			t.Errorf("media = %q", media.Data)
		}
		reply, err := s.InboundReply(ctx, "k1")
		must(t, err)
		if string(reply) != `{"text":"88 Chaoyang Road"}` {
			t.Errorf("inbound reply = %q", reply)
		}
		lines, err := s.ChatLines(ctx, "u1", 10)
		must(t, err)
		if len(lines) != 1 || lines[0].Text != "my lid is broken lid" {
			t.Errorf("chat lines = %+v", lines)
		}
	})
}

func TestExactSearchThroughKeyedHashes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c := customer(t, s, "u1")
		c.Name, c.Phone = "Han Meimei", "139 1234 5678"
		must(t, s.UpdateCustomer(ctx, c))
		o := placeOrder(t, s, c, t0) // contact Li Lei, 13800000000
		for _, tc := range []struct {
			q         string
			customers int
			orders    int
		}{
			{"13912345678", 1, 0},
			{"139-1234-5678", 1, 0},
			{"han  meimei", 1, 0},
			{"Han", 0, 0}, // a part of a name no longer matches: it is sealed
			{"13800000000", 0, 1},
			{"li lei", 0, 1},
			{o.Number, 0, 1},
		} {
			cs, err := s.SearchCustomers(ctx, bot.CustomerFilter{Query: tc.q, Limit: 10})
			must(t, err)
			os, err := s.SearchOrders(ctx, bot.OrderFilter{Query: tc.q, Limit: 10})
			must(t, err)
			if len(cs) != tc.customers || len(os) != tc.orders {
				t.Errorf("search %q: %d customers and %d orders, want %d and %d", tc.q, len(cs), len(os), tc.customers, tc.orders)
			}
		}
	})
}

func TestWrongDataKeyIsRefused(t *testing.T) {
	for _, backend := range []string{"sqlite", "mysql"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, backend)
			s, err := store.Open(ctx, dsn, storetest.Logger(t))
			must(t, err)
			defer s.Close()
			storetest.UseDataKey(t, s)
			c := customer(t, s, "u1")
			c.Phone = "13912345678"
			must(t, s.UpdateCustomer(ctx, c))

			raw, err := seal.ParseKey(seal.GenerateKey())
			must(t, err)
			other, err := seal.NewRing(raw)
			must(t, err)
			s2, err := store.Open(ctx, dsn, storetest.Logger(t))
			must(t, err)
			defer s2.Close()
			if err := s2.UseKeys(ctx, other); !errors.Is(err, store.ErrWrongKey) {
				t.Fatalf("UseKeys with another key: err = %v, want ErrWrongKey", err)
			}
			got, err := s.Customer(ctx, c.ID)
			must(t, err)
			if got.Phone != "13912345678" {
				t.Errorf("after the refused start the phone reads %q", got.Phone)
			}
		})
	}
}

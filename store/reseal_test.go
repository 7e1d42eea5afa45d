package store_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/seal"
	"github.com/orderbot/orderbot/store/storetest"
)

func newRing(t *testing.T, current []byte, old ...[]byte) *seal.Ring {
	t.Helper()
	r, err := seal.NewRing(current, old...)
	must(t, err)
	return r
}

func newKey(t *testing.T) []byte {
	t.Helper()
	k, err := seal.ParseKey(seal.GenerateKey())
	must(t, err)
	return k
}

// rawContains reports the tables whose raw bytes hold s.
func rawContains(t *testing.T, s *store.Store, needle []byte) []string {
	t.Helper()
	var found []string
	for _, table := range []string{"customers", "orders", "messages", "inbound", "media", "chat_lines", "after_sales", "settings"} {
		raw, err := store.TableBytes(context.Background(), s, table)
		must(t, err)
		if bytes.Contains(raw, needle) {
			found = append(found, table)
		}
	}
	return found
}

// seedClear writes customers, orders, messages and photos the way a
// database from before encryption holds them: in clear.
func seedClear(t *testing.T, s *store.Store, n int) []bot.Customer {
	t.Helper()
	ctx := context.Background()
	var cs []bot.Customer
	for i := range n {
		c := customer(t, s, fmt.Sprint("u", i))
		c.Name, c.Phone, c.Address = fmt.Sprint("Kim ", i), fmt.Sprintf("1391234%04d", i), fmt.Sprint(i, " Sealed Street")
		c.Conversation = []byte(`{"draft":"` + c.Address + `"}`)
		must(t, s.UpdateCustomer(ctx, c))
		items := []bot.OrderItem{{SKU: "TEA-1", Name: "Green tea", UnitPrice: 3800, Qty: 1}}
		o, err := bot.NewOrder(c, items, bot.Contact{Name: c.Name, Phone: c.Phone, Address: c.Address}, t0)
		must(t, err)
		must(t, s.CreateOrder(ctx, o))
		must(t, s.Enqueue(ctx, []*bot.Message{{Channel: bot.Telegram, Recipient: c.UserID, Kind: bot.KindReply, Text: "to " + c.Address}}))
		must(t, s.SaveMedia(ctx, &bot.Media{Channel: bot.WebChat, Owner: c.UserID, ContentType: "image/png", Data: []byte("PNG " + c.Address)}))
		cs = append(cs, c)
	}
	return cs
}

// readAll reads every seeded customer, order and photo through s.
func readAll(t *testing.T, s *store.Store, cs []bot.Customer) {
	t.Helper()
	ctx := context.Background()
	for _, c := range cs {
		got, err := s.Customer(ctx, c.ID)
		must(t, err)
		if got.Address != c.Address || string(got.Conversation) != string(c.Conversation) {
			t.Fatalf("customer %d reads %+v", c.ID, got)
		}
		os, err := s.OrdersByCustomer(ctx, c.ID, 1)
		must(t, err)
		if len(os) != 1 || os[0].Contact.Phone != c.Phone {
			t.Fatalf("order of customer %d reads %+v", c.ID, os)
		}
		found, err := s.SearchCustomers(ctx, bot.CustomerFilter{Query: c.Phone, Limit: 2})
		must(t, err)
		if len(found) != 1 || found[0].ID != c.ID {
			t.Fatalf("search by phone %s finds %+v", c.Phone, found)
		}
	}
}

func TestResealSealsClearRowsThenRotatesResumably(t *testing.T) {
	for _, backend := range []string{"sqlite", "mysql"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, backend)
			open := func(ring *seal.Ring) (*store.Store, error) {
				s, err := store.Open(ctx, dsn, storetest.Logger(t))
				must(t, err)
				t.Cleanup(func() { s.Close() })
				if ring == nil {
					return s, nil
				}
				return s, s.UseKeys(ctx, ring)
			}
			legacy, _ := open(nil)
			cs := seedClear(t, legacy, 7)

			// First start with a key: the clear rows get sealed.
			keyA, keyB := newKey(t), newKey(t)
			a, err := open(newRing(t, keyA))
			must(t, err)
			if need, err := a.NeedsReseal(ctx); err != nil || !need {
				t.Fatalf("NeedsReseal before the first reseal = %v, %v", need, err)
			}
			st, err := a.Reseal(ctx, 3, nil)
			must(t, err)
			if st.Resealed < 4*7 || st.Raced != 0 {
				t.Fatalf("first reseal: %+v", st)
			}
			if found := rawContains(t, a, []byte("Sealed Street")); found != nil {
				t.Fatalf("after the first reseal, clear addresses remain in %v", found)
			}
			if need, _ := a.NeedsReseal(ctx); need {
				t.Fatal("NeedsReseal after a complete reseal")
			}
			readAll(t, a, cs)

			// Rotation to key B, stopped after two batches.
			b, err := open(newRing(t, keyB, keyA))
			must(t, err)
			stop, cancel := context.WithCancel(ctx)
			batches := 0
			_, err = b.Reseal(stop, 3, func(string, store.ResealStats) {
				if batches++; batches == 2 {
					cancel()
				}
			})
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("interrupted rotation: err = %v", err)
			}
			idA, idB := newRing(t, keyA).KeyID(), newRing(t, keyB).KeyID()
			if rawContains(t, b, []byte("enc:v1:"+idA)) == nil || rawContains(t, b, []byte("enc:v1:"+idB)) == nil {
				t.Fatal("the interrupted rotation should leave values under both keys")
			}
			readAll(t, b, cs) // every row readable half-way
			// The key check is under B now: a start with A alone is refused.
			if _, err := open(newRing(t, keyA)); !errors.Is(err, store.ErrWrongKey) {
				t.Fatalf("start with the old key alone after the rotation began: err = %v", err)
			}

			// Resumed, it finishes; then B alone reads everything.
			_, err = b.Reseal(ctx, 3, nil)
			must(t, err)
			if found := rawContains(t, b, []byte("enc:v1:"+idA)); found != nil {
				t.Fatalf("after the rotation, values under the old key remain in %v", found)
			}
			onlyB, err := open(newRing(t, keyB))
			must(t, err)
			readAll(t, onlyB, cs)
		})
	}
}

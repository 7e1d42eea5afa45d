package privacy_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/crm"
	"github.com/orderbot/orderbot/bot/privacy"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// The personal data a journey leaves behind, each distinctive enough that
// finding it anywhere in the database means it was not erased.
const (
	userID      = "wx-user-98765"
	custName    = "Ouyang Zhenfeng"
	custPhone   = "13912345678"
	custAddress = "77 Plumtree Lane, Xihu"
	reasonText  = "lid cracked on the dragon spout"
	handoffText = "please call my sister at home"
	chatText    = "my typed question about jasmine"
	noteText    = "prefers deliveries to the back gate"
	photoBytes  = "JPEG-bytes-of-the-cracked-lid"
)

// secrets are the strings an erase must leave nowhere.
var secrets = []string{userID, custName, custPhone, custAddress, reasonText, handoffText, chatText, noteText, photoBytes}

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

func quietLog() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// shop is the core and the privacy service on a real database.
type shop struct {
	t       *testing.T
	dsn     string
	st      *store.Store
	svc     *bot.Service
	privacy *privacy.Service
	clock   *clock
	seq     atomic.Int64
}

// eachBackend runs fn on a fresh SQLite database and, when the server is
// named, a fresh MariaDB/MySQL one.
func eachBackend(t *testing.T, fn func(t *testing.T, s *shop)) {
	for _, backend := range []string{"sqlite", "mysql"} {
		t.Run(backend, func(t *testing.T) {
			dsn := storetest.DSN(t, backend)
			st, err := store.Open(context.Background(), dsn, storetest.Logger(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			fn(t, newShop(t, dsn, st))
		})
	}
}

func newShop(t *testing.T, dsn string, st *store.Store) *shop {
	t.Helper()
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)}
	svc := bot.NewService(st, quietLog(), bot.Config{StaffChannels: []string{bot.WebChat, bot.Slack}, Clock: c.Now}, nil)
	must(t, svc.ImportCatalog(ctx, "test", []bot.Product{
		{SKU: "TEA", Name: "Green tea", NameZH: "绿茶", Category: "Tea", Price: 3800, Stock: 100, Active: true},
	}))
	must(t, svc.SaveStaff(ctx, "test", bot.Staff{Channel: bot.WebChat, UserID: "alice", Name: "alice", Role: bot.Admin}))
	p := privacy.New(st, svc, quietLog(), privacy.Options{Clock: c.Now, Location: time.FixedZone("CST", 8*3600)})
	return &shop{t: t, dsn: dsn, st: st, svc: svc, privacy: p, clock: c}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func (s *shop) send(user string, in bot.Inbound) []*bot.Message {
	s.t.Helper()
	in.Channel, in.UserID = bot.WebChat, user
	in.DedupKey = fmt.Sprintf("webchat:%s:%d", user, s.seq.Add(1))
	out, err := s.svc.HandleInbound(context.Background(), in)
	if err != nil {
		s.t.Fatalf("%s sends %+v: %v", user, in, err)
	}
	return out
}

func (s *shop) say(user, text string) string { return texts(s.send(user, bot.Inbound{Text: text})) }
func (s *shop) press(user, key string) string {
	return texts(s.send(user, bot.Inbound{Button: key}))
}

func texts(ms []*bot.Message) string {
	var b strings.Builder
	for _, m := range ms {
		b.WriteString(m.Text + "\n")
	}
	return b.String()
}

var orderNumber = regexp.MustCompile(`\b1\d{5}\b`)

func (s *shop) act(ref, action string, version int, extra ...string) {
	s.t.Helper()
	a := bot.StaffAction{Channel: bot.WebChat, UserID: "alice", Ref: ref, Action: action, Version: version}
	if len(extra) == 2 {
		a.Carrier, a.Tracking = extra[0], extra[1]
	}
	if _, err := s.svc.HandleStaffAction(context.Background(), a); err != nil {
		s.t.Fatalf("%s %s: %v", action, ref, err)
	}
}

// journey is a customer's whole life with the shop, leaving their data in
// every place it can live: an order delivered, an after-sales request with
// a photo, a conversation with a person, web chat history, a staff note,
// a card posted on Slack. It returns the customer and their order.
func (s *shop) journey(user string) (bot.Customer, *bot.Order) {
	s.t.Helper()
	ctx := context.Background()
	s.say(user, "menu")
	for _, k := range []string{"browse", "cat:Tea", "sku:TEA", "add"} {
		s.press(user, k)
	}
	s.say(user, "2")
	s.press(user, "checkout")
	s.say(user, custName)
	s.say(user, custPhone)
	s.say(user, custAddress)
	n := orderNumber.FindString(s.press(user, "confirm"))
	o, err := s.st.OrderByNumber(ctx, n)
	must(s.t, err)
	ref := fmt.Sprintf("order:%d", o.ID)
	must(s.t, s.st.SaveCardRef(ctx, bot.Slack, ref, "1700000000.000100"))
	s.act(ref, bot.ActApprove, o.Version)
	o, _ = s.st.OrderByNumber(ctx, n)
	s.act(ref, bot.ActShip, o.Version, "SF Express", "SF1234567890")
	o, _ = s.st.OrderByNumber(ctx, n)
	s.act(ref, bot.ActDeliver, o.Version)

	photo := &bot.Media{Channel: bot.WebChat, Owner: user, ContentType: "image/jpeg", Data: []byte(photoBytes), CreatedAt: s.clock.Now()}
	must(s.t, s.st.SaveMedia(ctx, photo))
	s.say(user, "after-sales")
	s.press(user, "order:"+n)
	s.press(user, "type:return")
	s.say(user, reasonText)
	s.send(user, bot.Inbound{Media: []string{fmt.Sprintf("media:%d", photo.ID)}})
	s.press(user, "done")
	s.press(user, "submit")

	s.say(user, "human")
	s.say(user, handoffText)
	must(s.t, s.st.SaveChatLine(ctx, bot.ChatLine{UserID: user, ClientID: "c1", Kind: "text", Text: chatText, At: s.clock.Now()}))
	must(s.t, crm.New(s.st, s.clock.Now).SetNote(ctx, bot.Staff{Channel: bot.WebChat, UserID: "alice", Name: "alice", Role: bot.Admin}, o.CustomerID, noteText))
	c, err := s.st.Customer(ctx, o.CustomerID)
	must(s.t, err)
	o, err = s.st.OrderByNumber(ctx, n)
	must(s.t, err)
	return c, o
}

// traces lists where in the database each secret is found.
func traces(t *testing.T, dsn string) []string {
	t.Helper()
	var found []string
	for table, text := range storetest.Dump(t, dsn) {
		for _, secret := range secrets {
			if strings.Contains(text, secret) {
				found = append(found, fmt.Sprintf("%q in %s", secret, table))
			}
		}
	}
	return found
}

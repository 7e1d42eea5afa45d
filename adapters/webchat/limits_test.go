package webchat

import (
	"bytes"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// retryAfter checks a 429 and returns its Retry-After in seconds.
func retryAfter(t *testing.T, status int, header http.Header, body []byte, max int) int {
	t.Helper()
	secs, err := strconv.Atoi(header.Get("Retry-After"))
	if status != http.StatusTooManyRequests || err != nil || secs < 1 || secs > max {
		t.Fatalf("want 429 with Retry-After 1..%d, got %d %q %s", max, status, header.Get("Retry-After"), body)
	}
	return secs
}

// TestNewCustomersLimitedPerAddress: a client that drops or makes up its
// cookie is a new customer each time, and one address may start only so
// many in an hour, however it goes about it.
func TestNewCustomersLimitedPerAddress(t *testing.T) {
	eachEnv(t, Options{}, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		kept := e.client()
		e.customer(kept) // one customer from before, who must not be locked out
		ok := 1
		for i := range 65 {
			c := e.client()
			if i%2 == 1 { // a made-up id is no way around it
				e.setCookie(c, "/chat", customerCookie, strings.Repeat("0", 30)+strconv.Itoa(10+i))
			}
			res := e.postJSON(c, "/chat/api/send", map[string]string{"id": "m-1", "text": "menu"}, nil)
			if res.status == http.StatusOK {
				ok++
				continue
			}
			retryAfter(t, res.status, res.header, res.body, 3600)
			if msg := res.errorText(t); !strings.Contains(msg, "too many new chats") || !strings.Contains(msg, "try again in") {
				t.Fatalf("refusal says %q", msg)
			}
			if e.cookie(c, "/chat", customerCookie) != "" && i%2 == 0 {
				t.Fatal("a refused visitor got a customer cookie")
			}
		}
		if ok != 60 {
			t.Fatalf("%d customers started from one address, want 60", ok)
		}
		// The kept visitor has said nothing yet: 59 rows, all of the senders let through.
		if _, err := e.st.Customer(ctx, 59); err != nil {
			t.Fatalf("customer 59: %v", err)
		}
		if _, err := e.st.Customer(ctx, 60); !errors.Is(err, bot.ErrNotFound) {
			t.Fatalf("a refused visitor has a customer row: %v", err)
		}
		// Known customers go on; another address may start its own.
		if res := e.postJSON(kept, "/chat/api/send", map[string]string{"id": "m-1", "text": "menu"}, nil); res.status != http.StatusOK {
			t.Fatalf("a known customer after the limit: %d %s", res.status, res.body)
		}
		req := httptest.NewRequest(http.MethodPost, "/chat/api/send", strings.NewReader(`{"id":"m-1","text":"menu"}`))
		if res := e.serveFrom("198.51.100.7:4000", req); res.StatusCode != http.StatusOK {
			t.Fatalf("another address: %d", res.StatusCode)
		}
	})
}

// TestUploadsLimitedPerAddress: the 30 uploads from 30 cookie-less
// clients, and more: the per-customer cap does not apply to a new customer
// each time, so the address's cap must.
func TestUploadsLimitedPerAddress(t *testing.T) {
	eachEnv(t, Options{Limits: Limits{NewCustomersPerHour: 100}}, func(t *testing.T, e *testEnv) {
		photo := mibPNG(t)
		stored := 0
		for i := range 30 {
			res := e.postPhoto(e.client(), photoPart("id", "p-"+strconv.Itoa(i)), photoPart("photo", photo))
			if res.status == http.StatusOK {
				stored++
				continue
			}
			retryAfter(t, res.status, res.header, res.body, 3600)
			if msg := res.errorText(t); !strings.Contains(msg, "too many photos") {
				t.Fatalf("refusal says %q", msg)
			}
		}
		if stored != 20 {
			t.Fatalf("%d photos stored from one address, want 20", stored)
		}
		if _, err := e.svc.MediaByRef(t.Context(), "media:21"); !errors.Is(err, bot.ErrNotFound) {
			t.Fatalf("a refused photo was stored: %v", err)
		}
	})
}

func TestUploadBytesLimitedPerAddress(t *testing.T) {
	eachEnv(t, Options{Limits: Limits{UploadBytesPerHour: 3<<20 + 64<<10}}, func(t *testing.T, e *testEnv) {
		clock := newClock()
		e.h.opts.Clock = clock.Now
		photo := mibPNG(t)
		c := e.client()
		e.customer(c)
		for i := range 3 {
			if res := e.postPhoto(c, photoPart("id", "p-"+strconv.Itoa(i)), photoPart("photo", photo)); res.status != http.StatusOK {
				t.Fatalf("photo %d: %d %s", i, res.status, res.body)
			}
			clock.Add(10 * time.Minute)
		}
		res := e.postPhoto(c, photoPart("id", "p-3"), photoPart("photo", photo))
		// The first photo leaves the hour 30 minutes from now.
		if secs := retryAfter(t, res.status, res.header, res.body, 3600); secs != 30*60 {
			t.Fatalf("Retry-After %d s, want 1800", secs)
		}
		// A small one still fits.
		if res := e.postPhoto(c, photoPart("id", "p-4"), photoPart("photo", testPNG(t))); res.status != http.StatusOK {
			t.Fatalf("a small photo: %d %s", res.status, res.body)
		}
		clock.Add(31 * time.Minute)
		if res := e.postPhoto(c, photoPart("id", "p-5"), photoPart("photo", photo)); res.status != http.StatusOK {
			t.Fatalf("after the hour: %d %s", res.status, res.body)
		}
	})
}

// TestLongPollsLimited: one customer holds at most three long polls open at
// once, one address a few more; the rest are refused at once.
func TestLongPollsLimited(t *testing.T) {
	eachEnv(t, Options{PollWait: 4 * time.Second, Limits: Limits{PollsPerAddress: 4}}, func(t *testing.T, e *testEnv) {
		poll := func(clients []*http.Client) (ok, refused int) {
			var mu sync.Mutex
			var wg sync.WaitGroup
			for _, c := range clients {
				wg.Go(func() {
					res := e.get(c, "/chat/api/messages?after=1000000")
					mu.Lock()
					defer mu.Unlock()
					switch res.status {
					case http.StatusOK:
						ok++
					case http.StatusTooManyRequests:
						retryAfter(t, res.status, res.header, res.body, 60)
						refused++
					default:
						t.Errorf("poll: %d %s", res.status, res.body)
					}
				})
			}
			wg.Wait()
			return ok, refused
		}
		one := e.clientWithChat()
		if ok, refused := poll([]*http.Client{one, one, one, one, one}); ok != 3 || refused != 2 {
			t.Fatalf("five polls of one customer: %d held, %d refused; want 3 and 2", ok, refused)
		}
		var many []*http.Client
		for range 5 {
			many = append(many, e.clientWithChat())
		}
		if ok, refused := poll(many); ok != 4 || refused != 1 {
			t.Fatalf("five customers' polls from one address: %d held, %d refused; want 4 and 1", ok, refused)
		}
		// The places are given back when the polls end.
		if ok, refused := poll([]*http.Client{one}); ok != 1 || refused != 0 {
			t.Fatalf("a poll after the others ended: %d, %d", ok, refused)
		}
	})
}

// TestPrunePhotos: a photo no request refers to is gone after a day; one
// in an after-sales request stays.
func TestPrunePhotos(t *testing.T) {
	eachEnv(t, Options{}, func(t *testing.T, e *testEnv) {
		ctx := t.Context()
		clock := newClock()
		e.h.opts.Clock = clock.Now
		ch := e.chatter()
		o := e.shippedOrder(ch.id)
		loose := e.postPhoto(ch.c, photoPart("id", "p-0"), photoPart("photo", testPNG(t)))
		if loose.status != http.StatusOK {
			t.Fatalf("upload: %d", loose.status)
		}
		ch.say("after-sales")
		ch.press("order:" + o.Number)
		ch.press("type:repair")
		ch.say("The lid arrived cracked.")
		e.postPhoto(ch.c, photoPart("id", "p-1"), photoPart("photo", testPNG(t)))
		ch.press("done")
		ch.press("submit")
		reqs, err := e.st.AfterSalesByOrder(ctx, o.ID)
		if err != nil || len(reqs) != 1 || len(reqs[0].Media) != 1 || reqs[0].Media[0] == "media:1" {
			t.Fatalf("after-sales %+v, %v", reqs, err)
		}
		attached := reqs[0].Media[0]

		e.h.Prune(ctx) // nothing is a day old yet
		if _, err := e.svc.MediaByRef(ctx, "media:1"); err != nil {
			t.Fatalf("a fresh photo was pruned: %v", err)
		}
		clock.Add(mediaTTL + time.Minute)
		e.h.Prune(ctx)
		if _, err := e.svc.MediaByRef(ctx, "media:1"); !errors.Is(err, bot.ErrNotFound) {
			t.Fatalf("a loose photo outlived a day: %v", err)
		}
		if _, err := e.svc.MediaByRef(ctx, attached); err != nil {
			t.Fatalf("a request's photo was pruned: %v", err)
		}
	})
}

// mibPNG is 1 MiB that is a PNG as far as anyone looks.
func mibPNG(t *testing.T) []byte {
	return append(testPNG(t), bytes.Repeat([]byte{0}, 1<<20)...)[:1<<20]
}

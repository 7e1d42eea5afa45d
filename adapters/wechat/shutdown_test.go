package wechat

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// Close waits for the core's runs that outlived their push's answer, so
// that a reply acknowledged late is committed before the process exits,
// and refuses pushes that arrive while it closes.
func TestCloseWaitsForRunsAfterTheAnswer(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		slow := func(s Service) Service { return slowService{s, time.Second} }
		e := newEnv(t, st, options{deadline: 300 * time.Millisecond, wrap: slow})
		if got := e.passive(e.push(textXML(alice, e.nextMsgID(), e.clock.Now().Unix(), "菜单")), alice); got != "" {
			t.Fatalf("slow push answered %q", got)
		}
		short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
		defer cancel()
		if err := e.a.Close(short); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("Close before the run ended: %v, want the context's deadline", err)
		}
		if err := e.a.Close(context.Background()); err != nil {
			t.Fatalf("Close: %v", err)
		}
		feed := e.feed(alice)
		if len(feed) == 0 || !strings.Contains(feed[0].Text, "欢迎") {
			t.Fatalf("after Close the late reply is not in the outbox: %d messages", len(feed))
		}
		const bob = "oBobBobBobBobBobBobBobBob0001"
		id := e.nextMsgID()
		if res := e.push(textXML(bob, id, e.clock.Now().Unix(), "菜单")); res.status != http.StatusServiceUnavailable {
			t.Fatalf("push after Close answered %d %q, want 503 for WeChat to retry elsewhere", res.status, res.body)
		}
		e.nothingRecorded(bob, id)
		// The reply acknowledged late goes out once.
		e.clock.Add(6 * time.Second)
		e.deliver()
		if cs := e.api.csMessages(); len(cs) != 1 {
			t.Fatalf("%d customer-service messages, want the late reply", len(cs))
		}
	})
}

// observed records the ObservePassiveReply calls.
type observed struct {
	mu    sync.Mutex
	calls []observation
}

type observation struct {
	elapsed time.Duration
	inPlace bool
}

func (o *observed) observe(elapsed time.Duration, inPlace bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.calls = append(o.calls, observation{elapsed, inPlace})
}

func (o *observed) all() []observation {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]observation(nil), o.calls...)
}

// Every verified push answered is reported with its time to answer and
// whether the answer carried the reply; refused requests are not.
func TestObservePassiveReply(t *testing.T) {
	var obs observed
	var calls atomic.Int32
	slow := func(s Service) Service { return slowOnce{s, time.Second, &calls} }
	const deadline = 300 * time.Millisecond
	e := newEnv(t, storetest.SQLite(t), options{deadline: deadline, wrap: slow, observe: obs.observe})
	e.push(textXML(alice, e.nextMsgID(), e.clock.Now().Unix(), "菜单"))
	e.a.running.wait()
	e.customer(alice).say("1")
	e.push(eventXML(alice, e.clock.Now().Unix(), "VIEW", "https://example.com"))
	q := e.signedQuery(e.clock.Now().Unix(), "")
	q.Set("signature", "0000")
	if res := e.post(q, textXML(alice, e.nextMsgID(), e.clock.Now().Unix(), "菜单")); res.status != http.StatusUnauthorized {
		t.Fatalf("forged push answered %d", res.status)
	}
	got := obs.all()
	if len(got) != 3 {
		t.Fatalf("%d observations, want 3 (slow, in place, ignored event): %+v", len(got), got)
	}
	if got[0].inPlace || got[0].elapsed < deadline {
		t.Errorf("slow push observed as %+v; want acknowledged after the %s deadline", got[0], deadline)
	}
	if !got[1].inPlace || got[1].elapsed <= 0 {
		t.Errorf("quick push observed as %+v; want in place", got[1])
	}
	if got[2].inPlace {
		t.Errorf("ignored event observed as in place")
	}
}

package wechat

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store/storetest"
)

// logBuffer is a slog destination the handler's goroutines and the test
// share.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// cacheAddHook lets a test decide how binding a push's nonce goes, and
// counts the pushes handed to the core.
type cacheAddHook struct {
	Service
	mode    atomic.Int32 // one of the hook* modes
	entered chan struct{}
	handled atomic.Int32
}

const (
	hookPass      = iota // the store's own answer
	hookHang             // wait until the request's context ends
	hookStoreDown        // fail as a database that is down
)

func (h *cacheAddHook) CacheAdd(ctx context.Context, name, value string, ttl time.Duration) (string, error) {
	if strings.Contains(name, "nonce:") {
		switch h.mode.Load() {
		case hookHang:
			h.entered <- struct{}{}
			<-ctx.Done()
			return "", ctx.Err()
		case hookStoreDown:
			return "", errors.New("dial tcp 127.0.0.1:3306: connect: connection refused")
		}
	}
	return h.Service.CacheAdd(ctx, name, value, ttl)
}

func (h *cacheAddHook) HandleInbound(ctx context.Context, in bot.Inbound) ([]*bot.Message, error) {
	h.handled.Add(1)
	return h.Service.HandleInbound(ctx, in)
}

// A push whose client hangs up while it is being read is not a server
// error: it is not logged at ERROR, and WeChat's retry is then handled once
// and answered in place. A store that is down while the client waits still
// is an error: logged at ERROR and answered 503, so WeChat retries.
func TestClientGoneIsNotAnError(t *testing.T) {
	var logs logBuffer
	hook := &cacheAddHook{entered: make(chan struct{}, 1)}
	wrap := func(s Service) Service { hook.Service = s; return hook }
	e := newEnv(t, storetest.SQLite(t), options{wrap: wrap,
		log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})

	raw := textXML(alice, e.nextMsgID(), e.clock.Now().Unix(), "菜单")
	q := e.signedQuery(e.clock.Now().Unix(), "")

	hook.mode.Store(hookHang)
	ctx, cancel := context.WithCancel(context.Background())
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.srv.URL+"/wechat?"+q.Encode(), strings.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	sent := make(chan error, 1)
	go func() {
		res, err := e.srv.Client().Do(req)
		if err == nil {
			res.Body.Close()
		}
		sent <- err
	}()
	<-hook.entered
	cancel()
	if err := <-sent; !errors.Is(err, context.Canceled) {
		t.Fatalf("the hung-up request: %v", err)
	}
	// The handler's verdict on the push, whichever it is, is logged once it ends.
	for end := time.Now().Add(5 * time.Second); !strings.Contains(logs.String(), "wechat client gone") &&
		!strings.Contains(logs.String(), "wechat request refused"); {
		if time.Now().After(end) {
			t.Fatalf("nothing logged of the hung-up push:\n%s", logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
	if got := logs.String(); strings.Contains(got, "level=ERROR") || !strings.Contains(got, "wechat client gone") {
		t.Fatalf("a client that hung up logged as:\n%s", got)
	}

	hook.mode.Store(hookPass)
	res := e.post(q, raw) // WeChat's retry: the same URL and body
	if got := e.passive(res, alice); !strings.Contains(got, "浏览商品") {
		t.Fatalf("the retry answered %d %q; want the menu in place", res.status, got)
	}
	if n := hook.handled.Load(); n != 1 {
		t.Fatalf("the push was handled %d times; want once", n)
	}

	hook.mode.Store(hookStoreDown)
	res = e.push(textXML(alice, e.nextMsgID(), e.clock.Now().Unix(), "菜单"))
	if res.status != http.StatusServiceUnavailable {
		t.Fatalf("with the store down a push is answered %d; want 503", res.status)
	}
	if got := logs.String(); !strings.Contains(got, "level=ERROR") || !strings.Contains(got, "connection refused") {
		t.Fatalf("a store that is down is not logged at ERROR:\n%s", got)
	}
}

package telegram

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store/storetest"
)

// scriptedService stands in for the core: "boom" fails while down is set,
// "wait" holds until a message "go" from another chat was handled, and
// every call is recorded as "chat:text".
type scriptedService struct {
	mu      sync.Mutex
	down    bool
	handled []string
	went    chan struct{}
}

func newScriptedService() *scriptedService {
	return &scriptedService{down: true, went: make(chan struct{})}
}

func (s *scriptedService) HandleInbound(ctx context.Context, in bot.Inbound) ([]*bot.Message, error) {
	if in.Text == "wait" {
		select {
		case <-s.went:
		case <-time.After(5 * time.Second):
			return nil, errors.New("waited in vain: chats are not handled concurrently")
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if in.Text == "boom" && s.down {
		s.handled = append(s.handled, in.UserID+":boom failed")
		return nil, errors.New("database is down")
	}
	s.handled = append(s.handled, in.UserID+":"+in.Text)
	if in.Text == "go" {
		close(s.went)
	}
	return nil, nil
}

func (s *scriptedService) HandleStaffAction(context.Context, bot.StaffAction) (bot.StaffResult, error) {
	return bot.StaffResult{}, errors.New("not used")
}

func (s *scriptedService) StaffMember(context.Context, string, string) (bot.Staff, error) {
	return bot.Staff{}, bot.ErrNotFound
}

func (s *scriptedService) Subject(context.Context, string) (string, error) {
	return "", bot.ErrNotFound
}

func (s *scriptedService) setDown(down bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.down = down
}

func (s *scriptedService) seen() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.handled)
}

func runPolling(t *testing.T, api *fakeAPI, svc Service) {
	t.Helper()
	ad, err := New(context.Background(), svc, storetest.Logger(t), testConfig(api, storetest.SQLite(t)))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- ad.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
}

func privateText(chat int64, id int, text string) tgbotapi.Update {
	return tgbotapi.Update{Message: &tgbotapi.Message{MessageID: id, From: &tgbotapi.User{ID: chat, FirstName: "X"},
		Chat: &tgbotapi.Chat{ID: chat, Type: "private"}, Text: text}}
}

// An update that fails is tried again, with backoff, until it is handled:
// the offset never confirms it before, the updates behind it in its chat
// wait for it, and other chats go on meanwhile.
func TestPollingRetriesAFailedUpdate(t *testing.T) {
	api := newFakeAPI(t)
	svc := newScriptedService()
	runPolling(t, api, svc)

	boom := api.push(privateText(99, 1, "boom"))
	api.push(privateText(99, 2, "menu"))
	other := api.push(privateText(55, 3, "hi"))
	eventually(t, "three tries of the failing update", func() bool {
		return strings.Count(strings.Join(svc.seen(), ","), "99:boom failed") >= 3
	})
	if api.confirmed(boom.UpdateID) {
		t.Fatal("the offset passed an update that was not handled")
	}
	seen := svc.seen()
	if slices.Contains(seen, "99:menu") {
		t.Fatalf("the chat's next update was handled before the failed one: %v", seen)
	}
	if !slices.Contains(seen, "55:hi") {
		t.Fatalf("another chat waited for the failing one: %v", seen)
	}

	svc.setDown(false)
	eventually(t, "every update to be confirmed", func() bool { return api.confirmed(other.UpdateID) })
	seen = slices.DeleteFunc(svc.seen(), func(s string) bool { return s == "99:boom failed" })
	if got := strings.Join(seen, ","); got != "55:hi,99:boom,99:menu" {
		t.Fatalf("handled %s, want 55:hi, then 99:boom once and 99:menu after it", got)
	}
}

// Updates from different chats are handled at once: the first chat's
// update waits until the second chat's, behind it in the batch, is handled.
func TestPollingChatsConcurrently(t *testing.T) {
	api := newFakeAPI(t)
	svc := newScriptedService()
	api.push(privateText(11, 1, "wait"))
	api.push(privateText(11, 2, "after"))
	last := api.push(privateText(22, 3, "go"))
	runPolling(t, api, svc)
	eventually(t, "the batch to be confirmed", func() bool { return api.confirmed(last.UpdateID) })
	if got := strings.Join(svc.seen(), ","); got != "22:go,11:wait,11:after" {
		t.Fatalf("handled %s, want chat 22 while chat 11 waited, and chat 11 in order", got)
	}
}

package slack

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/slack-go/slack"
	"github.com/slack-go/slack/slackevents"
	"github.com/slack-go/slack/socketmode"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
)

// acks records Socket Mode acknowledgements.
type acks struct {
	mu  sync.Mutex
	got map[string][]any
}

func (a *acks) Ack(req socketmode.Request, payload ...any) error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.got == nil {
		a.got = map[string][]any{}
	}
	a.got[req.EnvelopeID] = payload
	return nil
}

func (a *acks) of(id string) ([]any, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	p, ok := a.got[id]
	return p, ok
}

func envelope(id, typ string, data any) socketmode.Event {
	return socketmode.Event{Type: socketmode.EventType(typ), Data: data, Request: &socketmode.Request{Type: typ, EnvelopeID: id}}
}

// Socket Mode envelopes go through the same handlers as HTTP requests and
// are each acknowledged.
func TestSocketModeEnvelopes(t *testing.T) {
	e := newSQLiteEnv(t)
	n := e.order("cust1", "TEA", 1)
	e.say("cust2", "human")
	e.deliver()
	card, handoff := e.cardOf(n), e.cardOf("asks for a person")
	ack := &acks{}

	// A button press.
	var ic slack.InteractionCallback
	if err := json.Unmarshal([]byte(pressJSON("U1", card, "approve", card.buttons(t)["approve"].Value)), &ic); err != nil {
		t.Fatal(err)
	}
	e.a.socketEvent(t.Context(), ack, envelope("env-1", socketmode.RequestTypeInteractive, ic))
	e.deliver()
	if p, ok := ack.of("env-1"); !ok || len(p) != 0 {
		t.Fatalf("press ack %v %v", p, ok)
	}
	if o := e.orderByNumber(n); o.Status != bot.Confirmed {
		t.Fatalf("socket press: %s", o.Status)
	}

	// A slash command: the answer rides on the ack.
	e.a.socketEvent(t.Context(), ack, envelope("env-2", socketmode.RequestTypeSlashCommands, slack.SlashCommand{Command: "/orders", Text: n, UserID: "U3"}))
	p, _ := ack.of("env-2")
	if len(p) != 1 {
		t.Fatalf("command ack %v", p)
	}
	if msg, ok := p[0].(*slack.Msg); !ok || msg.ResponseType != "ephemeral" || !strings.Contains(msg.Text, n) {
		t.Fatalf("command answer %+v", p[0])
	}

	// An event, delivered twice.
	raw := threadMessage("Ev9", "U3", "Hello from socket mode", handoff.TS, nil)
	ev, err := slackevents.ParseEvent(json.RawMessage(raw), slackevents.OptionNoVerifyToken())
	if err != nil {
		t.Fatal(err)
	}
	e.a.socketEvent(t.Context(), ack, envelope("env-3", socketmode.RequestTypeEventsAPI, ev))
	e.a.socketEvent(t.Context(), ack, envelope("env-4", socketmode.RequestTypeEventsAPI, ev))
	e.deliver()
	if _, ok := ack.of("env-4"); !ok {
		t.Fatal("event not acknowledged")
	}
	var relayed []string
	for _, m := range e.notices("cust2") {
		if m.Notice.Kind == conversation.StaffMessage {
			relayed = append(relayed, m.Notice.Text)
		}
	}
	if len(relayed) != 1 || relayed[0] != "Hello from socket mode" {
		t.Fatalf("customer got %q", relayed)
	}
}

// slowService is a core that takes its time over staff actions.
type slowService struct {
	Service
	release chan struct{}
	mu      sync.Mutex
	actions []bot.StaffAction
}

func (s *slowService) HandleStaffAction(ctx context.Context, a bot.StaffAction) (bot.StaffResult, error) {
	<-s.release
	s.mu.Lock()
	defer s.mu.Unlock()
	s.actions = append(s.actions, a)
	return bot.StaffResult{}, nil
}

// Slack gets its answer before the work is done: it waits 3 seconds at
// most, then shows the user an error and, for events, retries.
func TestAcknowledgedBeforeTheWork(t *testing.T) {
	e := newSQLiteEnv(t)
	svc := &slowService{release: make(chan struct{})}
	e.a.svc = svc
	card := apiCall{Channel: staffChannel, TS: "1.1", Blocks: nil}
	done := make(chan response, 1)
	go func() {
		done <- e.signed("/slack/interactions", formType, pressPayload("U1", card, "deliver", "order:1|4"))
	}()
	select {
	case r := <-done:
		if r.status != 200 {
			t.Fatalf("press answered %d", r.status)
		}
	case <-time.After(2 * time.Second):
		close(svc.release)
		t.Fatal("the press was not acknowledged while the work ran")
	}
	close(svc.release)
	e.a.Wait()
	if len(svc.actions) != 1 || svc.actions[0] != (bot.StaffAction{Channel: bot.Slack, UserID: "U1", Ref: "order:1", Action: "deliver", Version: 4}) {
		t.Fatalf("actions %+v", svc.actions)
	}
}

func TestRunWithoutSocketModeWaitsForContext(t *testing.T) {
	e := newSQLiteEnv(t)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- e.a.Run(ctx) }()
	select {
	case err := <-done:
		t.Fatalf("Run returned early: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run: %v", err)
	}
}

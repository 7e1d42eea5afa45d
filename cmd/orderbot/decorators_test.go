package main

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// stubSender answers every Send with err.
type stubSender struct{ err error }

func (s stubSender) Send(context.Context, *bot.Message) (string, error) { return "x", s.err }

func scrape(t *testing.T, m *metrics) string {
	t.Helper()
	rec := httptest.NewRecorder()
	m.handler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	return rec.Body.String()
}

// Each way a send can end is counted under the result the dispatcher makes
// of it, and only delivered messages count towards the lag.
func TestSendsAreCountedByResult(t *testing.T) {
	cases := []struct {
		err      error
		attempts int
		result   string
	}{
		{nil, 0, "delivered"},
		{&bot.RateLimitError{RetryAfter: 3 * time.Second}, 0, "rate_limited"},
		{fmt.Errorf("outside the window: %w", bot.ErrHold), 0, "held"},
		{fmt.Errorf("blocked: %w", bot.ErrUnreachable), 0, "unreachable"},
		{errors.New("502 from the platform"), 0, "retry"},
		{errors.New("502 from the platform"), maxSendAttempts - 1, "failed"},
	}
	for _, c := range cases {
		m := newMetrics()
		s := m.sender(bot.Telegram, stubSender{c.err})
		s.(*meteredSender).now = func() time.Time { return time.Unix(1000, 0) }
		msg := &bot.Message{Channel: bot.Telegram, Attempts: c.attempts, CreatedAt: time.Unix(997, 0)}
		if _, err := s.Send(context.Background(), msg); err != c.err {
			t.Fatalf("Send changed the error: %v", err)
		}
		text := scrape(t, m)
		if v := metricValue(text, "orderbot_outbox_deliveries_total", `channel="telegram"`, `result="`+c.result+`"`); v != 1 {
			t.Errorf("%v: deliveries{%s} = %v\n%s", c.err, c.result, v, text)
		}
		lag := metricValue(text, "orderbot_outbox_delivery_lag_seconds_sum", `channel="telegram"`)
		limited := metricValue(text, "orderbot_rate_limited_total", `channel="telegram"`)
		switch c.result {
		case "delivered":
			if lag != 3 {
				t.Errorf("lag sum %v, want 3", lag)
			}
		case "rate_limited":
			if limited != 1 || lag != -1 {
				t.Errorf("rate limited: 429s %v, lag %v", limited, lag)
			}
		default:
			if lag != -1 || limited != -1 {
				t.Errorf("%s: lag %v, 429s %v", c.result, lag, limited)
			}
		}
	}
}

// Staff actions are labelled by a fixed set of actions and results: the
// action name comes from the request and must not create series.
func TestStaffActionLabelsAreBounded(t *testing.T) {
	if got := knownAction("approve"); got != "approve" {
		t.Errorf("approve labelled %q", got)
	}
	if got := knownAction(strings.Repeat("x", 100)); got != "other" {
		t.Errorf("an unknown action labelled %q", got)
	}
	cases := map[error]string{
		nil: "ok",
		fmt.Errorf("approve on order:1: %w", &bot.DecidedError{Status: "confirmed"}): "decided",
		fmt.Errorf("approve on order:1: %w", &bot.StateError{Action: "approve"}):     "stale",
		fmt.Errorf("approve on order:1: %w", bot.ErrForbidden):                       "forbidden",
		fmt.Errorf("%w: card %q", bot.ErrNotFound, "order:x"):                        "not_found",
		fmt.Errorf("staff event k: %w", bot.ErrDuplicate):                            "duplicate",
		fmt.Errorf("%w: unknown action", bot.ErrInvalid):                             "invalid",
		errors.New("database gone"):                                                  "error",
	}
	for err, want := range cases {
		if got := staffResult(err); got != want {
			t.Errorf("%v: %q, want %q", err, got, want)
		}
	}
}

// The WeChat hook observes against the 5 s budget.
func TestPassiveReplyHook(t *testing.T) {
	m := newMetrics()
	var hook func(time.Duration, bool) = m.ObservePassiveReply
	hook(1200*time.Millisecond, true)
	hook(6*time.Second, false)
	text := scrape(t, m)
	if v := metricValue(text, "orderbot_wechat_passive_reply_seconds_bucket", `in_place="true"`, `le="5"`); v != 1 {
		t.Errorf("in place within 5 s: %v", v)
	}
	if v := metricValue(text, "orderbot_wechat_passive_reply_seconds_bucket", `in_place="false"`, `le="5"`); v != 0 {
		t.Errorf("late reply counted within 5 s: %v", v)
	}
}

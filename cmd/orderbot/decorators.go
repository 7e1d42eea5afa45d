package main

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// maxSendAttempts is the dispatcher's limit, which the delivery metrics
// need to tell a retry from giving up.
const maxSendAttempts = 12

// meteredSender counts one channel's sends by result and measures how late
// the delivered ones were.
type meteredSender struct {
	bot.Sender
	channel string
	m       *metrics
	now     func() time.Time
}

// sender wraps a channel's Sender with metrics.
func (m *metrics) sender(channel string, s bot.Sender) bot.Sender {
	return &meteredSender{Sender: s, channel: channel, m: m, now: time.Now}
}

// Send sends through the channel and records how it went.
func (s *meteredSender) Send(ctx context.Context, msg *bot.Message) (string, error) {
	ext, err := s.Sender.Send(ctx, msg)
	s.m.deliveries.WithLabelValues(s.channel, deliveryResult(err, msg.Attempts)).Inc()
	var rl *bot.RateLimitError
	switch {
	case err == nil && !msg.CreatedAt.IsZero():
		s.m.lag.WithLabelValues(s.channel).Observe(s.now().Sub(msg.CreatedAt).Seconds())
	case errors.As(err, &rl):
		s.m.limited.WithLabelValues(s.channel).Inc()
	}
	return ext, err
}

// Unwrap returns the channel's own Sender, for callers that look for an
// optional ability on it.
func (s *meteredSender) Unwrap() bot.Sender { return s.Sender }

// deliveryResult names what the dispatcher does with a send's outcome.
func deliveryResult(err error, attempts int) string {
	var rl *bot.RateLimitError
	switch {
	case err == nil:
		return "delivered"
	case errors.As(err, &rl):
		return "rate_limited"
	case errors.Is(err, bot.ErrHold):
		return "held"
	case errors.Is(err, bot.ErrUnreachable):
		return "unreachable"
	case attempts+1 >= maxSendAttempts:
		return "failed"
	}
	return "retry"
}

// decisionTimes reads when a decided item was created and decided, for the
// approval latency.
type decisionTimes interface {
	Order(ctx context.Context, id int64) (*bot.Order, error)
	AfterSales(ctx context.Context, id int64) (*bot.AfterSales, error)
}

// meteredService is the core as the adapters get it: every inbound message
// and staff action is counted by channel and result, and decisions feed the
// approval latency.
type meteredService struct {
	*bot.Service
	m     *metrics
	items decisionTimes
}

// service wraps the core with metrics.
func (m *metrics) service(core *bot.Service, items decisionTimes) *meteredService {
	return &meteredService{Service: core, m: m, items: items}
}

// HandleInbound runs the core and counts the message.
func (s *meteredService) HandleInbound(ctx context.Context, in bot.Inbound) ([]*bot.Message, error) {
	replies, err := s.Service.HandleInbound(ctx, in)
	result := "ok"
	switch {
	case errors.Is(err, bot.ErrInvalid):
		result = "invalid"
	case err != nil:
		result = "error"
	}
	s.m.inbound.WithLabelValues(in.Channel, result).Inc()
	return replies, err
}

// HandleStaffAction runs the core, counts the action and, for a decision,
// observes how long the item waited for it.
func (s *meteredService) HandleStaffAction(ctx context.Context, a bot.StaffAction) (bot.StaffResult, error) {
	res, err := s.Service.HandleStaffAction(ctx, a)
	s.m.staff.WithLabelValues(a.Channel, knownAction(a.Action), staffResult(err)).Inc()
	if err == nil && (a.Action == bot.ActApprove || a.Action == bot.ActReject) {
		s.observeDecision(ctx, a.Ref)
	}
	return res, err
}

// knownAction keeps the action label to the actions there are: the action
// comes from the request and must not create series at will.
func knownAction(a string) string {
	switch a {
	case bot.ActApprove, bot.ActReject, bot.ActShip, bot.ActDeliver, bot.ActComplete,
		bot.ActResolve, bot.ActReply, bot.ActClose:
		return a
	}
	return "other"
}

func staffResult(err error) string {
	var decided *bot.DecidedError
	var state *bot.StateError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &decided):
		return "decided"
	case errors.As(err, &state):
		return "stale"
	case errors.Is(err, bot.ErrForbidden):
		return "forbidden"
	case errors.Is(err, bot.ErrInvalid):
		return "invalid"
	case errors.Is(err, bot.ErrNotFound):
		return "not_found"
	case errors.Is(err, bot.ErrDuplicate):
		return "duplicate"
	}
	return "error"
}

// observeDecision reads the decided item back: the decision is its last
// status change. A failed read only costs the observation.
func (s *meteredService) observeDecision(ctx context.Context, ref string) {
	kind, num, _ := strings.Cut(ref, ":")
	id, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return
	}
	var created time.Time
	var history []bot.StatusChange
	switch kind {
	case "order", "cancel":
		o, err := s.items.Order(ctx, id)
		if err != nil {
			return
		}
		created, history = o.CreatedAt, o.History
		if kind == "cancel" {
			created = lastChange(history, "cancel_requested")
		}
	case "after_sales":
		r, err := s.items.AfterSales(ctx, id)
		if err != nil {
			return
		}
		created, history = r.CreatedAt, r.History
	default:
		return
	}
	if len(history) == 0 || created.IsZero() {
		return
	}
	waited := history[len(history)-1].At.Sub(created)
	s.m.approval.WithLabelValues(kind).Observe(max(waited, 0).Seconds())
}

// lastChange is when an item last moved to status to.
func lastChange(history []bot.StatusChange, to string) time.Time {
	for i := len(history) - 1; i >= 0; i-- {
		if history[i].To == to {
			return history[i].At
		}
	}
	return time.Time{}
}

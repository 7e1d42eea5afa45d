package bot

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Sentinel errors of the core. Storage turns driver errors into these;
// adapters map them to platform answers at the edge.
var (
	ErrNotFound       = errors.New("not found")
	ErrDuplicate      = errors.New("duplicate")
	ErrConflict       = errors.New("changed concurrently")
	ErrOutOfStock     = errors.New("out of stock")
	ErrForbidden      = errors.New("not allowed for this role")
	ErrInvalid        = errors.New("invalid input")
	ErrNotCancellable = errors.New("order can no longer be cancelled")
	ErrNotEligible    = errors.New("order is not eligible for after-sales")
	ErrAlreadyOpen    = errors.New("an after-sales request is already open for this order")
	ErrUnreachable    = errors.New("recipient unreachable")
	// ErrHold from a Sender keeps a message until the recipient writes
	// again: the platform allows no message now (WeChat outside its window).
	ErrHold = errors.New("hold until the recipient writes")
	// ErrRefundRetrying from a PayRefunder says the provider did not take
	// the refund now, and it is kept and asked for again.
	ErrRefundRetrying = errors.New("refund kept and retried")
)

// What a staff action lacked, so that staff can be told in their language.
var (
	errNoReason    = fmt.Errorf("%w: a reject needs a reason", ErrInvalid)
	errNoShipping  = fmt.Errorf("%w: shipping needs a carrier and a tracking number", ErrInvalid)
	errReplyLength = fmt.Errorf("%w: a reply must be 1-1000 characters", ErrInvalid)
)

// DecidedError says an item was already decided by someone else, so a
// second approver can be told who and when.
type DecidedError struct {
	Status string
	By     string
	At     time.Time
}

func (e *DecidedError) Error() string {
	return fmt.Sprintf("already %s by %s at %s", e.Status, e.By, e.At.Format("15:04"))
}

// Verb words the decision as what the first staff member did, for telling
// the second one: "approved", "rejected", "shipped".
func (e *DecidedError) Verb() string {
	switch e.Status {
	case string(Confirmed), string(Approved):
		return "approved"
	case "cancel_rejected":
		return "decided (cancel refused)"
	}
	return strings.ReplaceAll(e.Status, "_", " ")
}

// InvalidDetail is what an ErrInvalid error says for people: the text after
// "invalid input: ", or "" when there is none.
func InvalidDetail(err error) string {
	msg := err.Error()
	prefix := ErrInvalid.Error() + ": "
	if i := strings.Index(msg, prefix); i >= 0 {
		return msg[i+len(prefix):]
	}
	return ""
}

// StateError says an action does not apply to the item's current status.
type StateError struct {
	Action string
	Status string
}

func (e *StateError) Error() string {
	return fmt.Sprintf("cannot %s: status is %s", e.Action, e.Status)
}

// RateLimitError is returned by a sender the platform asked to slow down.
type RateLimitError struct {
	RetryAfter time.Duration
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("rate limited, retry after %s", e.RetryAfter)
}

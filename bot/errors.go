package bot

import (
	"errors"
	"fmt"
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

package bot

import (
	"context"
	"errors"
	"time"
)

// ErrLeaseLost means a dispatcher no longer holds the lease on a message:
// it ran out and another dispatcher took the message over, or the message
// was settled elsewhere. The result of the send is not recorded.
var ErrLeaseLost = errors.New("lease lost")

// DispatchStore is what the dispatcher needs from storage. Results are
// recorded only by the owner of the message's lease (ErrLeaseLost
// otherwise), and only the lease is freed: the message keeps its place.
type DispatchStore interface {
	// ClaimDueUpTo leases up to limit messages to owner until leaseUntil,
	// at most bulk of them bulk: not delivered, failed or held, due at now,
	// free or with an expired lease, and each the next in line for its
	// recipient (nothing before it to that recipient waits for its time or
	// is leased). A recipient's line is their non-bulk messages by id, then
	// their bulk ones by id; every due non-bulk message is taken before any
	// bulk one. Returned in that order.
	ClaimDueUpTo(ctx context.Context, owner string, now, leaseUntil time.Time, limit, bulk int) ([]*Message, error)
	// ClaimNextUpTo is ClaimDueUpTo for one recipient's messages.
	ClaimNextUpTo(ctx context.Context, owner, channel, recipient string, now, leaseUntil time.Time, limit, bulk int) ([]*Message, error)
	// RenewLeases extends owner's unexpired leases on ids to until.
	RenewLeases(ctx context.Context, owner string, ids []int64, now, until time.Time) (int, error)
	// ReleaseLeases frees every lease owner holds and says how many.
	ReleaseLeases(ctx context.Context, owner string) (int, error)
	// Postpone makes every waiting message to a recipient wait until at
	// least until, freeing owner's leases on them.
	Postpone(ctx context.Context, owner, channel, recipient string, now, until time.Time) error
	// NextDue is when the next waiting message becomes due after now, zero
	// when none waits for a time.
	NextDue(ctx context.Context, now time.Time) (time.Time, error)

	MarkDelivered(ctx context.Context, owner string, id int64, at time.Time, externalID, path string) error
	// MarkRetry records a failed attempt and when to try again.
	MarkRetry(ctx context.Context, owner string, id int64, attempts int, next time.Time, lastErr string) error
	MarkFailed(ctx context.Context, owner string, id int64, at time.Time, lastErr string) error
	// MarkHeld keeps a message back until the recipient writes again.
	MarkHeld(ctx context.Context, owner string, id int64, at time.Time, reason string) error

	SaveCardRef(ctx context.Context, channel, ref, externalID string) error
	CardRef(ctx context.Context, channel, ref string) (string, error)
	// InTx is for marking a recipient unreachable under their row lock.
	InTx(ctx context.Context, fn func(tx Repo) error) error
	Prune(ctx context.Context, before time.Time) (int, error)
	PruneCache(ctx context.Context, now time.Time) (int, error)
}

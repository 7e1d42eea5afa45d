package webchat

import (
	"context"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// Guard is the shared state behind the web chat's limits and the staff
// sessions. It lives in the database because any replica may serve any
// request: a limit kept in one process would be a limit per replica.
type Guard interface {
	RateLog
	PollSlots
	SessionStore
	// CustomerByUser finds a customer, to accept the unsigned cookies
	// given out before cookies were signed.
	CustomerByUser(ctx context.Context, channel, userID string) (bot.Customer, error)
	// PruneGuard deletes rate events from before rateBefore and the poll
	// slots and sessions expired at now.
	PruneGuard(ctx context.Context, now, rateBefore time.Time) (int, error)
	// PruneUnattachedMedia deletes photos uploaded before a time that no
	// request refers to.
	PruneUnattachedMedia(ctx context.Context, before time.Time) (int, error)
}

// RateLog records uses of limited things.
type RateLog interface {
	AddRateEvent(ctx context.Context, e bot.RateEvent) (int64, error)
	// RateEvents returns at most n uses under key after since, newest first.
	RateEvents(ctx context.Context, key string, since time.Time, n int) ([]bot.RateEvent, error)
	DeleteRateEvent(ctx context.Context, id int64) error
}

// PollSlots bounds concurrent long polls: each takes one of a few numbered
// places under a name until it ends (or its replica is gone and the place
// expires).
type PollSlots interface {
	TakePollSlot(ctx context.Context, name string, slots int, holder string, now, until time.Time) (slot int, ok bool, err error)
	ReleasePollSlot(ctx context.Context, name string, slot int, holder string) error
}

// SessionStore keeps staff sessions.
type SessionStore interface {
	CreateStaffSession(ctx context.Context, s bot.StaffSession) error
	// StaffSession returns a session unexpired at now; bot.ErrNotFound otherwise.
	StaffSession(ctx context.Context, id string, now time.Time) (bot.StaffSession, error)
	DeleteStaffSession(ctx context.Context, id string) error
}

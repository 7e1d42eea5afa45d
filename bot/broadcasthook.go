package bot

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// Broadcasts is promotions (bot/broadcast) as staff channels reach them:
// the approval card of a broadcast, "broadcast:<id>", whose buttons come
// through HandleStaffAction like every card's. It lives outside the core
// with its own storage and gets the Repo of the action's transaction.
type Broadcasts interface {
	// CardAction carries out approve or reject on a broadcast's card and
	// returns the card as it is now; the core checked the role.
	CardAction(ctx context.Context, tx Repo, staff Staff, id int64, a StaffAction, now time.Time) (Card, error)
}

// RefBroadcast is the kind of card ref of a broadcast waiting for
// approval: "broadcast:<id>".
const RefBroadcast = "broadcast"

// noBroadcasts is the Broadcasts of a shop that sends none.
type noBroadcasts struct{}

func (noBroadcasts) CardAction(context.Context, Repo, Staff, int64, StaffAction, time.Time) (Card, error) {
	return Card{}, fmt.Errorf("%w: %w", ErrNotFound, errors.New("broadcasts are not set up"))
}

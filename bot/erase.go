package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// erasedPrefix starts the user id an erased customer keeps instead of their
// platform id. No platform issues ids with a colon, so it never names a
// real user, and the real user writing again becomes a new customer.
const erasedPrefix = "erased:"

// ErasedUserID is the user id an erased customer's row keeps.
func ErasedUserID(customerID int64) string {
	return erasedPrefix + strconv.FormatInt(customerID, 10)
}

// Erased reports whether the customer's personal data was erased.
func (c Customer) Erased() bool {
	return strings.HasPrefix(c.UserID, erasedPrefix)
}

// RepliedMessageIDs returns the outbox ids of the replies an inbound record
// keeps (RecordInboundReply), so that erasing a customer can find the records
// that hold their replies.
func RepliedMessageIDs(raw []byte) ([]int64, error) {
	if len(raw) == 0 {
		return nil, nil
	}
	var stored []storedReply
	if err := json.Unmarshal(raw, &stored); err != nil {
		return nil, fmt.Errorf("stored reply: %w", err)
	}
	ids := make([]int64, len(stored))
	for i, r := range stored {
		ids[i] = r.ID
	}
	return ids, nil
}

// CustomerCards renders the current staff card of every item of the
// customer: each order and its cancel request, each after-sales request,
// and each of the handoffs given. After an erase they show no personal data,
// which is what staff channels are then given in place of the cards posted.
func (s *Service) CustomerCards(ctx context.Context, tx Repo, customerID int64, handoffs []*Handoff) ([]Card, error) {
	c, err := s.customerWithStanding(ctx, tx, customerID)
	if err != nil {
		return nil, err
	}
	orders, err := tx.OrdersByCustomer(ctx, customerID, 0)
	if err != nil {
		return nil, err
	}
	var cards []Card
	for _, o := range orders {
		cards = append(cards, s.orderCard(o, c), s.cancelCard(o, c))
		rs, err := tx.AfterSalesByOrder(ctx, o.ID)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			cards = append(cards, s.afterSalesCard(r, c))
		}
	}
	for _, h := range handoffs {
		cards = append(cards, s.handoffCard(h, c, transcript{}, ""))
	}
	return cards, nil
}

// QueuePostedCards gives every staff channel that has posted one of the
// cards (it has the card's ref) the card again, so that the channel edits
// its post in place; cards a channel never posted are not posted now. It
// returns how many it queued.
func (s *Service) QueuePostedCards(ctx context.Context, tx Repo, cards []Card, now time.Time) (int, error) {
	var msgs []*Message
	for _, ch := range s.cfg.StaffChannels {
		for _, card := range cards {
			if _, err := tx.CardRef(ctx, ch, card.Ref); err != nil {
				if errors.Is(err, ErrNotFound) {
					continue
				}
				return 0, fmt.Errorf("posted card %s on %s: %w", card.Ref, ch, err)
			}
			c := card
			msgs = append(msgs, &Message{Channel: ch, Recipient: StaffRecipient, Kind: KindCard, Card: &c, NextAt: now, CreatedAt: now})
		}
	}
	if len(msgs) == 0 {
		return 0, nil
	}
	if err := tx.Enqueue(ctx, msgs); err != nil {
		return 0, fmt.Errorf("queue posted cards: %w", err)
	}
	return len(msgs), nil
}

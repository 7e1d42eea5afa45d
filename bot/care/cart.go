package care

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
)

// ReminderCart is the kind of reminder of an abandoned cart.
const ReminderCart = "cart"

// SendCartReminders reminds opted-in customers of a cart untouched for
// CartReminder, once per cart: the reminder's key is the time of the
// customer's last message, and a customer who wrote or ordered since is not
// reminded. It returns how many it queued.
func (s *Service) SendCartReminders(ctx context.Context) (int, error) {
	if s.cfg.CartReminder <= 0 {
		return 0, nil
	}
	until := s.now().Add(-s.cfg.CartReminder)
	var cands []bot.Customer
	err := s.store.InTx(ctx, func(tx bot.Repo) error {
		r, err := repoOf(tx)
		if err != nil {
			return err
		}
		cands, err = r.CartCandidates(ctx, until.Add(-lookback), until, dueBatch)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("cart reminders: %w", err)
	}
	sent := 0
	for _, c := range cands {
		if cartItems(c) == 0 {
			continue
		}
		ok, err := s.remindCart(ctx, c)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	if sent > 0 {
		s.kick()
	}
	return sent, nil
}

// cartItems counts what the customer's saved conversation has in the cart.
func cartItems(c bot.Customer) int {
	var st conversation.State
	if len(c.Conversation) == 0 || json.Unmarshal(c.Conversation, &st) != nil {
		return 0
	}
	n := 0
	for _, l := range st.Cart {
		n += l.Qty
	}
	return n
}

func (s *Service) remindCart(ctx context.Context, c bot.Customer) (bool, error) {
	now := s.now()
	err := s.store.InTx(ctx, func(tx bot.Repo) error {
		r, err := repoOf(tx)
		if err != nil {
			return err
		}
		key := strconv.FormatInt(c.LastInboundAt.UnixMilli(), 10)
		if err := r.AddReminder(ctx, c.ID, ReminderCart, key, now); err != nil {
			return err
		}
		lang := conversation.ParseLang(c.Lang)
		rem := conversation.CartReminder(lang, cartItems(c))
		return tx.Enqueue(ctx, []*bot.Message{{
			Channel: c.Channel, Recipient: c.UserID, Kind: bot.KindNotice, Text: rem.Text,
			Lang: string(lang), NextAt: now, CreatedAt: now,
		}})
	})
	if errors.Is(err, bot.ErrDuplicate) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("remind customer %d of their cart: %w", c.ID, err)
	}
	return true, nil
}

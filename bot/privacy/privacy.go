// Package privacy answers a customer's rights over their personal data:
// erase it everywhere it lives, export it as JSON, and keep no one longer
// than the shop needs (customers who never ordered and went silent). Orders
// outlive an erase with their items and amounts, and the audit trail keeps
// that an erase happened, by whom and when.
package privacy

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/crm"
)

// Erasure is one customer's erase as the store carries it out: the customer
// as found and as they are to be kept.
type Erasure struct {
	Before bot.Customer
	After  bot.Customer
	At     time.Time
}

// Counts says what an erase changed, for the audit trail and the caller.
type Counts struct {
	Orders     int `json:"orders"`
	AfterSales int `json:"after_sales"`
	Messages   int `json:"messages"`
	Media      int `json:"photos"`
	ChatLines  int `json:"chat_lines"`
	Inbound    int `json:"inbound_replies"`
	History    int `json:"history_entries"`
	StaffCards int `json:"staff_messages"`
}

// Repo is the storage erase, export and retention need; the store's
// transaction Repo implements it beside bot.Repo.
type Repo interface {
	crm.Repo
	// LockCustomerByID returns the customer and locks their row until the
	// transaction ends: one erase at a time, and a message of theirs
	// handled before or after it, not during.
	LockCustomerByID(ctx context.Context, id int64) (bot.Customer, error)
	// HandoffsOf returns the customer's handoffs, oldest first.
	HandoffsOf(ctx context.Context, customerID int64) ([]*bot.Handoff, error)
	// EraseCustomerData saves e.After in place of the customer and blanks
	// or deletes their personal data in every other table: order contacts,
	// after-sales reasons and photos, messages to them and the inbound
	// records holding replies to them, web chat history, notes and tags,
	// and the actor strings naming them in history and audit.
	EraseCustomerData(ctx context.Context, e Erasure) (Counts, error)
	// RedactStaffMessages replaces, in the outbox, the text and card of
	// every staff message about one of the cards' items with the card as
	// given; a thread message not yet sent is not sent. It returns how
	// many messages it changed.
	RedactStaffMessages(ctx context.Context, cards []bot.Card, now time.Time) (int, error)
	// ChatLines returns the web chat customer's last n messages.
	ChatLines(ctx context.Context, userID string, n int) ([]bot.ChatLine, error)
	// SilentCustomers returns, in id order after afterID, up to limit
	// customers without orders whose last message (or creation, without
	// one) was before the time.
	SilentCustomers(ctx context.Context, before time.Time, afterID int64, limit int) ([]int64, error)
	// DeleteCustomer deletes a customer without orders and what only
	// refers to them (handoffs, tier, tags, note); bot.ErrConflict when
	// they have orders.
	DeleteCustomer(ctx context.Context, id int64) error
}

// Store runs transactions whose Repo also implements Repo.
type Store interface {
	InTx(ctx context.Context, fn func(tx bot.Repo) error) error
}

// Cards renders a customer's staff cards and gives them to the staff
// channels that posted them; bot.Service implements it.
type Cards interface {
	CustomerCards(ctx context.Context, tx bot.Repo, customerID int64, handoffs []*bot.Handoff) ([]bot.Card, error)
	QueuePostedCards(ctx context.Context, tx bot.Repo, cards []bot.Card, now time.Time) (int, error)
}

// Options are the service's settings.
type Options struct {
	// Location is the shop's zone, of the times an export shows; UTC when nil.
	Location *time.Location
	// Clock returns the current time; time.Now when nil.
	Clock func() time.Time
	// Retention is how long a customer who never ordered is kept after
	// their last message; DefaultRetention when zero.
	Retention time.Duration
}

// DefaultRetention is ORDERBOT_RETENTION's default: 180 days.
const DefaultRetention = 4320 * time.Hour

// Service erases, exports and retires customers' personal data.
type Service struct {
	store Store
	cards Cards
	log   *slog.Logger
	opts  Options
}

// New returns the service.
func New(store Store, cards Cards, log *slog.Logger, opts Options) *Service {
	if opts.Location == nil {
		opts.Location = time.UTC
	}
	if opts.Clock == nil {
		opts.Clock = time.Now
	}
	if opts.Retention <= 0 {
		opts.Retention = DefaultRetention
	}
	return &Service{store: store, cards: cards, log: log, opts: opts}
}

func (s *Service) inTx(ctx context.Context, fn func(tx bot.Repo, r Repo) error) error {
	return s.store.InTx(ctx, func(tx bot.Repo) error {
		r, ok := tx.(Repo)
		if !ok {
			return fmt.Errorf("privacy: storage %T cannot erase", tx)
		}
		return fn(tx, r)
	})
}

// Result is what an erase did. AlreadyErased: an earlier erase did it all,
// and this one changed nothing.
type Result struct {
	CustomerID    int64     `json:"id"`
	AlreadyErased bool      `json:"already_erased"`
	ErasedAt      time.Time `json:"erased_at"`
	Counts
	CardsQueued int `json:"cards_updated"`
}

// Erase erases the customer's personal data in one transaction and audits
// it under actor. Erasing an erased customer changes nothing and is no
// error; an unknown one is bot.ErrNotFound. Whether actor may erase is the
// caller's to check (the admin role).
func (s *Service) Erase(ctx context.Context, actor string, customerID int64) (Result, error) {
	res := Result{CustomerID: customerID}
	err := s.inTx(ctx, func(tx bot.Repo, r Repo) error {
		res = Result{CustomerID: customerID}
		now := s.opts.Clock().UTC()
		c, err := r.LockCustomerByID(ctx, customerID)
		if err != nil {
			return err
		}
		if c.Erased() {
			res.AlreadyErased = true
			return s.lastErase(ctx, tx, &res)
		}
		if res.Counts, res.CardsQueued, err = s.erase(ctx, tx, r, c, now); err != nil {
			return err
		}
		res.ErasedAt = now
		return tx.AddAudit(ctx, bot.AuditEntry{
			Actor: actor, Entity: "customer", Ref: strconv.FormatInt(customerID, 10), Action: "erase",
			Note: res.Counts.String(), At: now,
		})
	})
	if err != nil {
		return Result{}, fmt.Errorf("erase customer %d: %w", customerID, err)
	}
	if !res.AlreadyErased {
		// Ids and counts only: what was erased must not reach the log.
		s.log.InfoContext(ctx, "customer erased", "customer", customerID, "by", actor, "orders", res.Orders, "messages", res.Messages)
		s.forgetFreed(ctx)
	}
	return res, nil
}

// Forgetter is a store that can drop what it keeps of deleted rows beyond
// the tables (SQLite's write-ahead log).
type Forgetter interface {
	ForgetFreed(ctx context.Context) error
}

// forgetFreed asks the store to drop old copies of what was just erased.
// The erase stands either way; a store that cannot now does it at its next
// checkpoint.
func (s *Service) forgetFreed(ctx context.Context) {
	f, ok := s.store.(Forgetter)
	if !ok {
		return
	}
	if err := f.ForgetFreed(ctx); err != nil {
		s.log.WarnContext(ctx, "erase: old copies of the erased rows are kept until the next checkpoint", "err", err)
	}
}

// lastErase fills in when the customer was erased, from the audit trail.
func (s *Service) lastErase(ctx context.Context, tx bot.Repo, res *Result) error {
	es, err := tx.Audit(ctx, "customer", strconv.FormatInt(res.CustomerID, 10))
	if err != nil {
		return err
	}
	for _, e := range es {
		if e.Action == "erase" || e.Action == actionRetire {
			res.ErasedAt = e.At
		}
	}
	return nil
}

// erase erases the customer, whose row the transaction holds locked: their
// data, then the staff messages about their items, then the cards staff
// channels posted.
func (s *Service) erase(ctx context.Context, tx bot.Repo, r Repo, c bot.Customer, now time.Time) (Counts, int, error) {
	after := bot.Customer{
		ID: c.ID, Channel: c.Channel, UserID: bot.ErasedUserID(c.ID), Lang: c.Lang,
		Unreachable: true, CreatedAt: c.CreatedAt,
	}
	counts, err := r.EraseCustomerData(ctx, Erasure{Before: c, After: after, At: now})
	if err != nil {
		return Counts{}, 0, err
	}
	handoffs, err := r.HandoffsOf(ctx, c.ID)
	if err != nil {
		return Counts{}, 0, err
	}
	cards, err := s.cards.CustomerCards(ctx, tx, c.ID, handoffs)
	if err != nil {
		return Counts{}, 0, err
	}
	if counts.StaffCards, err = r.RedactStaffMessages(ctx, cards, now); err != nil {
		return Counts{}, 0, err
	}
	queued, err := s.cards.QueuePostedCards(ctx, tx, cards, now)
	if err != nil {
		return Counts{}, 0, err
	}
	return counts, queued, nil
}

// String sums the counts up for the audit trail: numbers, no data.
func (c Counts) String() string {
	return fmt.Sprintf("orders %d, after-sales %d, messages %d, photos %d, chat lines %d, inbound replies %d, history entries %d, staff messages %d",
		c.Orders, c.AfterSales, c.Messages, c.Media, c.ChatLines, c.Inbound, c.History, c.StaffCards)
}

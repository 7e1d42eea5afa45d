package broadcast

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/pay"
	"github.com/orderbot/orderbot/bot/tier"
)

// Repo is the storage broadcasts need. The store's transaction Repo
// implements it beside bot.Repo, so a decision, its audit row and its
// cards commit together.
type Repo interface {
	// CreateBroadcast assigns the ID.
	CreateBroadcast(ctx context.Context, b *Broadcast) error
	// Broadcast returns one broadcast (bot.ErrNotFound when none).
	Broadcast(ctx context.Context, id int64) (Broadcast, error)
	// UpdateBroadcast saves b when its version is still b.Version and
	// bumps it (bot.ErrConflict when someone changed it meanwhile).
	UpdateBroadcast(ctx context.Context, b *Broadcast) error
	// Broadcasts returns up to limit broadcasts with ids below beforeID
	// (every one when 0), newest first.
	Broadcasts(ctx context.Context, beforeID int64, limit int) ([]Broadcast, error)
	// DueBroadcasts returns the ids of broadcasts approved for up to now,
	// or being sent, whose lease ended.
	DueBroadcasts(ctx context.Context, now time.Time, limit int) ([]int64, error)
	// ClaimBroadcast takes the broadcast's sending job for owner until
	// leaseUntil unless another owner's lease runs; it reports whether it did.
	ClaimBroadcast(ctx context.Context, id int64, owner string, now, leaseUntil time.Time) (bool, error)
	// Audience returns up to limit consenting customers of the segment
	// with ids above afterID, by id.
	Audience(ctx context.Context, s Segment, afterID int64, limit int) ([]Target, error)
	// AudienceSize counts the consenting customers of the segment.
	AudienceSize(ctx context.Context, s Segment) (int, error)
	// AddRecipients records who got (or was skipped by) a broadcast;
	// bot.ErrDuplicate when one of them was recorded before.
	AddRecipients(ctx context.Context, rs []Recipient) error
	// BroadcastReport counts a broadcast's recipients and their messages.
	BroadcastReport(ctx context.Context, id int64) (Report, error)
	CouponByCode(ctx context.Context, code string) (pay.Coupon, error)
	TierList(ctx context.Context) ([]tier.Tier, error)
}

// Target is a customer of a segment as the sending job needs them: no
// personal data beyond the channel's user id.
type Target struct {
	CustomerID    int64
	Channel       string
	UserID        string
	Lang          string
	LastInboundAt time.Time
}

// Recipient is one customer of a broadcast: queued with MessageID, or
// skipped for Reason.
type Recipient struct {
	BroadcastID int64
	CustomerID  int64
	Reason      string // "" when queued
	MessageID   int64
	At          time.Time
}

// Store is what the service needs around its Repo.
type Store interface {
	InTx(ctx context.Context, fn func(tx bot.Repo) error) error
}

// Config is the broadcasts' settings.
type Config struct {
	// TwoPeople refuses the approval of a broadcast by its creator.
	TwoPeople bool
	// StaffChannels get the approval card.
	StaffChannels []string
	// Location is the shop's zone, for the times on cards; UTC when nil.
	Location *time.Location
	// StaffLang is the language of the card: bot.StaffLangEN, or Chinese
	// for anything else, as the core's cards.
	StaffLang string
	// Currency is the shop's symbol, for spend bounds on the card.
	Currency string
	// Batch is how many customers one transaction queues; 500 when 0.
	Batch int
	// Clock is time.Now when nil.
	Clock func() time.Time
}

// Service keeps broadcasts and sends them.
type Service struct {
	store Store
	log   *slog.Logger
	cfg   Config
	kick  func()
	// owner names this replica in the sending leases.
	owner string
	// wake makes the sending job look at once after an approval.
	wake chan struct{}
}

// New returns the broadcasts service. kick, when not nil, is called after
// messages were queued so a dispatcher sends them.
func New(store Store, log *slog.Logger, cfg Config, kick func()) *Service {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Currency == "" {
		cfg.Currency = "¥"
	}
	if cfg.Batch <= 0 {
		cfg.Batch = 500
	}
	if kick == nil {
		kick = func() {}
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	return &Service{store: store, log: log, cfg: cfg, kick: kick, owner: hex.EncodeToString(b[:]), wake: make(chan struct{}, 1)}
}

func (s *Service) now() time.Time { return s.cfg.Clock().UTC() }

// repoOf is the broadcasts' side of a transaction.
func repoOf(tx bot.Repo) (Repo, error) {
	r, ok := tx.(Repo)
	if !ok {
		return nil, fmt.Errorf("broadcast: storage %T keeps no broadcasts", tx)
	}
	return r, nil
}

// inTx runs fn with the broadcasts' Repo of one transaction.
func (s *Service) inTx(ctx context.Context, fn func(tx bot.Repo, r Repo) error) error {
	return s.store.InTx(ctx, func(tx bot.Repo) error {
		r, err := repoOf(tx)
		if err != nil {
			return err
		}
		return fn(tx, r)
	})
}

func allowed(staff bot.Staff, need bot.Role, what string) error {
	if !staff.Role.AtLeast(need) {
		return fmt.Errorf("%w: %s needs the %s role", bot.ErrForbidden, what, need)
	}
	return nil
}

// Create stores a draft written by an agent, after checking it.
func (s *Service) Create(ctx context.Context, staff bot.Staff, in Broadcast) (b Broadcast, err error) {
	if err := allowed(staff, bot.Agent, "writing a broadcast"); err != nil {
		return Broadcast{}, err
	}
	now := s.now()
	// Only what the writer chooses is taken; status, audience and the
	// sending job's fields start afresh.
	b = Broadcast{
		Status: Draft, TextZH: in.TextZH, TextEN: in.TextEN, ImageURL: in.ImageURL,
		Coupon: pay.NormalizeCode(in.Coupon), Segment: in.Segment, SendAt: in.SendAt,
		CreatedBy: staff.Actor(), CreatedAt: now,
	}
	err = s.inTx(ctx, func(tx bot.Repo, r Repo) error {
		if err := s.checkNew(ctx, r, &b, now); err != nil {
			return err
		}
		if err := r.CreateBroadcast(ctx, &b); err != nil {
			return fmt.Errorf("create broadcast: %w", err)
		}
		return audit(ctx, tx, staff, b.ID, "create", "", Draft, now)
	})
	if err != nil {
		return Broadcast{}, err
	}
	return b, nil
}

// checkNew checks a broadcast against the shop's tiers and coupons.
func (s *Service) checkNew(ctx context.Context, r Repo, b *Broadcast, now time.Time) error {
	ts, err := r.TierList(ctx)
	if err != nil {
		return fmt.Errorf("tiers: %w", err)
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	if err := b.check(names, now); err != nil {
		return err
	}
	if b.Coupon == "" {
		return nil
	}
	c, err := r.CouponByCode(ctx, b.Coupon)
	if errors.Is(err, bot.ErrNotFound) {
		return invalid("there is no coupon %s", b.Coupon)
	}
	if err != nil {
		return fmt.Errorf("coupon %s: %w", b.Coupon, err)
	}
	if c.Disabled || (!c.EndsAt.IsZero() && c.EndsAt.Before(now)) {
		return invalid("coupon %s can no longer be used", b.Coupon)
	}
	return nil
}

// Get returns a broadcast with its delivery report.
func (s *Service) Get(ctx context.Context, id int64) (Broadcast, Report, error) {
	var b Broadcast
	var rep Report
	err := s.inTx(ctx, func(_ bot.Repo, r Repo) error {
		var err error
		if b, err = r.Broadcast(ctx, id); err != nil {
			return fmt.Errorf("load broadcast %d: %w", id, err)
		}
		if rep, err = r.BroadcastReport(ctx, id); err != nil {
			return fmt.Errorf("report of broadcast %d: %w", id, err)
		}
		return nil
	})
	return b, rep, err
}

// List returns a page of broadcasts, newest first.
func (s *Service) List(ctx context.Context, beforeID int64, limit int) ([]Broadcast, error) {
	var out []Broadcast
	err := s.inTx(ctx, func(_ bot.Repo, r Repo) error {
		var err error
		out, err = r.Broadcasts(ctx, beforeID, limit)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("list broadcasts: %w", err)
	}
	return out, nil
}

// Preview counts the customers the broadcast would reach now.
func (s *Service) Preview(ctx context.Context, id int64) (int, error) {
	var n int
	err := s.inTx(ctx, func(_ bot.Repo, r Repo) error {
		b, err := r.Broadcast(ctx, id)
		if err != nil {
			return fmt.Errorf("load broadcast %d: %w", id, err)
		}
		n, err = r.AudienceSize(ctx, b.Segment)
		return err
	})
	return n, err
}

// The actions on a broadcast, by the API and on its card.
const (
	ActSubmit  = "submit"
	ActApprove = bot.ActApprove
	ActReject  = bot.ActReject
	ActCancel  = "cancel"
)

// Act carries out an action of the API's in its own transaction.
func (s *Service) Act(ctx context.Context, staff bot.Staff, id int64, action string) (Broadcast, error) {
	var b Broadcast
	err := s.inTx(ctx, func(tx bot.Repo, r Repo) error {
		var err error
		b, err = s.act(ctx, tx, r, staff, id, action)
		return err
	})
	if err != nil {
		return b, fmt.Errorf("%s broadcast %d: %w", action, id, err)
	}
	if action == ActApprove {
		s.poke()
	}
	s.kick()
	return b, nil
}

// CardAction carries out an approver's button on a broadcast's card,
// inside the core's transaction; the core checked the role.
func (s *Service) CardAction(ctx context.Context, tx bot.Repo, staff bot.Staff, id int64, a bot.StaffAction, now time.Time) (bot.Card, error) {
	r, err := repoOf(tx)
	if err != nil {
		return bot.Card{}, err
	}
	b, err := s.act(ctx, tx, r, staff, id, a.Action)
	if err != nil {
		return s.card(b), err
	}
	if a.Action == ActApprove {
		s.poke()
	}
	return s.card(b), nil
}

// act applies one action: the role, the broadcast's rule, the audit row
// and the cards, in tx.
func (s *Service) act(ctx context.Context, tx bot.Repo, r Repo, staff bot.Staff, id int64, action string) (Broadcast, error) {
	b, err := r.Broadcast(ctx, id)
	if err != nil {
		return Broadcast{}, fmt.Errorf("load broadcast %d: %w", id, err)
	}
	from, now := b.Status, s.now()
	switch action {
	case ActSubmit, ActCancel:
		err = allowed(staff, bot.Agent, action)
	case ActApprove, ActReject:
		err = allowed(staff, bot.Approver, action)
	default:
		err = invalid("unknown action %q (submit, approve, reject or cancel)", action)
	}
	if err != nil {
		return b, err
	}
	switch action {
	case ActSubmit:
		var n int
		if n, err = r.AudienceSize(ctx, b.Segment); err != nil {
			return b, fmt.Errorf("audience: %w", err)
		}
		err = b.Submit(n, now)
	case ActApprove:
		err = b.Approve(staff.Actor(), s.cfg.TwoPeople, now)
	case ActReject:
		err = b.Reject(staff.Actor(), now)
	case ActCancel:
		err = b.Cancel(staff.Actor(), now)
	}
	if err != nil {
		return b, err
	}
	if err := r.UpdateBroadcast(ctx, &b); err != nil {
		return b, fmt.Errorf("save broadcast %d: %w", id, err)
	}
	if err := audit(ctx, tx, staff, id, action, from, b.Status, now); err != nil {
		return b, err
	}
	if from != Draft || action == ActSubmit {
		// The card is posted on submit and shows every later decision,
		// a cancel after approval too; a draft has none.
		return b, s.queueCard(ctx, tx, b, now)
	}
	return b, nil
}

func audit(ctx context.Context, tx bot.Repo, staff bot.Staff, id int64, action string, from, to Status, now time.Time) error {
	err := tx.AddAudit(ctx, bot.AuditEntry{
		Actor: staff.Actor(), Entity: "broadcast", Ref: strconv.FormatInt(id, 10), Action: action,
		From: string(from), To: string(to), At: now,
	})
	if err != nil {
		return fmt.Errorf("audit broadcast %d: %w", id, err)
	}
	return nil
}

// poke wakes the sending job without waiting for it.
func (s *Service) poke() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/care"
	"github.com/orderbot/orderbot/bot/crm"
	"github.com/orderbot/orderbot/bot/tier"
)

// CRM is what the API asks of the shop's tiers, approval rules, tags and
// notes: what a customer record shows, and the changes staff make, with
// the domain's roles, checks and audit.
type CRM interface {
	// Standings returns the tier of each customer.
	Standings(ctx context.Context, customerIDs []int64) (map[int64]bot.Standing, error)
	// Profiles returns the tier, tags and note of each customer.
	Profiles(ctx context.Context, customerIDs []int64) (map[int64]Profile, error)
	Tiers(ctx context.Context) ([]tier.Tier, error)
	Rules(ctx context.Context) ([]tier.Rule, error)
	ReplaceTiers(ctx context.Context, staff bot.Staff, ts []tier.Tier) error
	ReplaceRules(ctx context.Context, staff bot.Staff, rs []tier.Rule) error
	// UpdateCustomer makes the whole change or, on any error, none of it.
	UpdateCustomer(ctx context.Context, staff bot.Staff, customerID int64, ch CustomerChange) error
	// MergeCustomers makes customer other part of customer keep (approver
	// role), with keep's tier recomputed; see crm.Service.Merge.
	MergeCustomers(ctx context.Context, staff bot.Staff, keepID, otherID int64) error
}

// Profile is what staff keep on a customer beyond their contact details.
type Profile struct {
	Standing bot.Standing
	Tags     []string
	Note     string
	// Consent is the customer's consent to promotions (bot/care).
	Consent care.Consent
}

// CustomerChange is a change staff make to a customer; nil fields stay.
// Empty but not nil Tags removes every tag; an empty PinnedTier unpins.
type CustomerChange struct {
	Tags       []string
	Note       *string
	PinnedTier *string
}

// profileRepo reads tags and notes for a page of customers in one
// statement each; the store's transaction Repo implements it.
type profileRepo interface {
	TagsOf(ctx context.Context, customerIDs []int64) (map[int64][]string, error)
	NotesOf(ctx context.Context, customerIDs []int64) (map[int64]crm.Note, error)
	// ConsentsOf returns the consent rows of those customers that have one.
	ConsentsOf(ctx context.Context, customerIDs []int64) (map[int64]care.Consent, error)
}

// DomainCRM is the CRM of bot/tier and bot/crm on a store whose
// transaction Repo keeps tiers, tags and notes.
type DomainCRM struct {
	store tier.Store
	log   *slog.Logger
	clock func() time.Time
	loc   *time.Location
	tiers *tier.Service
}

var _ CRM = (*DomainCRM)(nil)

// NewCRM returns the CRM of st; clock is time.Now when nil, loc the shop's
// time zone (UTC when nil).
func NewCRM(st tier.Store, log *slog.Logger, clock func() time.Time, loc *time.Location) *DomainCRM {
	return &DomainCRM{store: st, log: log, clock: clock, loc: loc, tiers: tier.New(st, log, clock, loc)}
}

// Tiers returns the shop's tiers, lowest first.
func (d *DomainCRM) Tiers(ctx context.Context) ([]tier.Tier, error) { return d.tiers.Tiers(ctx) }

// Rules returns the shop's approval rules.
func (d *DomainCRM) Rules(ctx context.Context) ([]tier.Rule, error) { return d.tiers.Rules(ctx) }

// ReplaceTiers sets the whole ladder (admin role).
func (d *DomainCRM) ReplaceTiers(ctx context.Context, staff bot.Staff, ts []tier.Tier) error {
	return d.tiers.ReplaceTiers(ctx, staff, ts)
}

// ReplaceRules sets every approval rule (admin role).
func (d *DomainCRM) ReplaceRules(ctx context.Context, staff bot.Staff, rs []tier.Rule) error {
	return d.tiers.ReplaceRules(ctx, staff, rs)
}

// Standings returns the tier of each customer.
func (d *DomainCRM) Standings(ctx context.Context, customerIDs []int64) (map[int64]bot.Standing, error) {
	var out map[int64]bot.Standing
	err := d.store.InTx(ctx, func(tx bot.Repo) error {
		var err error
		out, err = d.tiers.Standings(ctx, tx, customerIDs)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tiers of %d customers: %w", len(customerIDs), err)
	}
	return out, nil
}

// Profiles returns the tier, tags and note of each customer, reading them
// in one transaction so that they agree.
func (d *DomainCRM) Profiles(ctx context.Context, customerIDs []int64) (map[int64]Profile, error) {
	out := make(map[int64]Profile, len(customerIDs))
	err := d.store.InTx(ctx, func(tx bot.Repo) error {
		r, ok := tx.(profileRepo)
		if !ok {
			return fmt.Errorf("storage %T keeps no tags or notes", tx)
		}
		standings, err := d.tiers.Standings(ctx, tx, customerIDs)
		if err != nil {
			return err
		}
		tags, err := r.TagsOf(ctx, customerIDs)
		if err != nil {
			return err
		}
		notes, err := r.NotesOf(ctx, customerIDs)
		if err != nil {
			return err
		}
		consents, err := r.ConsentsOf(ctx, customerIDs)
		if err != nil {
			return err
		}
		for _, id := range customerIDs {
			out[id] = Profile{Standing: standings[id], Tags: tags[id], Note: notes[id].Text, Consent: consents[id]}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("profiles of %d customers: %w", len(customerIDs), err)
	}
	return out, nil
}

// UpdateCustomer runs the domain services' changes in one transaction: the
// services, built on that transaction alone, join it rather than open
// their own, so a refused pin also undoes the tags set before it.
func (d *DomainCRM) UpdateCustomer(ctx context.Context, staff bot.Staff, customerID int64, ch CustomerChange) error {
	return d.store.InTx(ctx, func(tx bot.Repo) error {
		one := oneTx{tx}
		if ch.PinnedTier != nil {
			if err := tier.New(one, d.log, d.clock, d.loc).Pin(ctx, staff, customerID, *ch.PinnedTier); err != nil {
				return err
			}
		}
		notes := crm.New(one, d.clock)
		if ch.Tags != nil {
			if err := notes.SetTags(ctx, staff, customerID, ch.Tags); err != nil {
				return err
			}
		}
		if ch.Note != nil {
			return notes.SetNote(ctx, staff, customerID, *ch.Note)
		}
		return nil
	})
}

// MergeCustomers merges and recomputes the kept customer's tier in one
// transaction: the tier then counts the orders the merge brought.
func (d *DomainCRM) MergeCustomers(ctx context.Context, staff bot.Staff, keepID, otherID int64) error {
	return d.store.InTx(ctx, func(tx bot.Repo) error {
		one := oneTx{tx}
		if err := crm.New(one, d.clock).Merge(ctx, staff, keepID, otherID); err != nil {
			return err
		}
		now := time.Now
		if d.clock != nil {
			now = d.clock
		}
		return tier.New(one, d.log, d.clock, d.loc).Recompute(ctx, tx, keepID, now().UTC())
	})
}

// oneTx is a store whose only transaction is one already open.
type oneTx struct{ tx bot.Repo }

var errInTx = errors.New("not available inside a customer's change")

func (o oneTx) InTx(_ context.Context, fn func(tx bot.Repo) error) error { return fn(o.tx) }

func (oneTx) CacheAdd(context.Context, string, string, time.Time, time.Time) (string, error) {
	return "", errInTx
}

func (oneTx) CacheDelete(context.Context, string) error { return errInTx }

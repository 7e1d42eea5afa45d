package main

import (
	"context"
	"fmt"

	"github.com/orderbot/orderbot/adapters/api"
	"github.com/orderbot/orderbot/adapters/webchat"
	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/tier"
)

// consoleCRM gives the staff console the admin API's CRM, so that a change
// made on a customer's page goes through the very same checks and audit
// as a PATCH of the API.
type consoleCRM struct{ crm *api.DomainCRM }

var _ webchat.CRM = consoleCRM{}

func (c consoleCRM) Profile(ctx context.Context, customerID int64) (webchat.Profile, error) {
	ps, err := c.crm.Profiles(ctx, []int64{customerID})
	if err != nil {
		return webchat.Profile{}, err
	}
	p, ok := ps[customerID]
	if !ok {
		return webchat.Profile{}, fmt.Errorf("profile of customer %d: %w", customerID, bot.ErrNotFound)
	}
	return webchat.Profile{Standing: p.Standing, Tags: p.Tags, Note: p.Note}, nil
}

func (c consoleCRM) Tiers(ctx context.Context) ([]tier.Tier, error) { return c.crm.Tiers(ctx) }

func (c consoleCRM) UpdateCustomer(ctx context.Context, staff bot.Staff, customerID int64, ch webchat.CustomerChange) error {
	return c.crm.UpdateCustomer(ctx, staff, customerID, api.CustomerChange{Tags: ch.Tags, Note: ch.Note, PinnedTier: ch.PinnedTier})
}

func (c consoleCRM) MergeCustomers(ctx context.Context, staff bot.Staff, keepID, otherID int64) error {
	return c.crm.MergeCustomers(ctx, staff, keepID, otherID)
}

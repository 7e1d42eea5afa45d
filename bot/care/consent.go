package care

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// Consent is a customer's consent to promotions (PIPL/GDPR): only those who
// granted it receive broadcasts. At and Channel say when and where they
// last said so; AskedAt when the bot asked.
type Consent struct {
	CustomerID int64
	Granted    bool
	At         time.Time // zero when they never answered
	Channel    string
	AskedAt    time.Time
}

// ConsentPrompt asks a customer who just ordered about promotions once:
// the row it adds is what makes it once, also across replicas.
func (s *Service) ConsentPrompt(ctx context.Context, tx bot.Repo, c bot.Customer, now time.Time) (bool, error) {
	r, err := repoOf(tx)
	if err != nil {
		return false, err
	}
	added, err := r.AddConsentAsked(ctx, c.ID, now)
	if err != nil {
		return false, fmt.Errorf("consent of customer %d: %w", c.ID, err)
	}
	return added, nil
}

// SetConsent records what the customer said, where and when.
func (s *Service) SetConsent(ctx context.Context, tx bot.Repo, c bot.Customer, granted bool, now time.Time) error {
	r, err := repoOf(tx)
	if err != nil {
		return err
	}
	cur, err := r.Consent(ctx, c.ID)
	if err != nil && !errors.Is(err, bot.ErrNotFound) {
		return fmt.Errorf("consent of customer %d: %w", c.ID, err)
	}
	cur.CustomerID, cur.Granted, cur.At, cur.Channel = c.ID, granted, now, c.Channel
	if err := r.SaveConsent(ctx, cur); err != nil {
		return fmt.Errorf("save consent of customer %d: %w", c.ID, err)
	}
	s.log.InfoContext(ctx, "consent changed", "customer", c.ID, "granted", granted, "channel", c.Channel)
	return nil
}

// ConsentOf returns a customer's consent for the API and console; a
// customer never asked has not granted it.
func ConsentOf(ctx context.Context, r Repo, customerID int64) (Consent, error) {
	c, err := r.Consent(ctx, customerID)
	if errors.Is(err, bot.ErrNotFound) {
		return Consent{CustomerID: customerID}, nil
	}
	return c, err
}

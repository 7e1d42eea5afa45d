// Package care is customer care: consent to promotions, and the
// satisfaction survey (满意度调查) sent after delivery and after a resolved
// after-sales request, with a staff card for an unhappy customer. It plugs
// into the core as bot.Care and keeps its own tables behind Repo.
package care

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// Repo is the storage care needs. The store's transaction Repo implements
// it beside bot.Repo, so consent and answers change in the transaction of
// the customer's message.
type Repo interface {
	// Consent returns the customer's consent (bot.ErrNotFound when they
	// were never asked and never said).
	Consent(ctx context.Context, customerID int64) (Consent, error)
	// AddConsentAsked records that the customer is being asked, unless a
	// consent row exists; it reports whether it added one.
	AddConsentAsked(ctx context.Context, customerID int64, at time.Time) (bool, error)
	// SaveConsent stores the customer's consent and logs the change.
	SaveConsent(ctx context.Context, c Consent) error
	// CreateSurvey assigns the ID; bot.ErrDuplicate when the item already
	// has its survey.
	CreateSurvey(ctx context.Context, s *Survey) error
	Survey(ctx context.Context, id int64) (Survey, error)
	// SurveysByID returns the surveys with these ids, in no order; ids
	// without one are left out.
	SurveysByID(ctx context.Context, ids []int64) ([]Survey, error)
	// LatestAsked returns the customer's newest survey and most recently
	// sent visit, in one statement: every typed message needs both.
	LatestAsked(ctx context.Context, customerID int64) (Asked, error)
	UpdateSurvey(ctx context.Context, s Survey) error
	// DueSurveys returns up to limit items delivered (orders) or resolved
	// (after-sales requests) in [since, until] that have no survey yet.
	DueSurveys(ctx context.Context, kind string, since, until time.Time, limit int) ([]Due, error)
	// CartCandidates returns up to limit customers who consented to
	// promotions, whose last message was in [since, until], who have not
	// ordered since it and were not reminded since it. Whether their cart
	// holds anything is the caller's to see.
	CartCandidates(ctx context.Context, since, until time.Time, limit int) ([]bot.Customer, error)
	// AddReminder records a reminder of a kind under key; bot.ErrDuplicate
	// when one was recorded under it before.
	AddReminder(ctx context.Context, customerID int64, kind, key string, at time.Time) error
}

// Asked is what care asked a customer last: their newest survey and
// their most recently sent visit, each nil when they have none. Either may
// have focus and so take what the customer types next.
type Asked struct {
	Survey   *Survey
	FollowUp *FollowUp
}

// Store is what the due-survey job needs around its Repo.
type Store interface {
	InTx(ctx context.Context, fn func(tx bot.Repo) error) error
}

// Config is care's settings.
type Config struct {
	// SurveyDelay is how long after delivery the survey goes out; 0 sends
	// it at the job's next run.
	SurveyDelay time.Duration
	// CartReminder is how long a cart may sit untouched before the
	// customer (opted in) is reminded of it, once; 0 sends none.
	CartReminder time.Duration
	// Membership gives customers their tiers, for follow-up rules of a
	// tier; without it only rules for every tier send.
	Membership bot.Membership
	// StaffChannels get the card of an unhappy customer.
	StaffChannels []string
	// StaffLang and Location word the unhappy customer's card as the
	// core's cards are: bot.StaffLangEN or Chinese, in the shop's zone
	// (UTC when nil).
	StaffLang string
	Location  *time.Location
	// Clock is time.Now when nil.
	Clock func() time.Time
}

// Service implements bot.Care and runs the due surveys.
type Service struct {
	store Store
	log   *slog.Logger
	cfg   Config
	kick  func()
}

var _ bot.Care = (*Service)(nil)

// New returns customer care. kick, when not nil, is called after messages
// were queued so a dispatcher sends them at once.
func New(store Store, log *slog.Logger, cfg Config, kick func()) *Service {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if kick == nil {
		kick = func() {}
	}
	return &Service{store: store, log: log, cfg: cfg, kick: kick}
}

func (s *Service) now() time.Time { return s.cfg.Clock().UTC() }

// repoOf is care's side of a core transaction.
func repoOf(tx bot.Repo) (Repo, error) {
	r, ok := tx.(Repo)
	if !ok {
		return nil, fmt.Errorf("care: storage %T keeps no care data", tx)
	}
	return r, nil
}

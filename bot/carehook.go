package bot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/orderbot/orderbot/conversation"
)

// Care is customer care (bot/care) as the core's transactions need it:
// consent to promotions and the answers to satisfaction surveys. It lives
// outside the core with its own storage; every method gets the Repo of the
// transaction it takes part in. A Service without one asks nothing and
// records no consent.
type Care interface {
	// ConsentPrompt reports whether a customer who just placed an order is
	// to be asked about promotions now: true once per customer, ever.
	ConsentPrompt(ctx context.Context, tx Repo, c Customer, now time.Time) (bool, error)
	// SetConsent records a consent change the customer made on their channel.
	SetConsent(ctx context.Context, tx Repo, c Customer, granted bool, now time.Time) error
	// Answer takes a customer's message meant for care (a survey's score or
	// comment) before the conversation sees it; ok is false when the
	// message is not care's, and the conversation handles it as usual.
	Answer(ctx context.Context, tx Repo, c Customer, in Inbound, now time.Time) (replies []conversation.Reply, ok bool, err error)
	// CardAction carries out a staff action on one of care's cards
	// (RefSurvey) and returns the card as it is now.
	CardAction(ctx context.Context, tx Repo, staff Staff, id int64, a StaffAction, now time.Time) (Card, error)
	// SurveyCards returns the current cards of these surveys, keyed by
	// survey id, for the work queue; an id without a survey is left out.
	SurveyCards(ctx context.Context, tx Repo, ids []int64) (map[int64]WorkCard, error)
}

// RefSurvey is the kind of card ref of an unhappy customer's survey:
// "survey:<id>", closed like a handoff.
const RefSurvey = "survey"

// errNoCare is why a shop without customer care records no consent.
var errNoCare = errors.New("customer care is not set up")

// noCare is the Care of a shop without customer care.
type noCare struct{}

func (noCare) ConsentPrompt(context.Context, Repo, Customer, time.Time) (bool, error) {
	return false, nil
}
func (noCare) SetConsent(context.Context, Repo, Customer, bool, time.Time) error {
	return errNoCare
}
func (noCare) Answer(context.Context, Repo, Customer, Inbound, time.Time) ([]conversation.Reply, bool, error) {
	return nil, false, nil
}
func (noCare) CardAction(context.Context, Repo, Staff, int64, StaffAction, time.Time) (Card, error) {
	return Card{}, fmt.Errorf("%w: %w", ErrNotFound, errNoCare)
}
func (noCare) SurveyCards(context.Context, Repo, []int64) (map[int64]WorkCard, error) {
	return nil, nil
}

// setConsent carries out the customer's consent word or answer.
func (s *Service) setConsent(ctx context.Context, tx Repo, c Customer, it conversation.SetConsent, now time.Time) (conversation.Outcome, error) {
	if err := s.cfg.Care.SetConsent(ctx, tx, c, it.Granted, now); err != nil {
		// Without care set up the customer is told it did not work; a
		// storage failure rolls back like any other.
		if errors.Is(err, errNoCare) {
			return conversation.Outcome{Problem: conversation.Internal}, nil
		}
		return conversation.Outcome{}, fmt.Errorf("set consent: %w", err)
	}
	return conversation.Outcome{}, nil
}

// answerForCare lets care take the message before the conversation. The
// conversation's state stays as it was; the customer's last message time
// moves, as for any message.
func (s *Service) answerForCare(ctx context.Context, tx Repo, c Customer, in Inbound, line outboxLine, now time.Time) ([]*Message, bool, error) {
	replies, ok, err := s.cfg.Care.Answer(ctx, tx, c, in, now)
	if err != nil || !ok {
		return nil, false, err
	}
	st := s.savedState(c)
	if err := s.saveCustomer(ctx, tx, c, c, in, st, now); err != nil {
		return nil, false, err
	}
	if st.Lang == "" {
		st.Lang = conversation.ParseLang(c.Lang)
	}
	out, err := s.queueReplies(ctx, tx, c, conversation.Result{State: st, Replies: replies}, line, now)
	return out, true, err
}

package care

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// surveyCard is the card of an unhappy customer: who, which order, the
// score and the comment; staff close it like a handoff once they followed up.
func surveyCard(sv Survey, c bot.Customer) bot.Card {
	name := c.DisplayName
	if name == "" {
		name = c.Name
	}
	card := bot.Card{
		Ref:   bot.RefSurvey + ":" + strconv.FormatInt(sv.ID, 10),
		Title: fmt.Sprintf("Unhappy customer: %s (%s %s)", name, c.Channel, c.UserID),
		Fields: []bot.CardField{
			{Label: "Order", Value: sv.OrderNumber},
			{Label: "Score", Value: fmt.Sprintf("%d / 5", sv.Score)},
		},
		Status: "Answered at " + sv.AnsweredAt.UTC().Format("2006-01-02 15:04 UTC"),
	}
	if sv.Request != "" {
		card.Fields = append(card.Fields, bot.CardField{Label: "After-sales", Value: sv.Request})
	}
	if c.Tier.Tier != "" {
		card.Fields = append(card.Fields, bot.CardField{Label: "Tier", Value: c.Tier.NameEN + " " + c.Tier.NameZH})
	}
	if sv.Comment != "" {
		card.Fields = append(card.Fields, bot.CardField{Label: "Comment", Value: sv.Comment})
	}
	if sv.CardOpen {
		card.Actions = []bot.CardAction{{ID: bot.ActClose, Label: "Close"}}
	} else if sv.ClosedBy != "" {
		card.Status = fmt.Sprintf("Closed by %s at %s", sv.ClosedBy, sv.ClosedAt.UTC().Format("2006-01-02 15:04 UTC"))
	}
	return card
}

// queueCard posts or updates the survey's card on every staff channel.
func (s *Service) queueCard(ctx context.Context, tx bot.Repo, sv Survey, c bot.Customer, now time.Time) error {
	// The core looks up a customer's tier only where it shows it, and an
	// answer to a survey comes before its conversation: the card asks here.
	if c.Tier.Tier == "" && s.cfg.Membership != nil {
		st, err := s.cfg.Membership.Standing(ctx, tx, c.ID)
		if err != nil {
			return fmt.Errorf("tier of customer %d: %w", c.ID, err)
		}
		c.Tier = st
	}
	card := surveyCard(sv, c)
	msgs := make([]*bot.Message, 0, len(s.cfg.StaffChannels))
	for _, ch := range s.cfg.StaffChannels {
		cc := card
		msgs = append(msgs, &bot.Message{Channel: ch, Recipient: bot.StaffRecipient, Kind: bot.KindCard, Card: &cc, NextAt: now, CreatedAt: now})
	}
	if err := tx.Enqueue(ctx, msgs); err != nil {
		return fmt.Errorf("queue card of survey %d: %w", sv.ID, err)
	}
	return nil
}

// CardAction closes an unhappy customer's card: once, the second staff
// member is told who closed it.
func (s *Service) CardAction(ctx context.Context, tx bot.Repo, staff bot.Staff, id int64, a bot.StaffAction, now time.Time) (bot.Card, error) {
	r, err := repoOf(tx)
	if err != nil {
		return bot.Card{}, err
	}
	sv, err := r.Survey(ctx, id)
	if err != nil {
		return bot.Card{}, fmt.Errorf("load survey %d: %w", id, err)
	}
	c, err := tx.Customer(ctx, sv.CustomerID)
	if err != nil {
		return bot.Card{}, fmt.Errorf("load customer: %w", err)
	}
	if a.Action != bot.ActClose {
		return surveyCard(sv, c), fmt.Errorf("%w: unknown action %q", bot.ErrInvalid, a.Action)
	}
	if !sv.CardOpen {
		if sv.ClosedBy == "" {
			return surveyCard(sv, c), fmt.Errorf("%w: survey %d has no card", bot.ErrNotFound, id)
		}
		return surveyCard(sv, c), &bot.DecidedError{Status: "closed", By: sv.ClosedBy, At: sv.ClosedAt}
	}
	sv.CardOpen, sv.ClosedBy, sv.ClosedAt = false, staff.Actor(), now
	if err := r.UpdateSurvey(ctx, sv); err != nil {
		return bot.Card{}, fmt.Errorf("close survey %d: %w", id, err)
	}
	err = tx.AddAudit(ctx, bot.AuditEntry{Actor: staff.Actor(), Entity: "survey", Ref: strconv.FormatInt(id, 10), Action: "close", From: "open", To: "closed", At: now})
	if err != nil {
		return bot.Card{}, fmt.Errorf("audit survey %d: %w", id, err)
	}
	card := surveyCard(sv, c)
	if err := s.queueCard(ctx, tx, sv, c, now); err != nil {
		return bot.Card{}, err
	}
	return card, nil
}

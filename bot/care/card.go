package care

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// surveyCard is the card of an unhappy customer: who, which order, the
// score and the comment; staff close it like a handoff once they followed
// up. It is worded in the staff language with times in the shop's zone,
// as the core's cards are.
func (s *Service) surveyCard(sv Survey, c bot.Customer) bot.Card {
	w := bot.NewStaffWords(s.cfg.StaffLang, s.cfg.Location, "", s.now())
	name := c.DisplayName
	if name == "" {
		name = c.Name
	}
	if name == "" {
		name = w.Say("a customer", "一位顾客")
	}
	card := bot.Card{
		Ref:    bot.RefSurvey + ":" + strconv.FormatInt(sv.ID, 10),
		Title:  w.Sayf("Unhappy customer: %s (%s)", "顾客不满意：%s（%s）", name, w.Channel(c.Channel)),
		Status: w.Sayf("Answered %s", "评价于 %s", w.When(sv.AnsweredAt)),
	}
	add := func(en, zh, value string) {
		if value != "" {
			card.Fields = append(card.Fields, bot.CardField{Label: w.Say(en, zh), Value: value})
		}
	}
	add("Order", "订单", sv.OrderNumber)
	add("Score", "评分", fmt.Sprintf("%d / 5", sv.Score))
	add("After-sales", "售后单", sv.Request)
	add("Tier", "会员等级", w.Say(c.Tier.NameEN, c.Tier.NameZH))
	add("Comment", "留言", sv.Comment)
	if sv.CardOpen {
		card.Actions = []bot.CardAction{{ID: bot.ActClose, Label: w.Say("Close", "结束跟进")}}
	} else if sv.ClosedBy != "" {
		card.Status = w.Sayf("Closed by %s %s", "由 %s 于 %s 结束跟进", sv.ClosedBy, w.When(sv.ClosedAt))
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
	card := s.surveyCard(sv, c)
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
		return s.surveyCard(sv, c), fmt.Errorf("%w: unknown action %q", bot.ErrInvalid, a.Action)
	}
	if !sv.CardOpen {
		if sv.ClosedBy == "" {
			return s.surveyCard(sv, c), fmt.Errorf("%w: survey %d has no card", bot.ErrNotFound, id)
		}
		return s.surveyCard(sv, c), &bot.DecidedError{Status: "closed", By: sv.ClosedBy, At: sv.ClosedAt}
	}
	sv.CardOpen, sv.ClosedBy, sv.ClosedAt = false, staff.Actor(), now
	if err := r.UpdateSurvey(ctx, sv); err != nil {
		return bot.Card{}, fmt.Errorf("close survey %d: %w", id, err)
	}
	err = tx.AddAudit(ctx, bot.AuditEntry{Actor: staff.Actor(), Entity: "survey", Ref: strconv.FormatInt(id, 10), Action: "close", From: "open", To: "closed", At: now})
	if err != nil {
		return bot.Card{}, fmt.Errorf("audit survey %d: %w", id, err)
	}
	card := s.surveyCard(sv, c)
	if err := s.queueCard(ctx, tx, sv, c, now); err != nil {
		return bot.Card{}, err
	}
	return card, nil
}

// SurveyCards returns the cards of these surveys for the staff work queue,
// keyed by survey id: the surveys in one query, each customer once, their
// tiers together. The link of each goes to the customer's page, where
// their surveys are.
func (s *Service) SurveyCards(ctx context.Context, tx bot.Repo, ids []int64) (map[int64]bot.WorkCard, error) {
	r, err := repoOf(tx)
	if err != nil {
		return nil, err
	}
	svs, err := r.SurveysByID(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("survey cards: %w", err)
	}
	customers := map[int64]bot.Customer{}
	var customerIDs []int64
	for _, sv := range svs {
		if _, ok := customers[sv.CustomerID]; ok {
			continue
		}
		c, err := tx.Customer(ctx, sv.CustomerID)
		if err != nil {
			return nil, fmt.Errorf("survey cards: customer %d: %w", sv.CustomerID, err)
		}
		customers[c.ID] = c
		customerIDs = append(customerIDs, c.ID)
	}
	if s.cfg.Membership != nil && len(customerIDs) > 0 {
		standings, err := s.cfg.Membership.Standings(ctx, tx, customerIDs)
		if err != nil {
			return nil, fmt.Errorf("survey cards: tiers: %w", err)
		}
		for id, c := range customers {
			c.Tier = standings[id]
			customers[id] = c
		}
	}
	out := make(map[int64]bot.WorkCard, len(svs))
	for _, sv := range svs {
		out[sv.ID] = bot.WorkCard{Card: s.surveyCard(sv, customers[sv.CustomerID]), CustomerID: sv.CustomerID}
	}
	return out, nil
}

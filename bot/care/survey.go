package care

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
)

// The kinds of item a survey asks about.
const (
	KindOrder      = "order"
	KindAfterSales = "after_sales"
)

// Survey stages: asked (awaiting a score), comment (scored, a comment
// welcome), done; skipped when the customer could not be reached, so the
// item is not looked at again and the survey counts as never sent.
const (
	StageAsked   = "asked"
	StageComment = "comment"
	StageDone    = "done"
	StageSkipped = "skipped"
)

// maxComment is the longest comment kept, in characters, as for any text
// the conversation takes.
const maxComment = 500

// Survey is one satisfaction survey: one per order delivered or request
// resolved (Kind, ItemID is unique).
type Survey struct {
	ID          int64
	CustomerID  int64
	Kind        string
	ItemID      int64
	OrderNumber string
	Request     string // the after-sales request's number, for KindAfterSales
	Channel     string // the customer's channel when asked
	SentAt      time.Time
	Stage       string
	// Focus says the survey is what the bot asked last, so a typed number
	// is its answer rather than a menu choice.
	Focus      bool
	Score      int // 1–5; 0 until answered
	AnsweredAt time.Time
	Comment    string
	// CardOpen says an unhappy customer's card awaits staff; ClosedBy and
	// ClosedAt say who closed it.
	CardOpen bool
	ClosedBy string
	ClosedAt time.Time
}

// Due is an item whose survey is due.
type Due struct {
	Kind        string
	ItemID      int64
	CustomerID  int64
	OrderNumber string
	Request     string
	At          time.Time // delivered or resolved
}

// unhappy is the highest score that opens a card for staff.
const unhappy = 2

// Answer takes, before the conversation, a survey's answer (a press of one
// of its buttons however old, or what the customer typed right after it
// asked) or the answer to a follow-up visit.
func (s *Service) Answer(ctx context.Context, tx bot.Repo, c bot.Customer, in bot.Inbound, now time.Time) ([]conversation.Reply, bool, error) {
	r, err := repoOf(tx)
	if err != nil {
		return nil, false, err
	}
	if in.Button != "" {
		// Only a survey asks with buttons, whose keys name it.
		return s.pressSurvey(ctx, tx, r, c, in.Button, now)
	}
	// Only typed text outside an entry can answer a survey or a visit: the
	// rest costs no query, and text one, which reads both, since nearly
	// always neither has focus.
	if in.Text == "" || midEntry(c) {
		return nil, false, nil
	}
	last, err := r.LatestAsked(ctx, c.ID)
	if err != nil {
		return nil, false, fmt.Errorf("latest survey and visit of customer %d: %w", c.ID, err)
	}
	replies, ok, err := s.answerSurvey(ctx, tx, r, c, in.Text, last.Survey, now)
	if err != nil || ok {
		return replies, ok, err
	}
	return s.answerFollowUp(ctx, tx, c, in.Text, last.FollowUp, now)
}

// pressSurvey answers a survey by one of its buttons.
func (s *Service) pressSurvey(ctx context.Context, tx bot.Repo, r Repo, c bot.Customer, button string, now time.Time) ([]conversation.Reply, bool, error) {
	id, score, ok := conversation.SurveyButton(button)
	if !ok {
		return nil, false, nil
	}
	sv, err := r.Survey(ctx, id)
	if errors.Is(err, bot.ErrNotFound) || (err == nil && sv.CustomerID != c.ID) {
		return nil, false, nil // the conversation calls it a stale button
	}
	if err != nil {
		return nil, false, fmt.Errorf("load survey %d: %w", id, err)
	}
	if score == 0 {
		return s.comment(ctx, tx, r, c, sv, "", now)
	}
	return s.score(ctx, tx, r, c, sv, score, now)
}

// answerSurvey takes what the customer typed as the answer to their latest
// survey (nil when none), if it has focus.
func (s *Service) answerSurvey(ctx context.Context, tx bot.Repo, r Repo, c bot.Customer, text string, latest *Survey, now time.Time) ([]conversation.Reply, bool, error) {
	if latest == nil || !latest.Focus {
		return nil, false, nil
	}
	sv := *latest
	if conversation.IsCommand(text) {
		// The customer moved on: the survey no longer takes typed text.
		sv.Focus = false
		return nil, false, r.UpdateSurvey(ctx, sv)
	}
	if sv.Stage == StageComment {
		return s.comment(ctx, tx, r, c, sv, text, now)
	}
	score, reading := conversation.ReadScore(text)
	switch reading {
	case conversation.Score:
		return s.score(ctx, tx, r, c, sv, score, now)
	case conversation.NotAScore:
		// Said once: the next words go to the conversation.
		sv.Focus = false
		if err := r.UpdateSurvey(ctx, sv); err != nil {
			return nil, false, fmt.Errorf("survey %d: %w", sv.ID, err)
		}
	}
	return s.say(c, sv, conversation.SurveyInvalid), true, nil
}

// midEntry reports whether the customer was typing what the conversation
// asked for (a name, a quantity, a message to staff) when a survey or visit
// came: their words are the conversation's, and only buttons answer.
func midEntry(c bot.Customer) bool {
	var st conversation.State
	if len(c.Conversation) == 0 || json.Unmarshal(c.Conversation, &st) != nil {
		return false
	}
	return st.TakesText()
}

func (s *Service) say(c bot.Customer, sv Survey, a conversation.SurveyAnswer) []conversation.Reply {
	return []conversation.Reply{conversation.SurveyReply(conversation.ParseLang(c.Lang), sv.ID, a)}
}

// score records the survey's one score; a second answer changes nothing.
func (s *Service) score(ctx context.Context, tx bot.Repo, r Repo, c bot.Customer, sv Survey, score int, now time.Time) ([]conversation.Reply, bool, error) {
	if sv.Score != 0 {
		return s.say(c, sv, conversation.SurveyAlready), true, nil
	}
	sv.Score, sv.AnsweredAt, sv.Stage, sv.Focus = score, now, StageComment, true
	sv.CardOpen = score <= unhappy
	if err := r.UpdateSurvey(ctx, sv); err != nil {
		return nil, false, fmt.Errorf("score survey %d: %w", sv.ID, err)
	}
	s.log.InfoContext(ctx, "survey answered", "survey", sv.ID, "score", score, "channel", c.Channel)
	if !sv.CardOpen {
		return s.say(c, sv, conversation.SurveyThanks), true, nil
	}
	if err := s.queueCard(ctx, tx, sv, c, now); err != nil {
		return nil, false, err
	}
	return s.say(c, sv, conversation.SurveySorry), true, nil
}

// comment keeps the optional comment (empty: skipped) and ends the survey.
func (s *Service) comment(ctx context.Context, tx bot.Repo, r Repo, c bot.Customer, sv Survey, text string, now time.Time) ([]conversation.Reply, bool, error) {
	if sv.Stage != StageComment {
		if sv.Score == 0 {
			return s.say(c, sv, conversation.SurveyInvalid), true, nil
		}
		return s.say(c, sv, conversation.SurveyAlready), true, nil
	}
	text = strings.TrimSpace(text)
	if utf8.RuneCountInString(text) > maxComment {
		text = string([]rune(text)[:maxComment])
	}
	sv.Comment, sv.Stage, sv.Focus = text, StageDone, false
	if err := r.UpdateSurvey(ctx, sv); err != nil {
		return nil, false, fmt.Errorf("comment on survey %d: %w", sv.ID, err)
	}
	if text == "" {
		return s.say(c, sv, conversation.SurveySkipped), true, nil
	}
	if sv.CardOpen {
		if err := s.queueCard(ctx, tx, sv, c, now); err != nil {
			return nil, false, err
		}
	}
	return s.say(c, sv, conversation.SurveyCommentSaved), true, nil
}

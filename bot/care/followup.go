package care

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
)

// FollowUpRule is a follow-up visit (回访) the shop makes: Days after an
// order is completed, customers of Tier (every tier when empty) get Text
// in their language.
type FollowUpRule struct {
	ID     int64  `json:"-"`
	Name   string `json:"name"`
	Days   int    `json:"days"`
	Tier   string `json:"tier"`
	TextZH string `json:"text_zh"`
	TextEN string `json:"text_en"`
}

// FollowUp is one visit: by a rule for an order, or scheduled by staff for
// a customer (RuleID 0). Key makes each one once.
type FollowUp struct {
	ID          int64
	CustomerID  int64
	Key         string
	RuleID      int64
	OrderNumber string
	TextZH      string
	TextEN      string
	DueAt       time.Time
	SentAt      time.Time // zero until sent
	CreatedBy   string
	// Focus says the visit is what the bot asked last, so the customer's
	// next words are its answer.
	Focus      bool
	Answer     string
	AnsweredAt time.Time
}

// RuleDue is an order completed long enough ago for a rule.
type RuleDue struct {
	OrderNumber string
	OrderID     int64
	CustomerID  int64
}

// FollowUpRepo is the storage of follow-up visits.
type FollowUpRepo interface {
	FollowUpRules(ctx context.Context) ([]FollowUpRule, error)
	ReplaceFollowUpRules(ctx context.Context, rs []FollowUpRule) error
	// CreateFollowUp assigns the ID; bot.ErrDuplicate when Key was used.
	CreateFollowUp(ctx context.Context, f *FollowUp) error
	UpdateFollowUp(ctx context.Context, f FollowUp) error
	// RuleDueOrders lists orders completed in [since, until] that have no
	// follow-up of the rule yet.
	RuleDueOrders(ctx context.Context, ruleID int64, since, until time.Time, limit int) ([]RuleDue, error)
	// DueFollowUps lists scheduled follow-ups due by now and not sent.
	DueFollowUps(ctx context.Context, now time.Time, limit int) ([]FollowUp, error)
	// ClaimFollowUp marks a due follow-up sent; false when another replica did.
	ClaimFollowUp(ctx context.Context, id int64, at time.Time) (bool, error)
}

// maxFollowUpText bounds a visit's text, in characters.
const maxFollowUpText = 1000

// checkRules refuses a rule list that cannot be sent as written.
func checkRules(rs []FollowUpRule, tiers map[string]bool) error {
	names := map[string]bool{}
	for i, r := range rs {
		at := fmt.Sprintf("rule %d (%q)", i+1, r.Name)
		switch {
		case strings.TrimSpace(r.Name) == "" || utf8.RuneCountInString(r.Name) > 64:
			return fmt.Errorf("%w: %s: a name of 1 to 64 characters is required", bot.ErrInvalid, at)
		case names[r.Name]:
			return fmt.Errorf("%w: %s: the name is used twice", bot.ErrInvalid, at)
		case r.Days < 1 || r.Days > 365:
			return fmt.Errorf("%w: %s: days must be 1 to 365", bot.ErrInvalid, at)
		case r.Tier != "" && !tiers[r.Tier]:
			return fmt.Errorf("%w: %s: no tier %q", bot.ErrInvalid, at, r.Tier)
		}
		if err := checkTexts(r.TextZH, r.TextEN); err != nil {
			return fmt.Errorf("%w: %s: %v", bot.ErrInvalid, at, err)
		}
		names[r.Name] = true
	}
	return nil
}

func checkTexts(zh, en string) error {
	for _, t := range []struct{ lang, text string }{{"text_zh", zh}, {"text_en", en}} {
		n := utf8.RuneCountInString(strings.TrimSpace(t.text))
		if n == 0 || n > maxFollowUpText {
			return fmt.Errorf("%s needs 1 to %d characters", t.lang, maxFollowUpText)
		}
	}
	return nil
}

func followUpRepo(tx bot.Repo) (FollowUpRepo, error) {
	r, ok := tx.(FollowUpRepo)
	if !ok {
		return nil, fmt.Errorf("care: storage %T keeps no follow-ups", tx)
	}
	return r, nil
}

// SetFollowUpRules replaces every rule (admin role), after checking them
// against the shop's tiers; a refused list changes nothing.
func (s *Service) SetFollowUpRules(ctx context.Context, staff bot.Staff, rs []FollowUpRule, tiers []string) error {
	return s.ChangeFollowUpRules(ctx, staff, tiers, func([]FollowUpRule) ([]FollowUpRule, error) { return rs, nil })
}

// ChangeFollowUpRules changes the rules (admin role) by change, which gets
// the rules as they are and returns them as they are to be: the staff
// console adds, edits or removes one this way. Reading, checking and
// replacing happen in one transaction, so a change is made to the rules it
// saw; an error from change, or a list that fails the checks, changes
// nothing.
func (s *Service) ChangeFollowUpRules(ctx context.Context, staff bot.Staff, tiers []string, change func([]FollowUpRule) ([]FollowUpRule, error)) error {
	if !staff.Role.AtLeast(bot.Admin) {
		return fmt.Errorf("%w: follow-up rules need the admin role", bot.ErrForbidden)
	}
	known := map[string]bool{}
	for _, t := range tiers {
		known[t] = true
	}
	return s.store.InTx(ctx, func(tx bot.Repo) error {
		r, err := followUpRepo(tx)
		if err != nil {
			return err
		}
		old, err := r.FollowUpRules(ctx)
		if err != nil {
			return err
		}
		rs, err := change(old)
		if err != nil {
			return err
		}
		if err := checkRules(rs, known); err != nil {
			return err
		}
		if err := r.ReplaceFollowUpRules(ctx, rs); err != nil {
			return err
		}
		return tx.AddAudit(ctx, bot.AuditEntry{Actor: staff.Actor(), Entity: "follow_up_rules", Ref: "follow_up_rules",
			Action: "replace", To: strconv.Itoa(len(rs)) + " rules", At: s.now()})
	})
}

// FollowUpRules returns the shop's rules.
func (s *Service) FollowUpRules(ctx context.Context) ([]FollowUpRule, error) {
	var rs []FollowUpRule
	err := s.store.InTx(ctx, func(tx bot.Repo) error {
		r, err := followUpRepo(tx)
		if err != nil {
			return err
		}
		rs, err = r.FollowUpRules(ctx)
		return err
	})
	return rs, err
}

// ScheduleFollowUp lets a staff member schedule a one-off visit of a
// customer at a time (now or later), in both languages.
func (s *Service) ScheduleFollowUp(ctx context.Context, staff bot.Staff, customerID int64, textZH, textEN string, at time.Time) (FollowUp, error) {
	now := s.now()
	if err := checkTexts(textZH, textEN); err != nil {
		return FollowUp{}, fmt.Errorf("%w: %v", bot.ErrInvalid, err)
	}
	if at.IsZero() {
		at = now
	}
	if at.Before(now.Add(-time.Minute)) {
		return FollowUp{}, fmt.Errorf("%w: the time is in the past", bot.ErrInvalid)
	}
	f := FollowUp{
		CustomerID: customerID, Key: fmt.Sprintf("staff:%d:%d", customerID, now.UnixNano()),
		TextZH: strings.TrimSpace(textZH), TextEN: strings.TrimSpace(textEN), DueAt: at.UTC(), CreatedBy: staff.Actor(),
	}
	err := s.store.InTx(ctx, func(tx bot.Repo) error {
		if _, err := tx.Customer(ctx, customerID); err != nil {
			return fmt.Errorf("customer %d: %w", customerID, err)
		}
		r, err := followUpRepo(tx)
		if err != nil {
			return err
		}
		return r.CreateFollowUp(ctx, &f)
	})
	return f, err
}

// SendFollowUps sends the visits that are due: by each rule for the orders
// completed its days ago (customers of its tier), and those staff
// scheduled. Each is sent once across replicas. It returns how many.
func (s *Service) SendFollowUps(ctx context.Context) (int, error) {
	rules, err := s.FollowUpRules(ctx)
	if err != nil {
		return 0, fmt.Errorf("follow-up rules: %w", err)
	}
	now, sent := s.now(), 0
	for _, rule := range rules {
		until := now.Add(-time.Duration(rule.Days) * 24 * time.Hour)
		n, err := s.sendRule(ctx, rule, until.Add(-lookback), until, now)
		sent += n
		if err != nil {
			return sent, err
		}
	}
	n, err := s.sendScheduled(ctx, now)
	sent += n
	if sent > 0 {
		s.kick()
	}
	return sent, err
}

func (s *Service) sendRule(ctx context.Context, rule FollowUpRule, since, until, now time.Time) (int, error) {
	var due []RuleDue
	err := s.store.InTx(ctx, func(tx bot.Repo) error {
		r, err := followUpRepo(tx)
		if err != nil {
			return err
		}
		due, err = r.RuleDueOrders(ctx, rule.ID, since, until, dueBatch)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("follow-ups of rule %s: %w", rule.Name, err)
	}
	sent := 0
	for _, d := range due {
		f := FollowUp{
			CustomerID: d.CustomerID, Key: fmt.Sprintf("rule:%d:order:%d", rule.ID, d.OrderID), RuleID: rule.ID,
			OrderNumber: d.OrderNumber, TextZH: rule.TextZH, TextEN: rule.TextEN, DueAt: now, SentAt: now,
			CreatedBy: "rule:" + rule.Name,
		}
		ok, err := s.sendFollowUp(ctx, f, rule.Tier, now)
		if err != nil {
			return sent, err
		}
		if ok {
			sent++
		}
	}
	return sent, nil
}

// sendFollowUp records a rule's visit and queues it, unless the customer
// is not of the rule's tier (recorded all the same, unsent, so the order
// is not looked at again) or another replica was first.
func (s *Service) sendFollowUp(ctx context.Context, f FollowUp, tier string, now time.Time) (bool, error) {
	var queued bool
	err := s.store.InTx(ctx, func(tx bot.Repo) error {
		queued = false
		r, err := followUpRepo(tx)
		if err != nil {
			return err
		}
		c, err := tx.Customer(ctx, f.CustomerID)
		if err != nil {
			return fmt.Errorf("load customer %d: %w", f.CustomerID, err)
		}
		send := !c.Unreachable
		if tier != "" && send && s.cfg.Membership == nil {
			send = false
		} else if tier != "" && send {
			st, err := s.cfg.Membership.Standing(ctx, tx, c.ID)
			if err != nil {
				return fmt.Errorf("tier of customer %d: %w", c.ID, err)
			}
			send = st.Tier == tier
		}
		if !send {
			f.SentAt = time.Time{}
			f.DueAt = time.Time{}
		}
		f.Focus = send
		if err := r.CreateFollowUp(ctx, &f); err != nil || !send {
			return err
		}
		queued = true
		return s.queueFollowUp(ctx, tx, c, f, now)
	})
	if errors.Is(err, bot.ErrDuplicate) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("follow-up %s: %w", f.Key, err)
	}
	return queued, nil
}

func (s *Service) queueFollowUp(ctx context.Context, tx bot.Repo, c bot.Customer, f FollowUp, now time.Time) error {
	lang := conversation.ParseLang(c.Lang)
	text := f.TextEN
	if lang == conversation.Chinese {
		text = f.TextZH
	}
	rep := conversation.FollowUpVisit(lang, text)
	return tx.Enqueue(ctx, []*bot.Message{{
		Channel: c.Channel, Recipient: c.UserID, Kind: bot.KindNotice, Text: rep.Text,
		Lang: string(lang), NextAt: now, CreatedAt: now,
	}})
}

func (s *Service) sendScheduled(ctx context.Context, now time.Time) (int, error) {
	var due []FollowUp
	err := s.store.InTx(ctx, func(tx bot.Repo) error {
		r, err := followUpRepo(tx)
		if err != nil {
			return err
		}
		due, err = r.DueFollowUps(ctx, now, dueBatch)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("scheduled follow-ups: %w", err)
	}
	sent := 0
	for _, f := range due {
		err := s.store.InTx(ctx, func(tx bot.Repo) error {
			r, err := followUpRepo(tx)
			if err != nil {
				return err
			}
			ok, err := r.ClaimFollowUp(ctx, f.ID, now)
			if err != nil || !ok {
				return err
			}
			c, err := tx.Customer(ctx, f.CustomerID)
			if err != nil {
				return fmt.Errorf("load customer %d: %w", f.CustomerID, err)
			}
			sent++
			return s.queueFollowUp(ctx, tx, c, f, now)
		})
		if err != nil {
			return sent, fmt.Errorf("follow-up %d: %w", f.ID, err)
		}
	}
	return sent, nil
}

// answerFollowUp keeps what the customer typed after their latest visit
// (nil when none) as its answer, if the visit has focus; a command only
// takes the focus away.
func (s *Service) answerFollowUp(ctx context.Context, tx bot.Repo, c bot.Customer, text string, latest *FollowUp, now time.Time) ([]conversation.Reply, bool, error) {
	if strings.TrimSpace(text) == "" || latest == nil || !latest.Focus {
		return nil, false, nil
	}
	r, err := followUpRepo(tx)
	if err != nil {
		return nil, false, err
	}
	f := *latest
	f.Focus = false
	command := conversation.IsCommand(text)
	if !command {
		text = strings.TrimSpace(text)
		if utf8.RuneCountInString(text) > maxComment {
			text = string([]rune(text)[:maxComment])
		}
		f.Answer, f.AnsweredAt = text, now
	}
	if err := r.UpdateFollowUp(ctx, f); err != nil {
		return nil, false, fmt.Errorf("answer follow-up %d: %w", f.ID, err)
	}
	if command {
		return nil, false, nil
	}
	return []conversation.Reply{conversation.FollowUpThanks(conversation.ParseLang(c.Lang))}, true, nil
}

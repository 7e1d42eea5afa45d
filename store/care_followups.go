package store

import (
	"context"
	"fmt"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/care"
)

var _ care.FollowUpRepo = (*repo)(nil)

type followUpRuleRow struct {
	ID       int64
	Position int
	Name     string
	Days     int
	Tier     string
	TextZH   string `gorm:"column:text_zh"`
	TextEN   string `gorm:"column:text_en"`
}

func (followUpRuleRow) TableName() string { return "care_follow_up_rules" }

type followUpRow struct {
	ID          int64
	CustomerID  int64
	Key         string
	RuleID      int64
	OrderNumber string
	TextZH      string `gorm:"column:text_zh"`
	TextEN      string `gorm:"column:text_en"`
	DueAt       *time.Time
	SentAt      *time.Time
	CreatedBy   string
	Focus       bool
	Answer      string
	AnsweredAt  *time.Time
}

func (followUpRow) TableName() string { return "care_follow_ups" }

func followUpFromRow(r followUpRow) care.FollowUp {
	return care.FollowUp{
		ID: r.ID, CustomerID: r.CustomerID, Key: r.Key, RuleID: r.RuleID, OrderNumber: r.OrderNumber,
		TextZH: r.TextZH, TextEN: r.TextEN, DueAt: fromNullTime(r.DueAt), SentAt: fromNullTime(r.SentAt),
		CreatedBy: r.CreatedBy, Focus: r.Focus, Answer: r.Answer, AnsweredAt: fromNullTime(r.AnsweredAt),
	}
}

// FollowUpRules returns the rules in their order.
func (r *repo) FollowUpRules(ctx context.Context) ([]care.FollowUpRule, error) {
	var rows []followUpRuleRow
	if err := r.db.WithContext(ctx).Order("position").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("follow-up rules: %w", dbErr(err))
	}
	out := make([]care.FollowUpRule, len(rows))
	for i, row := range rows {
		out[i] = care.FollowUpRule{ID: row.ID, Name: row.Name, Days: row.Days, Tier: row.Tier, TextZH: row.TextZH, TextEN: row.TextEN}
	}
	return out, nil
}

// ReplaceFollowUpRules keeps the ids of rules whose name stays, so their
// visits already sent are not sent again.
func (r *repo) ReplaceFollowUpRules(ctx context.Context, rs []care.FollowUpRule) error {
	db := r.db.WithContext(ctx)
	old, err := r.FollowUpRules(ctx)
	if err != nil {
		return err
	}
	ids := map[string]int64{}
	for _, o := range old {
		ids[o.Name] = o.ID
	}
	if err := db.Where("1 = 1").Delete(&followUpRuleRow{}).Error; err != nil {
		return fmt.Errorf("replace follow-up rules: %w", dbErr(err))
	}
	for i, x := range rs {
		row := followUpRuleRow{ID: ids[x.Name], Position: i, Name: x.Name, Days: x.Days, Tier: x.Tier, TextZH: x.TextZH, TextEN: x.TextEN}
		if err := db.Create(&row).Error; err != nil {
			return fmt.Errorf("replace follow-up rules: %w", dbErr(err))
		}
	}
	return nil
}

// CreateFollowUp stores f and sets its ID; ErrDuplicate when its key was used.
func (r *repo) CreateFollowUp(ctx context.Context, f *care.FollowUp) error {
	row := followUpRow{
		CustomerID: f.CustomerID, Key: f.Key, RuleID: f.RuleID, OrderNumber: f.OrderNumber, TextZH: f.TextZH,
		TextEN: f.TextEN, DueAt: nullTime(f.DueAt), SentAt: nullTime(f.SentAt), CreatedBy: f.CreatedBy, Focus: f.Focus,
	}
	if err := r.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("create follow-up %s: %w", f.Key, dbErr(err))
	}
	f.ID = row.ID
	return nil
}

// UpdateFollowUp saves the answer.
func (r *repo) UpdateFollowUp(ctx context.Context, f care.FollowUp) error {
	err := r.db.WithContext(ctx).Model(&followUpRow{}).Where("id = ?", f.ID).Updates(map[string]any{
		"focus": f.Focus, "answer": f.Answer, "answered_at": nullTime(f.AnsweredAt),
	}).Error
	if err != nil {
		return fmt.Errorf("update follow-up %d: %w", f.ID, dbErr(err))
	}
	return nil
}

// FollowUpsOfCustomer returns the customer's visits, newest first.
func (r *repo) FollowUpsOfCustomer(ctx context.Context, customerID int64, limit int) ([]care.FollowUp, error) {
	var rows []followUpRow
	err := r.db.WithContext(ctx).Where("customer_id = ? AND (sent_at IS NOT NULL OR due_at IS NOT NULL)", customerID).
		Order("id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("follow-ups of customer %d: %w", customerID, dbErr(err))
	}
	out := make([]care.FollowUp, len(rows))
	for i, row := range rows {
		out[i] = followUpFromRow(row)
	}
	return out, nil
}

// RuleDueOrders lists orders completed in [since, until] without a
// follow-up of the rule.
func (r *repo) RuleDueOrders(ctx context.Context, ruleID int64, since, until time.Time, limit int) ([]care.RuleDue, error) {
	var rows []struct {
		OrderID     int64
		OrderNumber *string
		CustomerID  int64
	}
	err := r.db.WithContext(ctx).Table("order_history h").Joins("JOIN orders o ON o.id = h.order_id").
		Select("DISTINCT o.id AS order_id, o.number AS order_number, o.customer_id").
		Where("h.to_status = ? AND h.changed_at >= ? AND h.changed_at <= ?", string(bot.Completed), since.UTC(), until.UTC()).
		Where("NOT EXISTS (SELECT 1 FROM care_follow_ups f WHERE f.rule_id = ? AND f.`key` = "+r.concatKey()+")", ruleID).
		Order("o.id").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("orders due for follow-up rule %d: %w", ruleID, dbErr(err))
	}
	out := make([]care.RuleDue, len(rows))
	for i, row := range rows {
		out[i] = care.RuleDue{OrderID: row.OrderID, CustomerID: row.CustomerID}
		if row.OrderNumber != nil {
			out[i].OrderNumber = *row.OrderNumber
		}
	}
	return out, nil
}

// concatKey is the SQL of a rule visit's key for the row's order, as
// care builds it: "rule:<rule>:order:<order id>".
func (r *repo) concatKey() string {
	if r.dialect == dialectSQLite {
		return "'rule:' || f.rule_id || ':order:' || o.id"
	}
	return "CONCAT('rule:', f.rule_id, ':order:', o.id)"
}

// DueFollowUps lists scheduled visits due by now and not sent.
func (r *repo) DueFollowUps(ctx context.Context, now time.Time, limit int) ([]care.FollowUp, error) {
	var rows []followUpRow
	err := r.db.WithContext(ctx).Where("sent_at IS NULL AND due_at IS NOT NULL AND due_at <= ?", now.UTC()).
		Order("due_at, id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("due follow-ups: %w", dbErr(err))
	}
	out := make([]care.FollowUp, len(rows))
	for i, row := range rows {
		out[i] = followUpFromRow(row)
	}
	return out, nil
}

// ClaimFollowUp marks a scheduled visit sent, once.
func (r *repo) ClaimFollowUp(ctx context.Context, id int64, at time.Time) (bool, error) {
	res := r.db.WithContext(ctx).Model(&followUpRow{}).Where("id = ? AND sent_at IS NULL", id).
		Updates(map[string]any{"sent_at": at.UTC(), "focus": true})
	if res.Error != nil {
		return false, fmt.Errorf("claim follow-up %d: %w", id, dbErr(res.Error))
	}
	return res.RowsAffected == 1, nil
}

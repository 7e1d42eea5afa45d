package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/care"
	"github.com/orderbot/orderbot/bot/report"
)

var _ care.Repo = (*repo)(nil)

type consentRow struct {
	CustomerID int64 `gorm:"primaryKey;autoIncrement:false"`
	Granted    bool
	ChangedAt  *time.Time
	Channel    string
	AskedAt    *time.Time
}

func (consentRow) TableName() string { return "care_consents" }

type consentEventRow struct {
	ID         int64
	CustomerID int64
	Granted    bool
	At         time.Time
	Channel    string
}

func (consentEventRow) TableName() string { return "care_consent_events" }

type surveyRow struct {
	ID          int64
	CustomerID  int64
	Kind        string
	ItemID      int64
	OrderNumber string
	Request     string
	Channel     string
	SentAt      time.Time
	Stage       string
	Focus       bool
	Score       int
	AnsweredAt  *time.Time
	Comment     string
	CardOpen    bool
	ClosedBy    string
	ClosedAt    *time.Time
}

func (surveyRow) TableName() string { return "care_surveys" }

func surveyToRow(s care.Survey) surveyRow {
	return surveyRow{
		ID: s.ID, CustomerID: s.CustomerID, Kind: s.Kind, ItemID: s.ItemID, OrderNumber: s.OrderNumber,
		Request: s.Request, Channel: s.Channel, SentAt: s.SentAt.UTC(), Stage: s.Stage, Focus: s.Focus,
		Score: s.Score, AnsweredAt: nullTime(s.AnsweredAt), Comment: s.Comment, CardOpen: s.CardOpen,
		ClosedBy: s.ClosedBy, ClosedAt: nullTime(s.ClosedAt),
	}
}

func surveyFromRow(r surveyRow) care.Survey {
	return care.Survey{
		ID: r.ID, CustomerID: r.CustomerID, Kind: r.Kind, ItemID: r.ItemID, OrderNumber: r.OrderNumber,
		Request: r.Request, Channel: r.Channel, SentAt: r.SentAt.UTC(), Stage: r.Stage, Focus: r.Focus,
		Score: r.Score, AnsweredAt: fromNullTime(r.AnsweredAt), Comment: r.Comment, CardOpen: r.CardOpen,
		ClosedBy: r.ClosedBy, ClosedAt: fromNullTime(r.ClosedAt),
	}
}

// Consent returns the customer's consent; ErrNotFound when there is none.
func (r *repo) Consent(ctx context.Context, customerID int64) (care.Consent, error) {
	var row consentRow
	if err := r.db.WithContext(ctx).Where("customer_id = ?", customerID).Take(&row).Error; err != nil {
		return care.Consent{}, fmt.Errorf("consent of customer %d: %w", customerID, dbErr(err))
	}
	return care.Consent{
		CustomerID: row.CustomerID, Granted: row.Granted, At: fromNullTime(row.ChangedAt),
		Channel: row.Channel, AskedAt: fromNullTime(row.AskedAt),
	}, nil
}

// AddConsentAsked inserts the row of a customer being asked, unless one is
// there. The primary key decides, so two transactions cannot both ask; the
// read first spares the usual case a failing statement.
func (r *repo) AddConsentAsked(ctx context.Context, customerID int64, at time.Time) (bool, error) {
	_, err := r.Consent(ctx, customerID)
	if err == nil {
		return false, nil
	}
	if !errors.Is(err, bot.ErrNotFound) {
		return false, err
	}
	row := consentRow{CustomerID: customerID, AskedAt: nullTime(at)}
	err = dbErr(r.db.WithContext(ctx).Create(&row).Error)
	if errors.Is(err, bot.ErrDuplicate) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("ask consent of customer %d: %w", customerID, err)
	}
	return true, nil
}

// SaveConsent stores the customer's consent and logs the change.
func (r *repo) SaveConsent(ctx context.Context, c care.Consent) error {
	row := consentRow{
		CustomerID: c.CustomerID, Granted: c.Granted, ChangedAt: nullTime(c.At),
		Channel: c.Channel, AskedAt: nullTime(c.AskedAt),
	}
	db := r.db.WithContext(ctx)
	err := db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "customer_id"}},
		DoUpdates: clause.AssignmentColumns([]string{"granted", "changed_at", "channel"}),
	}).Create(&row).Error
	if err != nil {
		return fmt.Errorf("save consent of customer %d: %w", c.CustomerID, dbErr(err))
	}
	ev := consentEventRow{CustomerID: c.CustomerID, Granted: c.Granted, At: c.At.UTC(), Channel: c.Channel}
	if err := db.Create(&ev).Error; err != nil {
		return fmt.Errorf("log consent of customer %d: %w", c.CustomerID, dbErr(err))
	}
	return nil
}

// CreateSurvey stores s and sets its ID; ErrDuplicate when the item has one.
func (r *repo) CreateSurvey(ctx context.Context, s *care.Survey) error {
	row := surveyToRow(*s)
	row.ID = 0
	if err := r.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("create survey for %s %d: %w", s.Kind, s.ItemID, dbErr(err))
	}
	s.ID = row.ID
	return nil
}

// Survey returns one survey; ErrNotFound when there is none.
func (r *repo) Survey(ctx context.Context, id int64) (care.Survey, error) {
	var row surveyRow
	if err := r.db.WithContext(ctx).Where("id = ?", id).Take(&row).Error; err != nil {
		return care.Survey{}, fmt.Errorf("survey %d: %w", id, dbErr(err))
	}
	return surveyFromRow(row), nil
}

// SurveysByID returns the surveys with these ids.
func (r *repo) SurveysByID(ctx context.Context, ids []int64) ([]care.Survey, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var rows []surveyRow
	if err := r.db.WithContext(ctx).Where("id IN ?", ids).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("surveys by id: %w", dbErr(err))
	}
	out := make([]care.Survey, len(rows))
	for i, row := range rows {
		out[i] = surveyFromRow(row)
	}
	return out, nil
}

// latestAskedSQL reads a customer's newest survey and most recently sent
// visit side by side in one row, so that a typed message costs one
// statement, not one per table. Each is found by its index on customer_id
// in an uncorrelated subquery, run once, then fetched by primary key; the
// one-row table k keeps the row when the customer has neither, and the
// LEFT JOINs leave a missing one's columns NULL. The order of each is as
// care has always had it: surveys by id, visits by when they were sent.
const latestAskedSQL = `SELECT
 s.id AS s_id, s.customer_id AS s_customer_id, s.kind AS s_kind, s.item_id AS s_item_id,
 s.order_number AS s_order_number, s.request AS s_request, s.channel AS s_channel,
 s.sent_at AS s_sent_at, s.stage AS s_stage, s.focus AS s_focus, s.score AS s_score,
 s.answered_at AS s_answered_at, s.comment AS s_comment, s.card_open AS s_card_open,
 s.closed_by AS s_closed_by, s.closed_at AS s_closed_at,
 f.id AS f_id, f.customer_id AS f_customer_id, f.` + "`key`" + ` AS f_key, f.rule_id AS f_rule_id,
 f.order_number AS f_order_number, f.text_zh AS f_text_zh, f.text_en AS f_text_en,
 f.due_at AS f_due_at, f.sent_at AS f_sent_at, f.created_by AS f_created_by,
 f.focus AS f_focus, f.answer AS f_answer, f.answered_at AS f_answered_at
FROM (SELECT 1 AS one) k
LEFT JOIN care_surveys s ON s.id = (` + latestSurveyIDSQL + `)
LEFT JOIN care_follow_ups f ON f.id = (` + latestFollowUpIDSQL + `)`

// The subqueries of latestAskedSQL: the id of the customer's newest survey
// and of their most recently sent visit.
const (
	latestSurveyIDSQL   = `SELECT ls.id FROM care_surveys ls WHERE ls.customer_id = ? ORDER BY ls.id DESC LIMIT 1`
	latestFollowUpIDSQL = `SELECT lf.id FROM care_follow_ups lf WHERE lf.customer_id = ? AND lf.sent_at IS NOT NULL
 ORDER BY lf.sent_at DESC, lf.id DESC LIMIT 1`
)

// latestAskedRow is the row of latestAskedSQL; an ID of 0 is a survey or
// visit the customer has none of (ids start at 1).
type latestAskedRow struct {
	S surveyRow   `gorm:"embedded;embeddedPrefix:s_"`
	F followUpRow `gorm:"embedded;embeddedPrefix:f_"`
}

// LatestAsked returns the customer's newest survey and most recently sent
// visit, nil when they have none.
func (r *repo) LatestAsked(ctx context.Context, customerID int64) (care.Asked, error) {
	var row latestAskedRow
	// The table names the statement for OnStatement, which is told only
	// the first of the two it reads.
	err := r.db.WithContext(ctx).Table("care_surveys").Raw(latestAskedSQL, customerID, customerID).Scan(&row).Error
	if err != nil {
		return care.Asked{}, fmt.Errorf("latest survey and visit of customer %d: %w", customerID, dbErr(err))
	}
	var out care.Asked
	if row.S.ID != 0 {
		sv := surveyFromRow(row.S)
		out.Survey = &sv
	}
	if row.F.ID != 0 {
		f := followUpFromRow(row.F)
		out.FollowUp = &f
	}
	return out, nil
}

// UpdateSurvey saves the survey's answer and card.
func (r *repo) UpdateSurvey(ctx context.Context, s care.Survey) error {
	row := surveyToRow(s)
	res := r.db.WithContext(ctx).Model(&surveyRow{}).Where("id = ?", s.ID).Updates(map[string]any{
		"stage": row.Stage, "focus": row.Focus, "score": row.Score, "answered_at": row.AnsweredAt,
		"comment": row.Comment, "card_open": row.CardOpen, "closed_by": row.ClosedBy, "closed_at": row.ClosedAt,
	})
	if res.Error != nil {
		return fmt.Errorf("update survey %d: %w", s.ID, dbErr(res.Error))
	}
	if res.RowsAffected == 0 {
		// MySQL counts changed rows: an update that changes nothing is fine
		// when the survey is there.
		var n int64
		if err := r.db.WithContext(ctx).Model(&surveyRow{}).Where("id = ?", s.ID).Count(&n).Error; err != nil || n == 0 {
			return fmt.Errorf("update survey %d: %w", s.ID, errors.Join(bot.ErrNotFound, dbErr(err)))
		}
	}
	return nil
}

type dueRow struct {
	ItemID      int64
	CustomerID  int64
	OrderNumber *string
	Request     *string
	At          time.Time
}

// DueSurveys lists items that reached the survey's status in [since,
// until] and have no survey, oldest first.
func (r *repo) DueSurveys(ctx context.Context, kind string, since, until time.Time, limit int) ([]care.Due, error) {
	var q *gorm.DB
	db := r.db.WithContext(ctx)
	switch kind {
	case care.KindOrder:
		q = db.Table("order_history h").Joins("JOIN orders o ON o.id = h.order_id").
			Select("o.id AS item_id, o.customer_id, o.number AS order_number, h.changed_at AS at").
			Where("h.to_status = ?", string(bot.Delivered))
	case care.KindAfterSales:
		q = db.Table("after_sales_history h").Joins("JOIN after_sales o ON o.id = h.after_sales_id").
			Select("o.id AS item_id, o.customer_id, o.order_number, o.number AS request, h.changed_at AS at").
			Where("h.to_status = ?", string(bot.Resolved))
	default:
		return nil, fmt.Errorf("%w: survey kind %q", bot.ErrInvalid, kind)
	}
	var rows []dueRow
	err := q.Where("h.changed_at >= ? AND h.changed_at <= ?", since.UTC(), until.UTC()).
		Where("NOT EXISTS (SELECT 1 FROM care_surveys s WHERE s.kind = ? AND s.item_id = o.id)", kind).
		Order("h.changed_at, h.id").Limit(limit).Scan(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("due %s surveys: %w", kind, dbErr(err))
	}
	out := make([]care.Due, 0, len(rows))
	seen := make(map[int64]bool, len(rows))
	for _, row := range rows {
		if seen[row.ItemID] {
			continue // delivered twice in the range: one survey
		}
		seen[row.ItemID] = true
		d := care.Due{Kind: kind, ItemID: row.ItemID, CustomerID: row.CustomerID, At: row.At.UTC()}
		if row.OrderNumber != nil {
			d.OrderNumber = *row.OrderNumber
		}
		if row.Request != nil {
			d.Request = *row.Request
		}
		out = append(out, d)
	}
	return out, nil
}

// ConsentHistory returns every consent change of a customer, oldest first.
func (r *repo) ConsentHistory(ctx context.Context, customerID int64) ([]care.Consent, error) {
	var rows []consentEventRow
	if err := r.db.WithContext(ctx).Where("customer_id = ?", customerID).Order("id").Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("consent history of customer %d: %w", customerID, dbErr(err))
	}
	out := make([]care.Consent, len(rows))
	for i, row := range rows {
		out[i] = care.Consent{CustomerID: row.CustomerID, Granted: row.Granted, At: row.At.UTC(), Channel: row.Channel}
	}
	return out, nil
}

// ConsentsOf returns the consent rows of those customers that have one.
func (r *repo) ConsentsOf(ctx context.Context, customerIDs []int64) (map[int64]care.Consent, error) {
	out := make(map[int64]care.Consent, len(customerIDs))
	if len(customerIDs) == 0 {
		return out, nil
	}
	var rows []consentRow
	if err := r.db.WithContext(ctx).Where("customer_id IN ?", customerIDs).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("consents of %d customers: %w", len(customerIDs), dbErr(err))
	}
	for _, row := range rows {
		out[row.CustomerID] = care.Consent{
			CustomerID: row.CustomerID, Granted: row.Granted, At: fromNullTime(row.ChangedAt),
			Channel: row.Channel, AskedAt: fromNullTime(row.AskedAt),
		}
	}
	return out, nil
}

// SurveyCounts counts the surveys sent in [from, to) per channel, with how
// many were answered and the sum of their scores, for the reports.
func (r *repo) SurveyCounts(ctx context.Context, from, to time.Time) ([]report.SurveyCount, error) {
	var out []report.SurveyCount
	err := r.db.WithContext(ctx).Model(&surveyRow{}).
		Select("channel, COUNT(*) AS sent, SUM(CASE WHEN score > 0 THEN 1 ELSE 0 END) AS answered, COALESCE(SUM(score), 0) AS score_sum").
		Where("sent_at >= ? AND sent_at < ? AND stage <> ?", from.UTC(), to.UTC(), care.StageSkipped).
		Group("channel").Scan(&out).Error
	if err != nil {
		return nil, fmt.Errorf("survey counts: %w", dbErr(err))
	}
	return out, nil
}

// SurveysOfCustomer returns the customer's latest surveys that went out,
// newest first.
func (r *repo) SurveysOfCustomer(ctx context.Context, customerID int64, limit int) ([]care.Survey, error) {
	var rows []surveyRow
	err := r.db.WithContext(ctx).Where("customer_id = ? AND stage <> ?", customerID, care.StageSkipped).
		Order("id DESC").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("surveys of customer %d: %w", customerID, dbErr(err))
	}
	out := make([]care.Survey, len(rows))
	for i, row := range rows {
		out[i] = surveyFromRow(row)
	}
	return out, nil
}

type reminderRow struct {
	ID         int64
	CustomerID int64
	Kind       string
	Key        string
	SentAt     time.Time
}

func (reminderRow) TableName() string { return "care_reminders" }

// CartCandidates lists opted-in customers quiet since [since, until] who
// neither ordered nor were reminded since their last message.
func (r *repo) CartCandidates(ctx context.Context, since, until time.Time, limit int) ([]bot.Customer, error) {
	var rows []customerRow
	err := r.db.WithContext(ctx).Table("customers c").Select("c.*").
		Joins("JOIN care_consents k ON k.customer_id = c.id AND k.granted = ?", true).
		Where("c.last_inbound_at >= ? AND c.last_inbound_at <= ? AND c.unreachable = ?", since.UTC(), until.UTC(), false).
		Where("NOT EXISTS (SELECT 1 FROM orders o WHERE o.customer_id = c.id AND o.created_at >= c.last_inbound_at)").
		Where("NOT EXISTS (SELECT 1 FROM care_reminders m WHERE m.customer_id = c.id AND m.kind = ? AND m.sent_at > c.last_inbound_at)", care.ReminderCart).
		Order("c.last_inbound_at, c.id").Limit(limit).Find(&rows).Error
	if err != nil {
		return nil, fmt.Errorf("cart reminder candidates: %w", dbErr(err))
	}
	out := make([]bot.Customer, len(rows))
	for i, row := range rows {
		c, err := r.customerFromRow(row)
		if err != nil {
			return nil, err
		}
		out[i] = c
	}
	return out, nil
}

// AddReminder records a reminder; ErrDuplicate when its key was used.
func (r *repo) AddReminder(ctx context.Context, customerID int64, kind, key string, at time.Time) error {
	row := reminderRow{CustomerID: customerID, Kind: kind, Key: key, SentAt: at.UTC()}
	if err := r.db.WithContext(ctx).Create(&row).Error; err != nil {
		return fmt.Errorf("reminder %s for customer %d: %w", kind, customerID, dbErr(err))
	}
	return nil
}

package store

import (
	"time"

	"gorm.io/gorm"
)

// The schema change of migration 17: customer care's own tables. Consent to
// promotions with a log of every change (when, on which channel), the
// satisfaction surveys, one per delivered order or resolved request, the
// reminders sent (abandoned carts), and follow-up visits with their rules.

type v17Consent struct {
	CustomerID int64      `gorm:"primaryKey;autoIncrement:false"`
	Granted    bool       `gorm:"not null"`
	ChangedAt  *time.Time // nil while the customer was asked and never answered
	Channel    string     `gorm:"size:32;not null"`
	AskedAt    *time.Time
}

type v17ConsentEvent struct {
	ID         int64     `gorm:"primaryKey"`
	CustomerID int64     `gorm:"not null;index:idx_care_consent_events_customer"`
	Granted    bool      `gorm:"not null"`
	At         time.Time `gorm:"not null"`
	Channel    string    `gorm:"size:32;not null"`
}

type v17Survey struct {
	ID          int64      `gorm:"primaryKey"`
	CustomerID  int64      `gorm:"not null;index:idx_care_surveys_customer"`
	Kind        string     `gorm:"size:16;not null;uniqueIndex:uq_care_surveys_item,priority:1"`
	ItemID      int64      `gorm:"not null;uniqueIndex:uq_care_surveys_item,priority:2"`
	OrderNumber string     `gorm:"size:32;not null"`
	Request     string     `gorm:"size:32;not null"`
	Channel     string     `gorm:"size:32;not null"`
	SentAt      time.Time  `gorm:"not null;index:idx_care_surveys_sent"`
	Stage       string     `gorm:"size:16;not null"`
	Focus       bool       `gorm:"not null"`
	Score       int        `gorm:"not null"`
	AnsweredAt  *time.Time `gorm:""`
	Comment     string     `gorm:"type:text;not null"`
	CardOpen    bool       `gorm:"not null"`
	ClosedBy    string     `gorm:"size:255;not null"`
	ClosedAt    *time.Time
}

// v17Reminder is a reminder sent to a customer, once per Key: for an
// abandoned cart the key is the time of the customer's last message, so a
// cart left again later gets its own.
type v17Reminder struct {
	ID         int64     `gorm:"primaryKey"`
	CustomerID int64     `gorm:"not null;uniqueIndex:uq_care_reminders_key,priority:1"`
	Kind       string    `gorm:"size:16;not null;uniqueIndex:uq_care_reminders_key,priority:2"`
	Key        string    `gorm:"size:64;not null;uniqueIndex:uq_care_reminders_key,priority:3"`
	SentAt     time.Time `gorm:"not null"`
}

// v17FollowUpRule is a follow-up visit the shop makes after completion.
type v17FollowUpRule struct {
	ID       int64  `gorm:"primaryKey"`
	Position int    `gorm:"not null"`
	Name     string `gorm:"size:64;not null;uniqueIndex:uq_care_follow_up_rules_name"`
	Days     int    `gorm:"not null"`
	Tier     string `gorm:"size:64;not null"`
	TextZH   string `gorm:"column:text_zh;type:text;not null"`
	TextEN   string `gorm:"column:text_en;type:text;not null"`
}

// v17FollowUp is one visit, by a rule for an order or scheduled by staff;
// Key is unique so each is sent once.
type v17FollowUp struct {
	ID          int64      `gorm:"primaryKey"`
	CustomerID  int64      `gorm:"not null;index:idx_care_follow_ups_customer"`
	Key         string     `gorm:"size:100;not null;uniqueIndex:uq_care_follow_ups_key"`
	RuleID      int64      `gorm:"not null"`
	OrderNumber string     `gorm:"size:32;not null"`
	TextZH      string     `gorm:"column:text_zh;type:text;not null"`
	TextEN      string     `gorm:"column:text_en;type:text;not null"`
	DueAt       *time.Time `gorm:"index:idx_care_follow_ups_due"`
	SentAt      *time.Time
	CreatedBy   string `gorm:"size:255;not null"`
	Focus       bool   `gorm:"not null"`
	Answer      string `gorm:"type:text;not null"`
	AnsweredAt  *time.Time
}

func (v17FollowUpRule) TableName() string { return "care_follow_up_rules" }
func (v17FollowUp) TableName() string     { return "care_follow_ups" }
func (v17Reminder) TableName() string     { return "care_reminders" }
func (v17Consent) TableName() string      { return "care_consents" }
func (v17ConsentEvent) TableName() string { return "care_consent_events" }
func (v17Survey) TableName() string       { return "care_surveys" }

func migrateV17(ddl *gorm.DB) error {
	for _, m := range []any{&v17Consent{}, &v17ConsentEvent{}, &v17Survey{}, &v17Reminder{}, &v17FollowUpRule{}, &v17FollowUp{}} {
		if ddl.Migrator().HasTable(m) {
			continue
		}
		if err := ddl.Migrator().CreateTable(m); err != nil {
			return err
		}
	}
	return nil
}

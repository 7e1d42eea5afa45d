package store

import (
	"time"

	"gorm.io/gorm"
)

// The schema change of migration 17: customer care's own tables. Consent to
// promotions with a log of every change (when, on which channel), the
// satisfaction surveys, one per delivered order or resolved request, and
// the reminders sent (abandoned carts).

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

func (v17Reminder) TableName() string     { return "care_reminders" }
func (v17Consent) TableName() string      { return "care_consents" }
func (v17ConsentEvent) TableName() string { return "care_consent_events" }
func (v17Survey) TableName() string       { return "care_surveys" }

func migrateV17(ddl *gorm.DB) error {
	for _, m := range []any{&v17Consent{}, &v17ConsentEvent{}, &v17Survey{}, &v17Reminder{}} {
		if ddl.Migrator().HasTable(m) {
			continue
		}
		if err := ddl.Migrator().CreateTable(m); err != nil {
			return err
		}
	}
	return nil
}

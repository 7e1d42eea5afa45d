package store

import (
	"time"

	"gorm.io/gorm"
)

// The schema change of migration 4: the questions staff channels ask staff
// members (a reason, a tracking number), kept until answered so that an
// answer is matched to its action by the message it replies to, never by
// text read back from a chat.

type v4StaffPrompt struct {
	ID        int64     `gorm:"primaryKey"`
	Channel   string    `gorm:"size:32;not null;uniqueIndex:idx_staff_prompts_message"`
	Message   string    `gorm:"size:191;not null;uniqueIndex:idx_staff_prompts_message"`
	UserID    string    `gorm:"size:191;not null"`
	Ref       string    `gorm:"size:64;not null"`
	Action    string    `gorm:"size:32;not null"`
	Input     string    `gorm:"size:16;not null"`
	Version   int       `gorm:"not null"`
	UsedBy    *string   `gorm:"size:191"`
	CreatedAt time.Time `gorm:"not null"`
	ExpiresAt time.Time `gorm:"not null;index"`
}

func (v4StaffPrompt) TableName() string { return "staff_prompts" }

func migrateV4(ddl *gorm.DB) error {
	if ddl.Migrator().HasTable(&v4StaffPrompt{}) {
		return nil
	}
	return ddl.Migrator().CreateTable(&v4StaffPrompt{})
}

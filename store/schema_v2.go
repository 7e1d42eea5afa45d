package store

import (
	"time"

	"gorm.io/gorm"
)

// The schema changes of migration 2, for the chat platforms' adapters: a
// reverse index from a posted card to its item (a Slack thread reply names
// only the parent message), messages kept for a customer's next message
// (WeChat outside its 48-hour window), and an expiring cache shared by the
// replicas (WeChat's access_token).

type v2Message struct {
	HeldAt *time.Time `gorm:"index:idx_messages_held,priority:3"`
	// Channel and Recipient repeat v1's columns only to name the index.
	Channel   string `gorm:"size:32;not null;index:idx_messages_held,priority:1"`
	Recipient string `gorm:"size:191;not null;index:idx_messages_held,priority:2"`
}

type v2CardRef struct {
	Channel    string `gorm:"size:32;not null;index:idx_card_refs_external,priority:1"`
	ExternalID string `gorm:"size:255;not null;index:idx_card_refs_external,priority:2"`
}

type v2Cache struct {
	Name      string    `gorm:"primaryKey;size:191;not null"`
	Value     string    `gorm:"column:cache_value;not null"`
	ExpiresAt time.Time `gorm:"not null"`
}

func (v2Message) TableName() string { return "messages" }
func (v2CardRef) TableName() string { return "card_refs" }
func (v2Cache) TableName() string   { return "cache" }

// migrateV2 checks before each change, so that a run cut short on MySQL,
// where each DDL statement commits on its own, can simply run again.
func migrateV2(ddl *gorm.DB) error {
	m := ddl.Migrator()
	if !m.HasColumn(&v2Message{}, "HeldAt") {
		if err := m.AddColumn(&v2Message{}, "HeldAt"); err != nil {
			return err
		}
	}
	if !m.HasIndex(&v2Message{}, "idx_messages_held") {
		if err := m.CreateIndex(&v2Message{}, "idx_messages_held"); err != nil {
			return err
		}
	}
	if !m.HasIndex(&v2CardRef{}, "idx_card_refs_external") {
		if err := m.CreateIndex(&v2CardRef{}, "idx_card_refs_external"); err != nil {
			return err
		}
	}
	if !m.HasTable(&v2Cache{}) {
		return m.CreateTable(&v2Cache{})
	}
	return nil
}

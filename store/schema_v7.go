package store

import (
	"time"

	"gorm.io/gorm"
)

// The schema change of migration 7: indexes for the dispatcher's leases.
// idx_messages_queue finds a recipient's messages still waiting (a later
// one is claimed only when no earlier one waits elsewhere) without reading
// the recipient's delivered history; idx_messages_owner finds the leases a
// replica holds when it gives them back at shutdown.

type v7Message struct {
	ID          int64      `gorm:"primaryKey;index:idx_messages_queue,priority:4"`
	Channel     string     `gorm:"size:32;not null;index:idx_messages_queue,priority:1"`
	Recipient   string     `gorm:"size:191;not null;index:idx_messages_queue,priority:2"`
	DeliveredAt *time.Time `gorm:"index:idx_messages_queue,priority:3"`
	Owner       *string    `gorm:"size:191;index:idx_messages_owner"`
}

func (v7Message) TableName() string { return "messages" }

// migrateV7 checks before each index, so that a run cut short on MySQL can
// simply run again.
func migrateV7(ddl *gorm.DB) error {
	m := ddl.Migrator()
	for _, name := range []string{"idx_messages_queue", "idx_messages_owner"} {
		if m.HasIndex(&v7Message{}, name) {
			continue
		}
		if err := m.CreateIndex(&v7Message{}, name); err != nil {
			return err
		}
	}
	return nil
}

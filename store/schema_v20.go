package store

import "gorm.io/gorm"

// The schema change of migration 20: a broadcast's messages are marked bulk
// in the outbox, so that the dispatcher sends them only after the replies,
// notices and cards waiting beside them.
type v20Message struct {
	Bulk bool `gorm:"not null;default:false"`
}

func (v20Message) TableName() string { return "messages" }

func migrateV20(ddl *gorm.DB) error {
	m := ddl.Migrator()
	if m.HasColumn(&v20Message{}, "Bulk") {
		return nil
	}
	return m.AddColumn(&v20Message{}, "Bulk")
}

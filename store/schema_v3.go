package store

import (
	"time"

	"gorm.io/gorm"
)

// The schema change of migration 3: photos customers upload in the web
// chat, kept in the database so that every replica can serve them.

type v3Media struct {
	ID          int64     `gorm:"primaryKey"`
	Channel     string    `gorm:"size:32;not null"`
	Owner       string    `gorm:"size:191;not null"`
	ContentType string    `gorm:"size:100;not null"`
	Data        []byte    `gorm:"not null"`
	CreatedAt   time.Time `gorm:"not null"`
}

func (v3Media) TableName() string { return "media" }

func migrateV3(ddl *gorm.DB) error {
	if ddl.Migrator().HasTable(&v3Media{}) {
		return nil
	}
	return ddl.Migrator().CreateTable(&v3Media{})
}

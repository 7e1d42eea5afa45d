package store

import "gorm.io/gorm"

// The schema change of migration 19: the picture that goes with a reply
// (a product's) travels with the message through the outbox, so that the
// channels whose replies the dispatcher sends (Telegram, WeChat) can show
// it. NULL when the message has none; a nullable TEXT needs no default,
// which TiDB would refuse.
type v19Message struct {
	ImageURL *string `gorm:"column:image_url;type:text"`
}

func (v19Message) TableName() string { return "messages" }

func migrateV19(ddl *gorm.DB) error {
	m := ddl.Migrator()
	if m.HasColumn(&v19Message{}, "ImageURL") {
		return nil
	}
	return m.AddColumn(&v19Message{}, "ImageURL")
}

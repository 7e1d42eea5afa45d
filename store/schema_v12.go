package store

import (
	"time"

	"gorm.io/gorm"
)

// The schema change of migration 12: the catalog's Chinese category and
// description, and the web chat's history, which the outbox alone cannot
// give: the customer's own messages (chat_lines) and the pictures shown
// with the bot's replies (chat_images, by outbox message id).

type v12Product struct {
	CategoryZH    string `gorm:"size:100;not null;default:''"`
	DescriptionZH string `gorm:"type:text;not null;default:''"`
}

// v12ProductMySQL is v12Product for MySQL and TiDB: TiDB refuses a default
// on a TEXT column, and both give the rows a table already has the empty
// string for a NOT NULL column added without one (SQLite needs the default).
type v12ProductMySQL struct {
	CategoryZH    string `gorm:"size:100;not null;default:''"`
	DescriptionZH string `gorm:"type:text;not null"`
}

type v12ChatLine struct {
	ID       int64     `gorm:"primaryKey"`
	UserID   string    `gorm:"size:191;not null;uniqueIndex:uq_chat_lines_client,priority:1;index:idx_chat_lines_user,priority:1"`
	ClientID string    `gorm:"size:64;not null;uniqueIndex:uq_chat_lines_client,priority:2"`
	Kind     string    `gorm:"size:16;not null"`
	Text     string    `gorm:"type:text;not null"`
	At       time.Time `gorm:"not null;index:idx_chat_lines_user,priority:2;index:idx_chat_lines_at"`
	BeforeID int64     `gorm:"not null"`
}

type v12ChatImage struct {
	MessageID int64  `gorm:"primaryKey;autoIncrement:false"`
	URL       string `gorm:"type:text;not null"`
}

func (v12Product) TableName() string      { return "products" }
func (v12ProductMySQL) TableName() string { return "products" }
func (v12ChatLine) TableName() string     { return "chat_lines" }
func (v12ChatImage) TableName() string    { return "chat_images" }

// migrateV12 checks before each change, so that a run cut short on MySQL
// can simply run again.
func migrateV12(ddl *gorm.DB) error {
	m := ddl.Migrator()
	var product any = &v12Product{}
	if ddl.Dialector.Name() == dialectMySQL {
		product = &v12ProductMySQL{}
	}
	for _, col := range []string{"CategoryZH", "DescriptionZH"} {
		if m.HasColumn(product, col) {
			continue
		}
		if err := m.AddColumn(product, col); err != nil {
			return err
		}
	}
	for _, t := range []any{&v12ChatLine{}, &v12ChatImage{}} {
		if m.HasTable(t) {
			continue
		}
		if err := m.CreateTable(t); err != nil {
			return err
		}
	}
	return nil
}

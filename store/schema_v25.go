package store

import (
	"gorm.io/gorm"
	"gorm.io/gorm/clause"
)

// The schema change of migration 25: catalog_versions holds one row whose
// version every change of the catalog (an import, the admin API) raises in
// its own transaction. Each replica keeps the catalog in memory and reads
// the version with the customer's row (LockForInbound), so it reloads the
// catalog only when another replica, or itself, changed it. Stock is not
// part of it: orders change stock all the time, and the core reads the
// stock it shows afresh (StockOf).
type v25CatalogVersion struct {
	ID      int64 `gorm:"primaryKey;autoIncrement:false"`
	Version int64 `gorm:"not null"`
}

func (v25CatalogVersion) TableName() string { return "catalog_versions" }

func migrateV25(ddl *gorm.DB) error {
	m := ddl.Migrator()
	if !m.HasTable(&v25CatalogVersion{}) {
		if err := m.CreateTable(&v25CatalogVersion{}); err != nil {
			return err
		}
	}
	// The one row, there before any change so that a change only updates.
	return ddl.Clauses(clause.OnConflict{DoNothing: true}).Create(&v25CatalogVersion{ID: catalogVersionID, Version: 1}).Error
}

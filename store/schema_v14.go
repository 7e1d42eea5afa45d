package store

import (
	"gorm.io/gorm"
)

// The schema change of migration 14: personal data is sealed (see
// store/seal), so the name and phone columns hold envelopes several times
// longer than the clear text, and the indexes on them, useless over
// ciphertext, give way to indexes on keyed hashes of the normalized values,
// which answer exact searches by phone or full name.

type v14Customer struct {
	Name            string `gorm:"size:2048;not null"`
	DisplayName     string `gorm:"size:2048;not null"`
	Phone           string `gorm:"size:2048;not null"`
	NameHash        string `gorm:"size:64;not null;default:'';index:idx_customers_name_hash"`
	DisplayNameHash string `gorm:"size:64;not null;default:'';index:idx_customers_display_name_hash"`
	PhoneHash       string `gorm:"size:64;not null;default:'';index:idx_customers_phone_hash"`
}

type v14Order struct {
	ContactName      string `gorm:"size:2048;not null"`
	ContactPhone     string `gorm:"size:2048;not null"`
	ContactNameHash  string `gorm:"size:64;not null;default:'';index:idx_orders_contact_name_hash"`
	ContactPhoneHash string `gorm:"size:64;not null;default:'';index:idx_orders_contact_phone_hash"`
}

func (v14Customer) TableName() string { return "customers" }
func (v14Order) TableName() string    { return "orders" }

// migrateV14 checks before each change, so that a run cut short on MySQL
// can simply run again. The old indexes go first: MySQL cannot index the
// widened columns. SQLite keeps any length in any column and is left alone
// there (altering a column rebuilds its table).
func migrateV14(ddl *gorm.DB) error {
	m := ddl.Migrator()
	for _, ix := range []struct {
		model any
		name  string
	}{
		{&v8Customer{}, "idx_customers_name"},
		{&v8Customer{}, "idx_customers_display_name"},
		{&v8Customer{}, "idx_customers_phone"},
		{&v8Order{}, "idx_orders_contact_name"},
		{&v8Order{}, "idx_orders_contact_phone"},
	} {
		if m.HasIndex(ix.model, ix.name) {
			if err := m.DropIndex(ix.model, ix.name); err != nil {
				return err
			}
		}
	}
	type column struct {
		model any
		field string
	}
	if ddl.Dialector.Name() == dialectMySQL {
		for _, c := range []column{
			{&v14Customer{}, "Name"}, {&v14Customer{}, "DisplayName"}, {&v14Customer{}, "Phone"},
			{&v14Order{}, "ContactName"}, {&v14Order{}, "ContactPhone"},
		} {
			if err := m.AlterColumn(c.model, c.field); err != nil {
				return err
			}
		}
	}
	for _, c := range []column{
		{&v14Customer{}, "NameHash"}, {&v14Customer{}, "DisplayNameHash"}, {&v14Customer{}, "PhoneHash"},
		{&v14Order{}, "ContactNameHash"}, {&v14Order{}, "ContactPhoneHash"},
	} {
		if !m.HasColumn(c.model, c.field) {
			if err := m.AddColumn(c.model, c.field); err != nil {
				return err
			}
		}
	}
	for _, ix := range []column{
		{&v14Customer{}, "idx_customers_name_hash"}, {&v14Customer{}, "idx_customers_display_name_hash"},
		{&v14Customer{}, "idx_customers_phone_hash"},
		{&v14Order{}, "idx_orders_contact_name_hash"}, {&v14Order{}, "idx_orders_contact_phone_hash"},
	} {
		if !m.HasIndex(ix.model, ix.field) {
			if err := m.CreateIndex(ix.model, ix.field); err != nil {
				return err
			}
		}
	}
	return nil
}

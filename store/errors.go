package store

import (
	"errors"
	"fmt"

	"gorm.io/gorm"

	"github.com/orderbot/orderbot/bot"
)

// dbErr turns gorm's (already dialect-translated) errors into the core's
// sentinels, so callers test them with errors.Is whatever the database.
func dbErr(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, gorm.ErrRecordNotFound):
		return bot.ErrNotFound
	case errors.Is(err, gorm.ErrDuplicatedKey):
		return bot.ErrDuplicate
	case errors.Is(err, gorm.ErrForeignKeyViolated):
		// A row that points at a customer or order that does not exist.
		return fmt.Errorf("%w: referenced row does not exist", bot.ErrNotFound)
	}
	return err
}

// mustAffect reports ErrNotFound when a statement that addresses one row by
// its key touched none.
func mustAffect(res *gorm.DB) error {
	if res.Error != nil {
		return dbErr(res.Error)
	}
	if res.RowsAffected == 0 {
		return bot.ErrNotFound
	}
	return nil
}

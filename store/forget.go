package store

import (
	"context"
	"fmt"
)

// ForgetFreed makes SQLite copy its write-ahead log into the database file
// and empty the log, so that the page images the log still holds of erased
// rows are gone from disk too (freed content in the file itself is zeroed,
// see sqliteDialector). A reader in the middle of a long read can keep part
// of the log until the next checkpoint. MySQL needs nothing: InnoDB keeps
// old row versions only until its purge.
func (s *Store) ForgetFreed(ctx context.Context) error {
	if s.dialect != dialectSQLite {
		return nil
	}
	if err := s.db.WithContext(ctx).Exec("PRAGMA wal_checkpoint(TRUNCATE)").Error; err != nil {
		return fmt.Errorf("checkpoint: %w", dbErr(err))
	}
	return nil
}

package store

import (
	"gorm.io/gorm"
)

// OnStatement calls fn after every SQL statement this store runs, through
// gorm (queries, inserts, updates, deletes, raw SQL) or past it on the hot
// path (rawsql.go), with the statement's table when it is known. It is how
// tests count the statements a message costs, so that a change which adds
// round trips to a hot path fails a test instead of going unnoticed. Call
// it once, before the store is shared.
func (s *Store) OnStatement(fn func(table string)) {
	// Repos bound to a transaction later (InTx) copy the hook with s.repo.
	s.repo.onStatement = fn
	hook := func(db *gorm.DB) { fn(db.Statement.Table) }
	cb := s.db.Callback()
	// Each processor gets its own callback name; Register fails only for a
	// duplicate name, which a second call would be.
	_ = cb.Query().After("gorm:query").Register("orderbot:count_query", hook)
	_ = cb.Create().After("gorm:create").Register("orderbot:count_create", hook)
	_ = cb.Update().After("gorm:update").Register("orderbot:count_update", hook)
	_ = cb.Delete().After("gorm:delete").Register("orderbot:count_delete", hook)
	_ = cb.Row().After("gorm:row").Register("orderbot:count_row", hook)
	_ = cb.Raw().After("gorm:raw").Register("orderbot:count_raw", hook)
}

package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"gorm.io/gorm"
)

// The statements every customer message runs (the customer's lock, the
// outbox insert, the dedup record, the delivery's settlement) are written
// out by hand and run through database/sql: under load gorm's statement
// building, its reflection over the row structs and its map updates were
// a third of all allocations. They still run on the repo's connection or
// transaction, are counted by OnStatement, logged like gorm's when slow or
// failed, and fail with the errors gorm would give.

// rawExec runs a statement on the repo's connection or, inside InTx, its
// transaction. table is what OnStatement is told. The error is translated
// as gorm translates it (a duplicate key is gorm.ErrDuplicatedKey), for
// dbErr to turn into the core's sentinels.
func (r *repo) rawExec(ctx context.Context, table, query string, args ...any) (sql.Result, error) {
	begin := time.Now()
	res, err := r.db.Statement.ConnPool.ExecContext(ctx, query, args...)
	err = r.translate(err)
	rows := int64(-1)
	if res != nil {
		rows, _ = res.RowsAffected()
	}
	r.ran(ctx, table, query, begin, rows, err)
	return res, err
}

// rawQueryRow runs a query like rawExec and scans its first row into dest:
// gorm.ErrRecordNotFound when it has none, as gorm's Take.
func (r *repo) rawQueryRow(ctx context.Context, table, query string, args []any, dest ...any) error {
	begin := time.Now()
	err := r.db.Statement.ConnPool.QueryRowContext(ctx, query, args...).Scan(dest...)
	rows := int64(1)
	if errors.Is(err, sql.ErrNoRows) {
		err, rows = gorm.ErrRecordNotFound, 0
	}
	err = r.translate(err)
	r.ran(ctx, table, query, begin, rows, err)
	return err
}

// translate turns a driver error into gorm's, as gorm does with
// TranslateError.
func (r *repo) translate(err error) error {
	if err == nil || !r.db.Config.TranslateError {
		return err
	}
	if t, ok := r.db.Dialector.(gorm.ErrorTranslator); ok {
		return t.Translate(err)
	}
	return err
}

// ran reports a statement that ran: to gorm's logger, which keeps the slow
// and failed ones (without their values), and to OnStatement's hook.
func (r *repo) ran(ctx context.Context, table, query string, begin time.Time, rows int64, err error) {
	if r.db.Logger != nil {
		r.db.Logger.Trace(ctx, begin, func() (string, int64) { return query, rows }, err)
	}
	if r.onStatement != nil {
		r.onStatement(table)
	}
}

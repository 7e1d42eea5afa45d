// Package store keeps orderbot's data in a SQL database through gorm: SQLite
// (pure Go, the embedded default) or MySQL/MariaDB when several replicas
// share one database. It implements bot.Store. The gorm row types stay
// unexported here and are converted to and from the core's types, and driver
// errors are turned into the core's sentinel errors.
package store

import (
	"database/sql"
	"log/slog"
	"time"

	"gorm.io/gorm"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store/seal"
)

// The supported databases, as named in a dsn's scheme.
const (
	dialectSQLite = "sqlite"
	dialectMySQL  = "mysql"
)

// Store is the database. Its methods run in their own transaction (or none,
// for single statements); InTx runs several in one.
type Store struct {
	repo
	sqlDB *sql.DB
	log   *slog.Logger
	tidb  bool // the MySQL server is TiDB
	// deliveries are SQLite's delivery records waiting for the one
	// connection (MarkDelivered).
	deliveries deliveryQueue
}

var (
	_ bot.Store = (*Store)(nil)
	_ bot.Repo  = (*repo)(nil)
)

// repo holds every storage operation, bound either to the database or to
// one transaction (the Repo that InTx hands its callback).
type repo struct {
	db      *gorm.DB
	dialect string
	// keys seal personal data on its way in and open it on its way out;
	// nil until UseKeys, when values are written as they are.
	keys *seal.Ring
	// onStatement is OnStatement's hook for the statements the repo runs
	// past gorm (rawsql.go); nil when nobody counts.
	onStatement func(table string)
	// forClaim is set, in a transaction of InTx, once the transaction
	// queued messages that only a claim of the outbox will send: nil
	// outside one (QueuedForClaim).
	forClaim *bool
}

// QueuedForClaim reports whether the transaction queued messages that a
// claim of the outbox must find: written without a courier's lease, or
// held ones made due again. The core asks the dispatcher to look only
// then: when every reply went to the courier, a claim finds nothing and
// costs the database three statements. Outside a transaction of InTx it
// cannot tell and says yes.
func (r *repo) QueuedForClaim() bool { return r.forClaim == nil || *r.forClaim }

// noteForClaim records, in a transaction of InTx, that it queued messages
// for a claim.
func (r *repo) noteForClaim() {
	if r.forClaim != nil {
		*r.forClaim = true
	}
}

// on returns the repo bound to db (a transaction), with the same keys
// and statement hook.
func (r *repo) on(db *gorm.DB) *repo {
	c := *r
	c.db = db
	return &c
}

// Close closes the database.
func (s *Store) Close() error {
	return s.sqlDB.Close()
}

// Dialect names the database behind the store: "sqlite" or "mysql".
func (s *Store) Dialect() string { return s.dialect }

// TiDB reports whether the MySQL server is TiDB, which speaks MySQL's
// protocol but differs in locking (no deadlock victims, SKIP LOCKED that
// does not skip) and enforces no CHECK constraints by default.
func (s *Store) TiDB() bool { return s.tidb }

// dbTime is how a time is stored: UTC with millisecond precision, the
// precision of MySQL's DATETIME(3) and of the fixed-width text SQLite keeps.
// Truncating here rather than letting MySQL round makes a stored time read
// back equal to what was written.
func dbTime(t time.Time) time.Time {
	return t.UTC().Truncate(time.Millisecond)
}

// nowUTC is the current time as it is stored.
func nowUTC() time.Time { return dbTime(time.Now()) }

// orNow returns t as stored, or the current time when t is zero.
func orNow(t time.Time) time.Time {
	if t.IsZero() {
		return nowUTC()
	}
	return dbTime(t)
}

// nullTime stores the zero time, which the core uses for "not yet", as NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	v := dbTime(t)
	return &v
}

// nullString stores the empty string, "none", as NULL.
func nullString(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func fromNullTime(p *time.Time) time.Time {
	if p == nil {
		return time.Time{}
	}
	return p.UTC()
}

// nullBytes stores an empty blob as NULL: SQLite would keep a nil slice as
// an empty blob, MySQL as NULL, and both should read back the same.
func nullBytes(b []byte) any {
	if len(b) == 0 {
		return nil
	}
	return b
}

// nonEmpty reads an empty or NULL blob back as nil.
func nonEmpty(b []byte) []byte {
	if len(b) == 0 {
		return nil
	}
	return b
}

// limit applies n as a row limit; n <= 0 means no limit.
func limit(q *gorm.DB, n int) *gorm.DB {
	if n > 0 {
		return q.Limit(n)
	}
	return q
}

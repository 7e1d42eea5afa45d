package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	sqlite "github.com/ncruces/go-sqlite3/driver"
)

// openCached opens a database/sql handle on a fresh SQLite file through the
// store's own connector, with a cache of size statements per connection
// and at most conns connections.
func openCached(t *testing.T, size, conns int) (*sql.DB, *stmtCacheConnector) {
	t.Helper()
	db, c := openCachedAt(t, filepath.Join(t.TempDir(), "cache.db"), size, conns)
	exec(t, db, `CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)`)
	return db, c
}

func openCachedAt(t *testing.T, path string, size, conns int) (*sql.DB, *stmtCacheConnector) {
	t.Helper()
	c, err := sqliteConnector(path)
	if err != nil {
		t.Fatal(err)
	}
	c.size = size
	db := sql.OpenDB(c)
	db.SetMaxOpenConns(conns)
	t.Cleanup(func() { db.Close() })
	return db, c
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

type execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func exec(t *testing.T, db execer, query string, args ...any) {
	t.Helper()
	if _, err := db.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func names(t *testing.T, db querier, query string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// keptStmts counts the statements SQLite holds for the pool's one
// connection: the cache's, plus any in use.
func keptStmts(t *testing.T, db *sql.DB) int {
	t.Helper()
	conn, err := db.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	n := 0
	err = conn.Raw(func(dc any) error {
		for range dc.(sqlite.Conn).Raw().Stmts() {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStmtCacheReusesStatements(t *testing.T) {
	db, c := openCached(t, stmtCacheSize, 1)
	before := c.prepares.Load()
	for i := range 10 {
		exec(t, db, `INSERT INTO t (name) VALUES (?)`, fmt.Sprint("n", i))
		if got := names(t, db, `SELECT name FROM t WHERE id = ?`, i+1); !slices.Equal(got, []string{fmt.Sprint("n", i)}) {
			t.Fatalf("row %d = %v", i+1, got)
		}
	}
	// Inside a transaction too: the statements belong to the connection.
	tx, err := db.Begin()
	must(t, err)
	exec(t, tx, `INSERT INTO t (name) VALUES (?)`, "in tx")
	must(t, tx.Commit())
	if got := c.prepares.Load() - before; got != 2 {
		t.Errorf("prepared %d statements for 21 runs of 2 SQL texts, want 2", got)
	}
}

func TestStmtCacheNestedUseOfOneStatement(t *testing.T) {
	db, c := openCached(t, stmtCacheSize, 1)
	for _, n := range []string{"a", "b", "c"} {
		exec(t, db, `INSERT INTO t (name) VALUES (?)`, n)
	}
	const q = `SELECT name FROM t WHERE name > ? ORDER BY name`
	names(t, db, q, "") // cached now
	before := c.prepares.Load()

	// A transaction pins one connection, so the inner query runs on the
	// connection whose statement for q is in use by the outer rows.
	tx, err := db.Begin()
	must(t, err)
	defer tx.Rollback()
	rows, err := tx.Query(q, "")
	must(t, err)
	var got []string
	for rows.Next() {
		var outer string
		must(t, rows.Scan(&outer))
		got = append(got, outer+":"+fmt.Sprint(names(t, tx, q, outer)))
	}
	must(t, rows.Err())
	must(t, rows.Close())
	want := []string{"a:[b c]", "b:[c]", "c:[]"}
	if !slices.Equal(got, want) {
		t.Errorf("nested results %q, want %q", got, want)
	}
	// The inner queries needed one more copy of the statement, kept
	// in use by nobody after the first inner query closed its rows.
	if got := c.prepares.Load() - before; got != 1 {
		t.Errorf("prepared %d statements, want 1 (the copy for the inner queries)", got)
	}
	must(t, tx.Commit())
	// The copy is not kept beside the original.
	if n := keptStmts(t, db); n != 2 {
		t.Errorf("%d statements kept for the 2 SQL texts run, want 2", n)
	}
}

func TestStmtCacheEvictionFinalizes(t *testing.T) {
	db, c := openCached(t, 2, 1)
	queries := []string{
		`SELECT name FROM t WHERE id = ?`,
		`SELECT name FROM t WHERE id > ?`,
		`SELECT name FROM t WHERE id < ?`,
	}
	for _, q := range queries {
		names(t, db, q, 1)
	}
	if n := keptStmts(t, db); n != 2 {
		t.Errorf("%d statements kept with a cache of 2, want 2", n)
	}
	// The first is the one evicted: it is prepared again, the last is not.
	before := c.prepares.Load()
	names(t, db, queries[2], 1)
	if got := c.prepares.Load() - before; got != 0 {
		t.Errorf("the most recent statement was prepared again")
	}
	names(t, db, queries[0], 1)
	if got := c.prepares.Load() - before; got != 1 {
		t.Errorf("the least recent statement was not evicted")
	}
}

func TestStmtCacheCloseFinalizesEverything(t *testing.T) {
	db, _ := openCached(t, stmtCacheSize, 1)
	exec(t, db, `INSERT INTO t (name) VALUES (?)`, "a")
	names(t, db, `SELECT name FROM t WHERE id = ?`, 1)
	// SQLite refuses to close a connection with statements left, and
	// database/sql passes the refusal on.
	if err := db.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}

func TestStmtCacheAfterFailedAndRolledBackTransactions(t *testing.T) {
	db, _ := openCached(t, stmtCacheSize, 1)
	const ins = `INSERT INTO t (name) VALUES (?)`
	exec(t, db, ins, "a")

	tx, err := db.Begin()
	must(t, err)
	exec(t, tx, ins, "b")
	if _, err := tx.Exec(ins, "a"); err == nil {
		t.Fatal("duplicate name inserted")
	}
	must(t, tx.Rollback())

	tx, err = db.Begin()
	must(t, err)
	exec(t, tx, ins, "c")
	rows, err := tx.Query(`SELECT name FROM t WHERE name > ?`, "")
	must(t, err)
	rows.Next() // left half-read when the transaction rolls back
	must(t, tx.Rollback())

	// The statement that failed and the ones rolled back work on.
	exec(t, db, ins, "d")
	if _, err := db.Exec(ins, "d"); err == nil {
		t.Fatal("duplicate name inserted")
	}
	if got, want := names(t, db, `SELECT name FROM t WHERE name > ?`, ""), []string{"a", "d"}; !slices.Equal(got, want) {
		t.Errorf("names %q, want %q", got, want)
	}
}

// myInt is neither a type the driver binds nor a Valuer: database/sql
// converts it only when the statement's CheckNamedValue asks it to.
type myInt int32

type upper string

func (u upper) Value() (driver.Value, error) { return "U:" + string(u), nil }

func TestStmtCacheKeepsArgumentConversion(t *testing.T) {
	db, _ := openCached(t, stmtCacheSize, 1)
	exec(t, db, `CREATE TABLE v (n INTEGER, s TEXT, at DATETIME)`)
	at := time.Date(2025, 3, 14, 9, 26, 53, 589000000, time.UTC)
	for range 2 { // prepared, then cached
		exec(t, db, `INSERT INTO v (n, s, at) VALUES (?, ?, ?)`, myInt(7), upper("x"), at)
	}
	var (
		n      int
		s, raw string
		back   time.Time
	)
	err := db.QueryRow(`SELECT n, s, CAST(at AS TEXT), at FROM v WHERE n = ? LIMIT 1`, myInt(7)).Scan(&n, &s, &raw, &back)
	must(t, err)
	if n != 7 || s != "U:x" || raw != "2025-03-14 09:26:53.589" || !back.Equal(at) {
		t.Errorf("read back %d %q %q %v", n, s, raw, back)
	}
}

func TestStmtCacheKeepsDriverExtras(t *testing.T) {
	db, _ := openCached(t, stmtCacheSize, 1)
	conn, err := db.Conn(context.Background())
	must(t, err)
	err = conn.Raw(func(dc any) error {
		if _, ok := dc.(sqlite.Conn); !ok {
			return fmt.Errorf("driver connection %T is no sqlite.Conn", dc)
		}
		// The deprecated Begin, which database/sql does not call, still
		// notes schema changes as BeginTx does.
		tx, err := dc.(driver.Conn).Begin()
		if err != nil {
			return err
		}
		defer tx.Rollback()
		if _, ok := tx.(cacheTx); !ok {
			return fmt.Errorf("Begin returned a %T, not the cache's transaction", tx)
		}
		return nil
	})
	must(t, err)
	must(t, conn.Close())

	// Savepoints go through the connection's ExecContext.
	tx, err := db.Begin()
	must(t, err)
	exec(t, tx, `INSERT INTO t (name) VALUES (?)`, "kept")
	sp := sqlite.Savepoint(tx)
	exec(t, tx, `INSERT INTO t (name) VALUES (?)`, "undone")
	must(t, sp.Rollback())
	must(t, tx.Commit())
	if got := names(t, db, `SELECT name FROM t WHERE id > ?`, 0); !slices.Equal(got, []string{"kept"}) {
		t.Errorf("after the savepoint's rollback %q, want [kept]", got)
	}
}

func TestStmtCacheConcurrentUse(t *testing.T) {
	db, c := openCached(t, 8, 4)
	const workers, each = 8, 50
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if err := concurrentStep(db, w, i); err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	var n int
	must(t, db.QueryRow(`SELECT COUNT(*) FROM t WHERE id > ?`, 0).Scan(&n))
	if n != workers*each {
		t.Errorf("%d rows, want %d", n, workers*each)
	}
	if p := c.prepares.Load(); p >= workers*each {
		t.Errorf("%d prepares for %d steps: nothing reused", p, workers*each)
	}
}

// concurrentStep inserts one row in a transaction, reads it back outside
// and rolls back a duplicate, with a query of its own (beyond the cache's
// size) every tenth step.
func concurrentStep(db *sql.DB, w, i int) error {
	name := fmt.Sprintf("w%d-%d", w, i)
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO t (name) VALUES (?)`, name); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	var got string
	q := `SELECT name FROM t WHERE name = ?`
	if i%10 == 0 {
		q += fmt.Sprintf(" AND %d = %d", w, w)
	}
	if err := db.QueryRow(q, name).Scan(&got); err != nil || got != name {
		return fmt.Errorf("read back %q: %q, %v", name, got, err)
	}
	tx, err = db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.Exec(`INSERT INTO t (name) VALUES (?)`, name); err == nil {
		return errors.New("duplicate inserted")
	}
	return tx.Rollback()
}

func TestOpenSQLiteUsesTheStatementCache(t *testing.T) {
	s, err := Open(context.Background(), "sqlite:"+filepath.Join(t.TempDir(), "o.db"), nil)
	must(t, err)
	defer s.Close()
	conn, err := s.sqlDB.Conn(context.Background())
	must(t, err)
	defer conn.Close()
	must(t, conn.Raw(func(dc any) error {
		if _, ok := dc.(*stmtCacheConn); !ok {
			return fmt.Errorf("driver connection %T has no statement cache", dc)
		}
		return nil
	}))
}

func TestStmtCacheForgetsTheArgumentsOfAFailedBind(t *testing.T) {
	db, _ := openCached(t, stmtCacheSize, 1)
	const q = `SELECT :a`
	// The named argument is bound, then the second, positional one is
	// out of range and fails the call.
	if _, err := db.Query(q, sql.Named("a", 1), 99); err == nil {
		t.Fatal("an argument out of range was accepted")
	}
	var got sql.NullInt64
	must(t, db.QueryRow(q).Scan(&got))
	if got.Valid {
		t.Errorf("an unbound parameter reads %d, the failed call's argument", got.Int64)
	}
}

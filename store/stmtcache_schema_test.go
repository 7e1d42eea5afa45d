package store

import (
	"context"
	"path/filepath"
	"slices"
	"testing"
)

// selectStar runs q, a "SELECT *" the cache keeps, and returns the columns
// its rows had before the first row, where gorm reads them.
func selectStar(t *testing.T, db querier, q string, args ...any) ([]string, error) {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	for rows.Next() {
	}
	return cols, rows.Err()
}

func TestStmtCacheAfterSchemaChangesOnTheConnection(t *testing.T) {
	db, c := openCached(t, stmtCacheSize, 1)
	exec(t, db, `INSERT INTO t (name) VALUES (?)`, "a")
	const q = `SELECT * FROM t WHERE id = ?`
	check := func(when string, want ...string) {
		t.Helper()
		got, err := selectStar(t, db, q, 1)
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("%s: columns %q, %v; want %q", when, got, err, want)
		}
	}
	check("at first", "id", "name")

	// As migrations run: without arguments, through the driver's fast path.
	exec(t, db, `ALTER TABLE t ADD COLUMN note TEXT NOT NULL DEFAULT 'x'`)
	exec(t, db, `CREATE INDEX t_note ON t (note)`)
	check("after ALTER TABLE", "id", "name", "note")

	// Through a prepared statement.
	tx, err := db.Begin()
	must(t, err)
	st, err := tx.Prepare(`ALTER TABLE t ADD COLUMN more INTEGER`)
	must(t, err)
	_, err = st.Exec()
	must(t, err)
	must(t, st.Close())
	got, err := selectStar(t, tx, q, 1)
	if want := []string{"id", "name", "note", "more"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("after a prepared ALTER TABLE: columns %q, %v; want %q", got, err, want)
	}
	// Rolled back, the change is undone, and so are the statements
	// prepared after it.
	must(t, tx.Rollback())
	check("after the rollback", "id", "name", "note")

	// The same for a rollback to a savepoint, as in gorm's nested
	// transactions.
	tx, err = db.Begin()
	must(t, err)
	exec(t, tx, `SAVEPOINT sp1`)
	exec(t, tx, `ALTER TABLE t ADD COLUMN more INTEGER`)
	got, err = selectStar(t, tx, q, 1)
	if want := []string{"id", "name", "note", "more"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("after ALTER TABLE in a savepoint: columns %q, %v; want %q", got, err, want)
	}
	exec(t, tx, `ROLLBACK TO SAVEPOINT sp1`)
	got, err = selectStar(t, tx, q, 1)
	if want := []string{"id", "name", "note"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("after the rollback to the savepoint: columns %q, %v; want %q", got, err, want)
	}
	must(t, tx.Commit())

	// The statements that did not select * are reused across all that.
	before := c.prepares.Load()
	exec(t, db, `INSERT INTO t (name) VALUES (?)`, "b")
	exec(t, db, `INSERT INTO t (name) VALUES (?)`, "c")
	if got := c.prepares.Load() - before; got != 1 {
		t.Errorf("prepared %d statements for 2 INSERTs after the changes, want 1", got)
	}
}

func TestStmtCacheAfterSchemaChangesOfAnotherConnection(t *testing.T) {
	path := filepath.Join(t.TempDir(), "schema.db")
	db, c := openCachedAt(t, path, stmtCacheSize, 1)
	exec(t, db, `CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE)`)
	exec(t, db, `INSERT INTO t (name) VALUES (?)`, "a")
	const (
		byID   = `SELECT * FROM t WHERE id = ?`
		byName = `SELECT * FROM t WHERE name = ?`
		ins    = `INSERT INTO t (name) VALUES (?)`
	)
	for _, q := range []string{byID, byName} {
		if _, err := selectStar(t, db, q, 1); err != nil {
			t.Fatal(err)
		}
	}

	// As another process's migration does.
	other, _ := openCachedAt(t, path, stmtCacheSize, 1)
	exec(t, other, `ALTER TABLE t ADD COLUMN extra INTEGER`)

	// A statement kept from before works: SQLite prepares it again when
	// it runs.
	before := c.prepares.Load()
	exec(t, db, ins, "b")
	if got := c.prepares.Load() - before; got != 0 {
		t.Fatalf("prepared %d statements, want 0: the test needs the kept INSERT to run first", got)
	}
	// Having learnt of the change, the connection keeps no statement
	// prepared before it.
	got, err := selectStar(t, db, byName, "a")
	if want := []string{"id", "name", "extra"}; err != nil || !slices.Equal(got, want) {
		t.Errorf("a kept SELECT * after the change: columns %q, %v; want %q", got, err, want)
	}
	before = c.prepares.Load()
	exec(t, db, ins, "c")
	exec(t, db, ins, "d")
	if got := c.prepares.Load() - before; got != 1 {
		t.Errorf("prepared the INSERT %d times after the change, want 1", got)
	}
}

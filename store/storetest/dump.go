package storetest

import (
	"database/sql"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/ncruces/go-sqlite3/gormlite"
	"gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// Dump reads every row of every table of the database at dsn (as ORDERBOT_DB
// takes it) past the store, through a connection of its own, and returns
// each table's rows as text, every column value as its raw bytes: what a
// test searches for data that must not be there.
func Dump(t testing.TB, dsn string) map[string]string {
	t.Helper()
	db := openRaw(t, dsn)
	tables, err := db.Migrator().GetTables()
	if err != nil {
		t.Fatalf("storetest: list tables: %v", err)
	}
	out := make(map[string]string, len(tables))
	for _, table := range tables {
		out[table] = dumpTable(t, db, table)
	}
	return out
}

func openRaw(t testing.TB, dsn string) *gorm.DB {
	t.Helper()
	scheme, rest, _ := strings.Cut(dsn, ":")
	var d gorm.Dialector
	switch scheme {
	case "sqlite":
		d = gormlite.Open("file:" + (&url.URL{Path: rest}).EscapedPath() + "?_pragma=busy_timeout(10000)")
	case "mysql":
		d = mysql.Open(rest)
	default:
		t.Fatalf("storetest: unknown dsn scheme %q", scheme)
	}
	db, err := gorm.Open(d, &gorm.Config{Logger: logger.Discard})
	if err != nil {
		t.Fatalf("storetest: open raw: %v", err)
	}
	sqlDB, err := db.DB()
	if err != nil {
		t.Fatalf("storetest: open raw: %v", err)
	}
	t.Cleanup(func() { sqlDB.Close() })
	return db
}

func dumpTable(t testing.TB, db *gorm.DB, table string) string {
	t.Helper()
	rows, err := db.Table(table).Rows()
	if err != nil {
		t.Fatalf("storetest: read %s: %v", table, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatalf("storetest: columns of %s: %v", table, err)
	}
	var b strings.Builder
	vals := make([]sql.RawBytes, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatalf("storetest: scan %s: %v", table, err)
		}
		for i, v := range vals {
			fmt.Fprintf(&b, "%s=%s\t", cols[i], v)
		}
		b.WriteString("\n")
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("storetest: read %s: %v", table, err)
	}
	return b.String()
}

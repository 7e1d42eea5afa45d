// Package storetest gives tests a fresh, migrated database: SQLite in the
// test's temporary directory, or a throwaway database on the MySQL server
// named by ORDERBOT_TEST_MYSQL_DSN (skipped when it is unset).
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/seal"
)

// MySQLEnv names the variable holding a go-sql-driver DSN of a MySQL or
// MariaDB server where tests may create and drop databases, e.g.
// root@tcp(127.0.0.1:3306)/test?parseTime=true. Its database part is ignored.
const MySQLEnv = "ORDERBOT_TEST_MYSQL_DSN"

// TiDBEnv names the variable holding a go-sql-driver DSN of a TiDB server
// where tests may create and drop databases, e.g.
// root@tcp(127.0.0.1:4000)/test?parseTime=true; the "tidb" backend runs
// the same tests there, and is skipped when it is unset.
const TiDBEnv = "ORDERBOT_TEST_TIDB_DSN"

// DataKey is the data key (ORDERBOT_DATA_KEY) of the stores this package
// gives: every contract test runs with personal data sealed.
const DataKey = "b3JkZXJib3QgdGVzdCBkYXRhIGtleSwgMzIgYnl0ZXM="

// UseDataKey makes s seal personal data under DataKey, as the stores of
// SQLite, MySQL and Each do.
func UseDataKey(t testing.TB, s *store.Store) {
	t.Helper()
	raw, err := seal.ParseKey(DataKey)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	ring, err := seal.NewRing(raw)
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	if err := s.UseKeys(context.Background(), ring); err != nil {
		t.Fatalf("storetest: %v", err)
	}
}

// SQLite returns a store on a new, migrated SQLite file, closed when the test ends.
func SQLite(t testing.TB) *store.Store {
	t.Helper()
	return openKeyed(t, DSN(t, "sqlite"))
}

// MySQL returns a store on a new, migrated MySQL database, dropped when the
// test ends. The test is skipped when ORDERBOT_TEST_MYSQL_DSN is unset.
func MySQL(t testing.TB) *store.Store {
	t.Helper()
	return openKeyed(t, DSN(t, "mysql"))
}

// Each runs fn as the subtests "sqlite" and "mysql", each with its own
// fresh store: the contract every backend must meet.
func Each(t *testing.T, fn func(t *testing.T, s *store.Store)) {
	t.Helper()
	for _, b := range Backends() {
		t.Run(b, func(t *testing.T) { fn(t, openKeyed(t, EmptyDSN(t, b))) })
	}
}

// openKeyed is open with DataKey in use.
func openKeyed(t testing.TB, dsn string) *store.Store {
	t.Helper()
	s := open(t, dsn)
	UseDataKey(t, s)
	return s
}

// Backends names every backend a test should run on: "sqlite" always,
// "mysql" and "tidb" when their servers are named (else their subtests
// skip).
func Backends() []string { return []string{"sqlite", "mysql", "tidb"} }

// TiDB returns a store on a new, migrated TiDB database, dropped when the
// test ends. The test is skipped when ORDERBOT_TEST_TIDB_DSN is unset.
func TiDB(t testing.TB) *store.Store {
	t.Helper()
	return openKeyed(t, DSN(t, "tidb"))
}

// DSN creates a fresh migrated database for backend "sqlite", "mysql" or "tidb" and
// returns its dsn as ORDERBOT_DB takes it, for tests that start the whole
// binary. The database goes away when the test ends.
func DSN(t testing.TB, backend string) string {
	t.Helper()
	dsn := EmptyDSN(t, backend)
	s := open(t, dsn)
	if err := s.Close(); err != nil {
		t.Fatalf("storetest: close: %v", err)
	}
	return dsn
}

// EmptyDSN creates a fresh database without any table for backend "sqlite"
// or "mysql" and returns its dsn, for tests of migration itself.
func EmptyDSN(t testing.TB, backend string) string {
	t.Helper()
	switch backend {
	case "sqlite":
		return "sqlite:" + filepath.Join(t.TempDir(), "orderbot.db")
	case "mysql":
		return "mysql:" + createMySQLDatabase(t, MySQLEnv)
	case "tidb":
		// TiDB speaks MySQL's protocol: orderbot reaches it as mysql:DSN.
		return "mysql:" + createMySQLDatabase(t, TiDBEnv)
	}
	t.Fatalf("storetest: unknown backend %q (sqlite, mysql, tidb)", backend)
	return ""
}

// open opens and migrates dsn, and closes the store when the test ends.
func open(t testing.TB, dsn string) *store.Store {
	t.Helper()
	ctx := context.Background()
	s, err := store.Open(ctx, dsn, Logger(t))
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("storetest: migrate: %v", err)
	}
	return s
}

// Logger writes warnings and errors to the test's output.
func Logger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
}

// createMySQLDatabase creates a database with a random name on the server of
// ORDERBOT_TEST_MYSQL_DSN, drops it when the test ends, and returns a DSN
// for it.
func createMySQLDatabase(t testing.TB, env string) string {
	t.Helper()
	server := os.Getenv(env)
	if server == "" {
		t.Skipf("storetest: set %s (e.g. root@tcp(127.0.0.1:3306)/test?parseTime=true) to run these tests there", env)
	}
	cfg, err := mysql.ParseDSN(server)
	if err != nil {
		t.Fatalf("storetest: %s: %v", env, err)
	}
	cfg.DBName = ""
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatalf("storetest: %v", err)
	}
	name := "orderbot_t_" + randomHex(8)
	if _, err := admin.Exec("CREATE DATABASE " + name + " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"); err != nil {
		admin.Close()
		t.Fatalf("storetest: create database: %v", err)
	}
	t.Cleanup(func() {
		defer admin.Close()
		if _, err := admin.Exec("DROP DATABASE " + name); err != nil {
			t.Errorf("storetest: drop database %s: %v", name, err)
		}
	})
	cfg.DBName = name
	return cfg.FormatDSN()
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}

package store

import (
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
)

// A MySQL dsn without timeouts gets them; the operator's own stand.
func TestMySQLTimeoutsDefaultButDoNotOverride(t *testing.T) {
	cases := []struct {
		dsn               string
		dial, read, write time.Duration
	}{
		{"u:p@tcp(db:3306)/shop", mysqlDialTimeout, mysqlReadTimeout, mysqlWriteTimeout},
		{"u:p@tcp(db:3306)/shop?parseTime=true&readTimeout=0", mysqlDialTimeout, 0, mysqlWriteTimeout},
		{"u:p@tcp(db:3306)/shop?timeout=1s&readTimeout=10s&writeTimeout=2s", time.Second, 10 * time.Second, 2 * time.Second},
		// A question mark in the password is not where the parameters start.
		{"u:p?readTimeout=1s@tcp(db:3306)/shop", mysqlDialTimeout, mysqlReadTimeout, mysqlWriteTimeout},
	}
	for _, c := range cases {
		cfg, err := mysql.ParseDSN(c.dsn)
		if err != nil {
			t.Fatalf("%s: %v", c.dsn, err)
		}
		defaultMySQLTimeouts(cfg, c.dsn)
		if cfg.Timeout != c.dial || cfg.ReadTimeout != c.read || cfg.WriteTimeout != c.write {
			t.Errorf("%s: timeouts %v/%v/%v, want %v/%v/%v", c.dsn, cfg.Timeout, cfg.ReadTimeout, cfg.WriteTimeout, c.dial, c.read, c.write)
		}
	}
}

// SQLite checkpoints its log every 8,000 pages, not every 1,000: each
// connection the store opens says so.
func TestSQLiteCheckpointsLessOften(t *testing.T) {
	ctx := t.Context()
	s, err := Open(ctx, "sqlite:"+t.TempDir()+"/orderbot.db", nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var pages int
	if err := s.db.WithContext(ctx).Raw("PRAGMA wal_autocheckpoint").Row().Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if pages != 8000 {
		t.Fatalf("wal_autocheckpoint = %d, want 8000", pages)
	}
}

package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	sqlite "github.com/ncruces/go-sqlite3/driver"
	"github.com/ncruces/go-sqlite3/gormlite"
	gormmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// sqliteTimeFormat is SQLite's own fixed-width time text. The driver's
// default, RFC 3339 with trimmed fractions, does not sort as text, and the
// outbox compares times in SQL.
const sqliteTimeFormat = "2006-01-02 15:04:05.000"

// Open connects to the database named by dsn: "sqlite:PATH" or "mysql:DSN"
// with a go-sql-driver DSN such as "user:pw@tcp(host:3306)/orderbot". It
// does not migrate; see Migrate.
func Open(ctx context.Context, dsn string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	scheme, rest, _ := strings.Cut(dsn, ":")
	var (
		dialector gorm.Dialector
		err       error
	)
	switch scheme {
	case dialectSQLite:
		dialector, err = sqliteDialector(rest)
	case dialectMySQL:
		dialector, err = mysqlDialector(rest)
	default:
		// The dsn is not echoed: it may hold a password.
		return nil, fmt.Errorf("open database: unknown scheme %q: want sqlite:PATH or mysql:DSN", scheme)
	}
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", scheme, err)
	}
	s, err := openGorm(ctx, scheme, dialector, log)
	if err != nil {
		return nil, fmt.Errorf("open %s database: %w", scheme, err)
	}
	return s, nil
}

// maxMySQLConns bounds one replica's connections to MySQL.
const maxMySQLConns = 32

func openGorm(ctx context.Context, dialect string, d gorm.Dialector, log *slog.Logger) (*Store, error) {
	db, err := gorm.Open(d, &gorm.Config{
		TranslateError: true,
		// Every multi-statement write opens its own transaction, so gorm's
		// implicit one around each single statement only costs a round trip.
		SkipDefaultTransaction: true,
		NowFunc:                nowUTC,
		Logger:                 gormLogger{log: log, slow: time.Second},
	})
	if err != nil {
		return nil, err
	}
	sqlDB, err := db.DB()
	if err != nil {
		return nil, err
	}
	if dialect == dialectSQLite {
		// SQLite ignores SELECT ... FOR UPDATE; one connection serializes
		// every transaction of this process instead. Nothing that runs
		// inside a transaction may use the outer handle, or it waits forever.
		sqlDB.SetMaxOpenConns(1)
	} else {
		// As many idle connections as open ones: with fewer, a busy minute
		// (16 customers' messages beside their couriers) closes a connection
		// after most statements and opens another for the next, a TCP and
		// authentication handshake and the session's settings each time,
		// which cost MariaDB more CPU than the message's own statements.
		// Idle ones are closed after a quiet minute instead.
		sqlDB.SetMaxOpenConns(maxMySQLConns)
		sqlDB.SetMaxIdleConns(maxMySQLConns)
		sqlDB.SetConnMaxIdleTime(time.Minute)
		sqlDB.SetConnMaxLifetime(5 * time.Minute)
	}
	if err := sqlDB.PingContext(ctx); err != nil {
		sqlDB.Close()
		return nil, err
	}
	s := &Store{repo: repo{db: db, dialect: dialect}, sqlDB: sqlDB, log: log}
	if dialect == dialectMySQL {
		var version string
		if err := sqlDB.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
			sqlDB.Close()
			return nil, err
		}
		s.tidb = strings.Contains(version, "TiDB")
	}
	return s, nil
}

func sqliteDialector(path string) (gorm.Dialector, error) {
	c, err := sqliteConnector(path)
	if err != nil {
		return nil, err
	}
	return gormlite.OpenDB(sql.OpenDB(c)), nil
}

// sqliteConnector opens connections to the SQLite file at path, each with
// its own cache of prepared statements.
func sqliteConnector(path string) (*stmtCacheConnector, error) {
	if path == "" || path == ":memory:" {
		return nil, errors.New("sqlite needs a file path (sqlite:PATH)")
	}
	q := url.Values{}
	// WAL lets readers of other processes (a CLI next to the server) go on
	// while this one writes; busy_timeout makes a writer wait for the lock
	// rather than fail at once.
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	// A checkpoint copies every page changed since the last one back into
	// the database file. The pages a message changes are mostly the same
	// few (a customer's row, the ends of the outbox's indexes), so fewer,
	// larger checkpoints write far less: 8,000 pages (a log of up to 32 MB
	// on disk) instead of SQLite's 1,000. An erasure still empties the log
	// at once (ForgetFreed).
	q.Add("_pragma", "wal_autocheckpoint(8000)")
	q.Add("_pragma", "foreign_keys(1)")
	// Deleted and overwritten content is zeroed rather than left in free
	// pages, so that an erased customer is not in the file either.
	q.Add("_pragma", "secure_delete(1)")
	// BEGIN IMMEDIATE takes the write lock up front, so a transaction never
	// fails half-way when another process wrote in between.
	q.Set("_txlock", "immediate")
	q.Set("_timefmt", sqliteTimeFormat)
	u := url.URL{Path: path}
	c, err := (&sqlite.SQLite{}).OpenConnector("file:" + u.EscapedPath() + "?" + q.Encode())
	if err != nil {
		return nil, err
	}
	return newStmtCacheConnector(c, stmtCacheSize), nil
}

func mysqlDialector(dsn string) (gorm.Dialector, error) {
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		return nil, err
	}
	forceMySQLOptions(cfg)
	defaultMySQLTimeouts(cfg, dsn)
	c, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, err
	}
	return gormmysql.New(gormmysql.Config{DSNConfig: cfg, Conn: sql.OpenDB(readCommitted{c})}), nil
}

// readCommitted opens MySQL connections whose transactions run in READ
// COMMITTED. Under the default REPEATABLE READ a transaction's plain reads
// would keep the snapshot of its first read, taken before LockCustomer
// waited for the lock, and miss what the customer's previous message just
// committed; it also takes fewer gap locks, so fewer deadlocks. Set once
// for the session: asked per transaction, the driver sends it as a
// statement of its own before every BEGIN, a round trip per message.
// MySQL, MariaDB and TiDB all take this statement.
type readCommitted struct{ driver.Connector }

func (c readCommitted) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	exec, ok := conn.(driver.ExecerContext)
	if !ok {
		conn.Close()
		return nil, errors.New("mysql connection cannot execute statements")
	}
	if _, err := exec.ExecContext(ctx, "SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED", nil); err != nil {
		conn.Close()
		return nil, fmt.Errorf("set read committed: %w", err)
	}
	return conn, nil
}

// The driver's timeouts when the dsn does not set them. Without them a
// connection to a hung server (SIGSTOP, a silent network) waits forever
// wherever no context deadline ends the wait: the dispatcher, the work a
// platform's request left running. Requests fail much sooner by their own
// deadlines. Reads get minutes because one read is a whole statement's
// answer: a migration's DDL, or its lock wait (migrateLockTimeout).
const (
	mysqlDialTimeout  = 5 * time.Second
	mysqlReadTimeout  = 3 * time.Minute
	mysqlWriteTimeout = 30 * time.Second
)

// defaultMySQLTimeouts sets the timeouts that the dsn leaves unset; an
// operator's own value, even 0 (none), stands.
func defaultMySQLTimeouts(cfg *mysql.Config, dsn string) {
	// The parameters follow the last slash, as the driver reads them.
	_, query, _ := strings.Cut(dsn[strings.LastIndex(dsn, "/")+1:], "?")
	set, _ := url.ParseQuery(query)
	if !set.Has("timeout") {
		cfg.Timeout = mysqlDialTimeout
	}
	if !set.Has("readTimeout") {
		cfg.ReadTimeout = mysqlReadTimeout
	}
	if !set.Has("writeTimeout") {
		cfg.WriteTimeout = mysqlWriteTimeout
	}
}

// forceMySQLOptions sets what the store relies on, whatever the dsn says.
func forceMySQLOptions(cfg *mysql.Config) {
	cfg.ParseTime = true
	cfg.Loc = time.UTC
	// Report matched rather than changed rows, as SQLite does: the
	// optimistic version checks and the outbox claims count on it.
	cfg.ClientFoundRows = true
	// Send each statement with its arguments in one round trip instead of
	// prepare, execute, close: a third of the round trips per message. Safe
	// because the connection charset is always utf8mb4.
	cfg.InterpolateParams = true
	if cfg.Params == nil {
		cfg.Params = map[string]string{}
	}
	delete(cfg.Params, "charset")
	if !strings.HasPrefix(cfg.Collation, "utf8mb4_") {
		cfg.Collation = "utf8mb4_general_ci"
	}
	cfg.Params["time_zone"] = "'+00:00'"
}

// gormLogger keeps gorm to slow queries and real errors. Duplicate keys and
// missing rows are answers the store turns into sentinels, not failures. The
// SQL it logs has placeholders, never the values (customer data).
type gormLogger struct {
	log  *slog.Logger
	slow time.Duration
}

var _ interface {
	logger.Interface
	gorm.ParamsFilter
} = gormLogger{}

func (l gormLogger) LogMode(logger.LogLevel) logger.Interface { return l }

func (l gormLogger) Info(ctx context.Context, msg string, args ...any) {
	l.log.DebugContext(ctx, fmt.Sprintf(msg, args...))
}

func (l gormLogger) Warn(ctx context.Context, msg string, args ...any) {
	l.log.WarnContext(ctx, fmt.Sprintf(msg, args...))
}

func (l gormLogger) Error(ctx context.Context, msg string, args ...any) {
	l.log.ErrorContext(ctx, fmt.Sprintf(msg, args...))
}

func (l gormLogger) Trace(ctx context.Context, begin time.Time, fc func() (string, int64), err error) {
	elapsed := time.Since(begin)
	switch {
	case err != nil && !expectedErr(err):
		sql, _ := fc()
		l.log.WarnContext(ctx, "sql failed", "sql", sql, "err", err, "duration", elapsed)
	case elapsed > l.slow:
		sql, rows := fc()
		l.log.WarnContext(ctx, "slow sql", "sql", sql, "rows", rows, "duration", elapsed)
	}
}

// ParamsFilter drops the values from the SQL that Trace gets.
func (gormLogger) ParamsFilter(_ context.Context, sql string, _ ...any) (string, []any) {
	return sql, nil
}

func expectedErr(err error) bool {
	return errors.Is(err, gorm.ErrRecordNotFound) || errors.Is(err, gorm.ErrDuplicatedKey) ||
		errors.Is(err, context.Canceled)
}

package store

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"
	"strings"
	"sync/atomic"
	"unicode"

	"github.com/ncruces/go-sqlite3"
)

// stmtCacheSize bounds the statements kept per connection. The store's
// distinct SQL texts number a few hundred at most; each statement costs a
// few KB of SQLite memory.
const stmtCacheSize = 256

// database/sql prepares, runs and finalizes every statement that has
// arguments, so without a cache SQLite parses the same SQL text on every
// call: a quarter of all CPU under load. gorm's PrepareStmt does not help:
// a statement first prepared inside a transaction stays bound to it, and
// database/sql prepares it again in every later transaction. This cache
// works below database/sql, per driver connection, where transactions do
// not matter.

// sqliteConn is what the cache needs of the ncruces driver's connection;
// every method here is one database/sql or a caller of Raw uses, and the
// wrapper passes each one on.
type sqliteConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.NamedValueChecker
	Raw() *sqlite3.Conn
}

// sqliteStmt is what the cache needs of the driver's statement.
type sqliteStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
	driver.NamedValueChecker
	// These come from the embedded *sqlite3.Stmt.
	Reset() error
	ClearBindings() error
	Status(op sqlite3.StmtStatus, reset bool) int
}

// stmtCacheConnector hands out connections that keep their prepared
// statements.
type stmtCacheConnector struct {
	driver.Connector
	size int
	// prepares counts statements the driver really prepared, so that tests
	// can see reuse happen.
	prepares atomic.Int64
}

func newStmtCacheConnector(c driver.Connector, size int) *stmtCacheConnector {
	return &stmtCacheConnector{Connector: c, size: size}
}

func (n *stmtCacheConnector) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := n.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := c.(sqliteConn)
	if !ok {
		// A driver upgrade that drops a method must not silently lose it.
		c.Close()
		return nil, errors.New("statement cache: the sqlite driver's connection lacks a method the cache passes on")
	}
	return &stmtCacheConn{
		sqliteConn: sc,
		connector:  n,
		idle:       map[string]*list.Element{},
		lru:        list.New(),
	}, nil
}

// stmtCacheConn keeps the connection's idle prepared statements by SQL
// text. A statement handed out leaves the cache until its Close, so the
// same statement is never in use twice (a query run again while the
// first's rows are open gets a fresh one). database/sql uses a driver
// connection and its statements from one goroutine at a time, so the cache
// needs no lock.
type stmtCacheConn struct {
	sqliteConn
	connector *stmtCacheConnector
	idle      map[string]*list.Element // of *keptStmt
	lru       *list.List               // front: most recently returned
	closed    bool
	// schema counts this connection's schema changes; a statement
	// prepared before the latest one is not kept. See schemaChanged.
	schema uint64
	// ddlInTx says the open transaction changed the schema, so that its
	// rollback, which undoes the change, forgets statements again.
	ddlInTx bool
}

// Embedding passes on CheckNamedValue and Raw unchanged; BeginTx and
// ExecContext pass on after noting schema changes.
var _ sqliteConn = (*stmtCacheConn)(nil)

// schemaChanged notes a schema change made on this connection.
func (c *stmtCacheConn) schemaChanged() {
	c.forget()
	c.ddlInTx = true
}

// forget finalizes every kept statement and keeps none of those in use.
// SQLite prepares a statement again by itself when the schema changed, but
// only when it is stepped: before that, the columns of a "SELECT *" are
// still the old ones, and gorm reads them before the first row. A fresh
// statement has the new ones.
func (c *stmtCacheConn) forget() {
	c.schema++
	for e := c.lru.Front(); e != nil; e = e.Next() {
		// The statement is reset: finalizing it cannot fail.
		_ = e.Value.(*keptStmt).Close()
	}
	c.lru.Init()
	clear(c.idle)
}

func (c *stmtCacheConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	c.ddlInTx = false
	tx, err := c.sqliteConn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return cacheTx{Tx: tx, conn: c}, nil
}

// cacheTx forgets the kept statements when it undoes a schema change.
type cacheTx struct {
	driver.Tx
	conn *stmtCacheConn
}

func (t cacheTx) Commit() error {
	err := t.Tx.Commit()
	// The driver rolls back a commit that fails.
	if err != nil && t.conn.ddlInTx {
		t.conn.schemaChanged()
	}
	t.conn.ddlInTx = false
	return err
}

func (t cacheTx) Rollback() error {
	err := t.Tx.Rollback()
	if t.conn.ddlInTx {
		t.conn.schemaChanged()
	}
	t.conn.ddlInTx = false
	return err
}

// ExecContext runs a statement without arguments (the driver's fast path,
// which also takes several statements at once); one with arguments gets
// driver.ErrSkip and comes back through PrepareContext.
func (c *stmtCacheConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	r, err := c.sqliteConn.ExecContext(ctx, query, args)
	switch {
	case err == driver.ErrSkip:
	case changesSchema(query):
		c.schemaChanged()
	case c.ddlInTx && hasWord(query, "ROLLBACK"):
		// ROLLBACK TO SAVEPOINT (gorm's nested transactions) may undo a
		// schema change as well.
		c.forget()
	}
	return r, err
}

// Begin is BeginTx's deprecated form; it must not skip BeginTx's notes.
func (c *stmtCacheConn) Begin() (driver.Tx, error) {
	return c.BeginTx(context.Background(), driver.TxOptions{})
}

func (c *stmtCacheConn) Prepare(query string) (driver.Stmt, error) {
	return c.PrepareContext(context.Background(), query)
}

func (c *stmtCacheConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if e, ok := c.idle[query]; ok {
		delete(c.idle, query)
		return &cachedStmt{keptStmt: c.lru.Remove(e).(*keptStmt), conn: c}, nil
	}
	s, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.connector.prepares.Add(1)
	ss, ok := s.(sqliteStmt)
	if !ok {
		// Not cacheable: hand it out as the driver made it.
		return s, nil
	}
	k := &keptStmt{sqliteStmt: ss, query: query, schema: c.schema, ddl: changesSchema(query)}
	return &cachedStmt{keptStmt: k, conn: c}, nil
}

// put takes back a statement whose user is done with it.
func (c *stmtCacheConn) put(s *keptStmt) error {
	if c.closed {
		return s.Close()
	}
	if s.ddl {
		// Run by now; such a statement is never worth keeping.
		err := s.Close()
		c.schemaChanged()
		return err
	}
	if s.Status(sqlite3.STMTSTATUS_REPREPARE, true) > 0 {
		// SQLite found the schema changed, by another connection, when it
		// stepped this statement; the kept ones are as stale as this one
		// was. Without the cache the first statement after such a change
		// is stale in the same way: this connection only learns of the
		// change when it steps one. (After an ANALYZE, SQLite also
		// prepares some statements again for new argument values; that
		// costs kept statements, not correctness.)
		c.forget()
	}
	if s.schema != c.schema {
		return s.Close()
	}
	if _, ok := c.idle[s.query]; ok {
		// A second copy, prepared while the first was in use.
		return s.Close()
	}
	// Its rows are closed by now, which resets it; this makes sure no
	// statement left half-stepped keeps a read transaction open. The
	// reset's error repeats the last step's, which its caller already got.
	_ = s.Reset()
	if err := s.ClearBindings(); err != nil {
		return errors.Join(err, s.Close())
	}
	c.idle[s.query] = c.lru.PushFront(s)
	for c.lru.Len() > c.connector.size {
		old := c.lru.Remove(c.lru.Back()).(*keptStmt)
		delete(c.idle, old.query)
		if err := old.Close(); err != nil {
			return err
		}
	}
	return nil
}

// Close finalizes the kept statements first: SQLite refuses to close a
// connection that still has any.
func (c *stmtCacheConn) Close() error {
	var errs []error
	for e := c.lru.Front(); e != nil; e = e.Next() {
		errs = append(errs, e.Value.(*keptStmt).Close())
	}
	c.lru.Init()
	clear(c.idle)
	c.closed = true
	errs = append(errs, c.sqliteConn.Close())
	return errors.Join(errs...)
}

// keptStmt is a driver statement with the SQL text it is kept under.
type keptStmt struct {
	sqliteStmt
	query  string
	schema uint64 // the connection's schema count when it was prepared
	ddl    bool   // it changes the schema
}

// cachedStmt is one use of a kept statement: Close returns the statement
// to its connection's cache, once, however often it is called. Embedding
// passes on NumInput, ExecContext, QueryContext and CheckNamedValue (which
// converts times and rejects unsupported argument types) unchanged.
type cachedStmt struct {
	*keptStmt
	conn *stmtCacheConn
}

func (s *cachedStmt) Close() error {
	if s.keptStmt == nil {
		return nil
	}
	k := s.keptStmt
	s.keptStmt = nil
	return s.conn.put(k)
}

// changesSchema reports whether query may change the schema: whether it
// has the word CREATE, ALTER or DROP anywhere. A false alarm (the word in
// a string literal) only costs statements prepared again.
func changesSchema(query string) bool {
	return hasWord(query, "CREATE", "ALTER", "DROP")
}

// hasWord reports whether query has one of words, in any case, as a word
// of its own (not part of a name such as dropped_at).
func hasWord(query string, words ...string) bool {
	notInWord := func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r) && r != '_'
	}
	for _, w := range strings.FieldsFunc(query, notInWord) {
		for _, want := range words {
			if strings.EqualFold(w, want) {
				return true
			}
		}
	}
	return false
}

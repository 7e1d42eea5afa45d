package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"time"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/orderbot/orderbot/bot"
)

type customerRow struct {
	ID            int64
	Channel       string
	UserID        string
	DisplayName   string
	Name          string
	Phone         string
	Address       string
	Lang          string
	Unreachable   bool
	LastInboundAt *time.Time
	Conversation  []byte
	CreatedAt     time.Time
	UpdatedAt     time.Time
	// MergedInto is the customer this one was merged into: the row is then
	// only an identity (channel, user and its conversation) of that one.
	MergedInto *int64
	// The keyed hashes of the sealed name, display name and phone, for
	// exact search.
	NameHash        string
	DisplayNameHash string
	PhoneHash       string
}

func (customerRow) TableName() string { return "customers" }

// customerFromRow opens the sealed columns of row.
func (r *repo) customerFromRow(row customerRow) (bot.Customer, error) {
	if err := r.openAll(&row.DisplayName, &row.Name, &row.Phone, &row.Address); err != nil {
		return bot.Customer{}, fmt.Errorf("open customer %d: %w", row.ID, err)
	}
	conv, err := r.openBytes(row.Conversation)
	if err != nil {
		return bot.Customer{}, fmt.Errorf("open conversation of customer %d: %w", row.ID, err)
	}
	return bot.Customer{
		ID: row.ID, Channel: row.Channel, UserID: row.UserID, DisplayName: row.DisplayName,
		Name: row.Name, Phone: row.Phone, Address: row.Address, Lang: row.Lang, Unreachable: row.Unreachable,
		LastInboundAt: fromNullTime(row.LastInboundAt), Conversation: nonEmpty(conv),
		CreatedAt: row.CreatedAt.UTC(),
	}, nil
}

// customerColumns are the sealed columns of c, with their hashes.
func (r *repo) customerColumns(c bot.Customer) map[string]any {
	return map[string]any{
		"display_name":      r.seal(c.DisplayName),
		"name":              r.seal(c.Name),
		"phone":             r.seal(c.Phone),
		"address":           r.seal(c.Address),
		"conversation":      nullBytes(r.sealBytes(c.Conversation)),
		"display_name_hash": r.nameHash(c.DisplayName),
		"name_hash":         r.nameHash(c.Name),
		"phone_hash":        r.phoneHash(c.Phone),
	}
}

// LockCustomer finds or creates the customer and locks its row until the
// transaction ends. An existing customer costs the one locking read. A
// missing row takes no lock: MySQL transactions run in READ COMMITTED
// (Store.txOptions), which takes no gap locks, so two new users' first
// messages do not deadlock on each other's inserts.
//
// A customer erased or deleted between the insert and the locking read no
// longer holds the platform id; the second round then creates the new
// customer it belongs to.
func (r *repo) LockCustomer(ctx context.Context, channel, userID string) (bot.Customer, error) {
	c, _, err := r.lockCustomer(ctx, channel, userID, nil)
	return c, err
}

// LockForInbound is LockCustomer that also reads, in the same statement,
// whether messages to the customer are held and whether the event's dedup
// key was seen: an inbound message then costs no read of the outbox
// (ReleaseHeld) nor of the dedup record before its end.
func (r *repo) LockForInbound(ctx context.Context, channel, userID, dedupKey, courier string) (bot.InboundLock, error) {
	c, row, err := r.lockCustomer(ctx, channel, userID, &inboundCheck{dedupKey: dedupKey, courier: courier, now: nowUTC()})
	if err != nil {
		return bot.InboundLock{}, err
	}
	lk := bot.InboundLock{Customer: c, Held: row.HasHeld, Waiting: row.HasWaiting, Seen: row.Seen, CatalogVersion: row.CatalogVersion}
	if row.Seen {
		if lk.Reply, err = r.reply(inboundRow{Reply: row.SeenReply}); err != nil {
			return bot.InboundLock{}, err
		}
	}
	return lk, nil
}

// inboundCheck is what LockForInbound reads beside the customer's row.
type inboundCheck struct {
	dedupKey, courier string
	now               time.Time
}

// lockCustomer locks the customer's row; with check it reads what
// LockForInbound reports too.
func (r *repo) lockCustomer(ctx context.Context, channel, userID string, check *inboundCheck) (bot.Customer, lockedCustomerRow, error) {
	db := r.db.WithContext(ctx)
	for round := 0; ; round++ {
		row, err := r.lockCustomerRow(ctx, db, channel, userID, check)
		if errors.Is(err, gorm.ErrRecordNotFound) {
			if round == 0 {
				continue
			}
			// TiDB: a locking read that found no row may go on finding none
			// in this transaction after another one created it; a new
			// transaction finds it.
			err = errCustomerCreatedMeanwhile
		}
		if err != nil {
			return bot.Customer{}, row, fmt.Errorf("lock customer %s: %w", channel, dbErr(err))
		}
		c, err := r.asPerson(db, row.Row, true)
		return c, row, err
	}
}

// errCustomerCreatedMeanwhile is retried by InTx as a new transaction.
var errCustomerCreatedMeanwhile = errors.New("customer created by another transaction meanwhile")

// lockedCustomerRow is a customer's row with, for an inbound event,
// whether messages to it are held and whether the event was seen.
type lockedCustomerRow struct {
	Row        customerRow
	HasHeld    bool
	HasWaiting bool
	Seen       bool
	SeenReply  []byte
	// CatalogVersion is the catalog's version (catalog_versions).
	CatalogVersion int64
}

// heldWhere finds the messages to (channel, recipient) that are held,
// for an EXISTS: held messages are undelivered ones, a handful among the
// recipient's messages on idx_messages_queue. In a locking read it locks
// nothing on MySQL, whose locking clause does not reach into subqueries; a
// database that locks them locks the messages ReleaseHeld is about to
// update anyway.
const heldWhere = " WHERE messages.channel = ? AND messages.recipient = ? " +
	"AND messages.held_at IS NOT NULL AND messages.delivered_at IS NULL AND messages.failed_at IS NULL"

// waitingWhere finds the messages to (channel, recipient) still to be
// delivered, other than those a courier holds an unexpired lease on, for
// an EXISTS on idx_messages_queue like heldWhere.
const waitingWhere = " WHERE messages.channel = ? AND messages.recipient = ? " +
	"AND messages.delivered_at IS NULL AND messages.failed_at IS NULL " +
	"AND (messages.owner IS NULL OR messages.owner <> ? OR messages.lease_until < ?)"

// queueIndex makes MySQL look up a recipient's waiting messages in
// idx_messages_queue. Left to itself, MariaDB intersects it with
// idx_messages_feed, which holds the recipient's whole delivered history:
// a read that grows with every message the customer was ever sent.
const queueIndex = " FORCE INDEX (idx_messages_queue)"

// inboundSeen is whether an event's dedup key is recorded, and its stored
// reply, by primary key. Read without a lock like heldWhere's messages: a repeat
// that runs at the same time as the first event is caught at its end, by
// RecordInboundReply, and rolled back.
const inboundSeen = "EXISTS (SELECT 1 FROM inbound WHERE inbound.dedup_key = ?) AS seen, " +
	"(SELECT inbound.reply FROM inbound WHERE inbound.dedup_key = ?) AS seen_reply"

// customerColumnList lists, in scanCustomer's order, the customers columns a
// hand-written read scans: by name, so that a migration adding a column
// changes nothing here.
const customerColumnList = "customers.id, customers.channel, customers.user_id, customers.display_name," +
	" customers.name, customers.phone, customers.address, customers.lang, customers.unreachable," +
	" customers.last_inbound_at, customers.conversation, customers.created_at, customers.updated_at," +
	" customers.merged_into, customers.name_hash, customers.display_name_hash, customers.phone_hash"

// scanCustomer is where the columns of customerColumnList go, with room
// for extra destinations of the columns after them.
func scanCustomer(row *customerRow, extra int) []any {
	dest := make([]any, 0, 17+extra)
	return append(dest, &row.ID, &row.Channel, &row.UserID, &row.DisplayName,
		&row.Name, &row.Phone, &row.Address, &row.Lang, &row.Unreachable,
		&row.LastInboundAt, &row.Conversation, &row.CreatedAt, &row.UpdatedAt,
		&row.MergedInto, &row.NameHash, &row.DisplayNameHash, &row.PhoneHash)
}

// The locking reads of a customer's row, written out (rawsql.go): every
// message runs one. SQLite has no FOR UPDATE (gorm's SQLite dialect drops
// the locking clause too); its one connection serializes transactions.
const (
	lockCustomerFrom = " FROM customers WHERE customers.channel = ? AND customers.user_id = ? LIMIT 1"
	lockCustomerSQL  = "SELECT " + customerColumnList + lockCustomerFrom
	lockInboundSQL   = "SELECT " + customerColumnList +
		", EXISTS (SELECT 1 FROM messages" + heldWhere + ") AS has_held" +
		", EXISTS (SELECT 1 FROM messages" + waitingWhere + ") AS has_waiting, " +
		inboundSeen + ", " + catalogVersionOf + lockCustomerFrom
	lockInboundMySQL = "SELECT " + customerColumnList +
		", EXISTS (SELECT 1 FROM messages" + queueIndex + heldWhere + ") AS has_held" +
		", EXISTS (SELECT 1 FROM messages" + queueIndex + waitingWhere + ") AS has_waiting, " +
		inboundSeen + ", " + catalogVersionOf + lockCustomerFrom
	forUpdate = " FOR UPDATE"
)

// lockCustomerQuery is the locking read for the dialect, with or without
// what LockForInbound reads.
func (r *repo) lockCustomerQuery(inbound bool) string {
	switch {
	case r.dialect != dialectMySQL && inbound:
		return lockInboundSQL
	case r.dialect != dialectMySQL:
		return lockCustomerSQL
	case inbound:
		return lockInboundMySQL + forUpdate
	}
	return lockCustomerSQL + forUpdate
}

// lockCustomerRow locks the customer's row, creating it first when
// missing; gorm.ErrRecordNotFound when it is missing still (lockCustomer).
func (r *repo) lockCustomerRow(ctx context.Context, db *gorm.DB, channel, userID string, check *inboundCheck) (lockedCustomerRow, error) {
	row, err := r.lockCustomerOnce(ctx, channel, userID, check)
	if !errors.Is(err, gorm.ErrRecordNotFound) {
		return row, err
	}
	if err := r.insertCustomer(db, channel, userID); err != nil {
		return lockedCustomerRow{}, err
	}
	return r.lockCustomerOnce(ctx, channel, userID, check)
}

// lockCustomerOnce is one locking read: the customer's row and, with
// check, what LockForInbound reads beside it.
func (r *repo) lockCustomerOnce(ctx context.Context, channel, userID string, check *inboundCheck) (lockedCustomerRow, error) {
	var row lockedCustomerRow
	var catalogVersion sql.NullInt64 // NULL without a catalog
	if check == nil {
		err := r.rawQueryRow(ctx, "customers", r.lockCustomerQuery(false), []any{channel, userID}, scanCustomer(&row.Row, 0)...)
		return row, err
	}
	// The subqueries' arguments come before the WHERE clause's.
	args := []any{channel, userID, channel, userID, check.courier, check.now, check.dedupKey, check.dedupKey, channel, userID}
	dest := append(scanCustomer(&row.Row, 5), &row.HasHeld, &row.HasWaiting, &row.Seen, &row.SeenReply, &catalogVersion)
	err := r.rawQueryRow(ctx, "customers", r.lockCustomerQuery(true), args, dest...)
	row.CatalogVersion = catalogVersion.Int64
	return row, err
}

// asPerson is the customer an identity row stands for: the row itself, or,
// when it was merged into another customer, that one (locked too when
// lock) as seen on this identity: its id and contact details, with the
// identity's channel, user, language and conversation, so that replies go
// where the message came from. A merge re-points every identity of the
// merged customer, so one step always reaches the kept one.
func (r *repo) asPerson(db *gorm.DB, row customerRow, lock bool) (bot.Customer, error) {
	c, err := r.customerFromRow(row)
	if err != nil || row.MergedInto == nil {
		return c, err
	}
	q := db
	if lock {
		q = q.Clauses(clause.Locking{Strength: "UPDATE"})
	}
	var keptRow customerRow
	if err := q.Omit("conversation").Take(&keptRow, *row.MergedInto).Error; err != nil {
		return bot.Customer{}, fmt.Errorf("customer %d, merged into %d: %w", row.ID, *row.MergedInto, dbErr(err))
	}
	kept, err := r.customerFromRow(keptRow)
	if err != nil {
		return bot.Customer{}, err
	}
	c.IdentityID = row.ID
	c.ID, c.Name, c.Phone, c.Address, c.CreatedAt = kept.ID, kept.Name, kept.Phone, kept.Address, kept.CreatedAt
	return c, nil
}

// insertCustomer creates the customer unless a concurrent transaction just
// did: that one's insert holds the key, and ours waits for it and then
// does nothing.
func (r *repo) insertCustomer(db *gorm.DB, channel, userID string) error {
	now := nowUTC()
	row := customerRow{Channel: channel, UserID: userID, CreatedAt: now, UpdatedAt: now}
	return db.Clauses(clause.OnConflict{
		Columns:   []clause.Column{{Name: "channel"}, {Name: "user_id"}},
		DoNothing: true,
	}).Create(&row).Error
}

// Customer returns the customer by id.
func (r *repo) Customer(ctx context.Context, id int64) (bot.Customer, error) {
	var row customerRow
	if err := r.db.WithContext(ctx).Take(&row, id).Error; err != nil {
		return bot.Customer{}, fmt.Errorf("customer %d: %w", id, dbErr(err))
	}
	return r.customerFromRow(row)
}

// CustomerByUser returns the customer of (channel, userID) without creating it.
func (r *repo) CustomerByUser(ctx context.Context, channel, userID string) (bot.Customer, error) {
	var row customerRow
	db := r.db.WithContext(ctx)
	err := db.Where("channel = ? AND user_id = ?", channel, userID).Take(&row).Error
	if err != nil {
		return bot.Customer{}, fmt.Errorf("customer on %s: %w", channel, dbErr(err))
	}
	return r.asPerson(db, row, false)
}

// SaveConversation writes the identity's part of c that a message
// changes, on the identity's own row (c's, or the identity merged into
// c): one statement, which leaves the sealed contact details and their
// indexed hashes alone, and the display name unless newName. Every
// message runs it, so past gorm (rawsql.go).
func (r *repo) SaveConversation(ctx context.Context, c bot.Customer, newName bool) error {
	set := "conversation = ?, lang = ?, unreachable = ?, last_inbound_at = ?, updated_at = ?"
	args := make([]any, 0, 9)
	args = append(args, nullBytes(r.sealBytes(c.Conversation)), c.Lang, c.Unreachable, nullTime(c.LastInboundAt), nowUTC())
	if newName {
		set += ", display_name = ?, display_name_hash = ?"
		args = append(args, r.seal(c.DisplayName), r.nameHash(c.DisplayName))
	}
	where := " WHERE id = ?"
	if c.IdentityID != 0 && c.IdentityID != c.ID {
		where = " WHERE id = ? AND merged_into = ?"
		args = append(args, c.IdentityID, c.ID)
	} else {
		args = append(args, c.ID)
	}
	res, err := r.rawExec(ctx, "customers", "UPDATE customers SET "+set+where, args...)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n == 0 {
			err = bot.ErrNotFound
		}
	}
	if err != nil {
		return fmt.Errorf("save conversation of customer %d: %w", c.ID, dbErr(err))
	}
	return nil
}

// UpdateCustomer saves everything but the identity and creation time: on
// the row of c's identity, and the contact details on the customer's own
// row when the identity was merged into it (asPerson).
func (r *repo) UpdateCustomer(ctx context.Context, c bot.Customer) error {
	db := r.db.WithContext(ctx)
	sealed := r.customerColumns(c)
	contact := map[string]any{"updated_at": nowUTC()}
	for _, k := range []string{"name", "phone", "address", "name_hash", "phone_hash"} {
		contact[k] = sealed[k]
	}
	identity := map[string]any{
		"display_name":      sealed["display_name"],
		"display_name_hash": sealed["display_name_hash"],
		"conversation":      sealed["conversation"],
		"lang":              c.Lang,
		"unreachable":       c.Unreachable,
		"last_inbound_at":   nullTime(c.LastInboundAt),
		"updated_at":        nowUTC(),
	}
	// Nearly always c is its own record: one statement, by id (an erase
	// renames the user of that record through it). Reached through an
	// identity merged into it, the identity's record keeps the identity's
	// part and c's own record the contact details.
	var res *gorm.DB
	if c.IdentityID != 0 && c.IdentityID != c.ID {
		res = db.Model(&customerRow{}).Where("id = ? AND merged_into = ?", c.IdentityID, c.ID).Updates(identity)
		if res.Error == nil && res.RowsAffected > 0 {
			res = db.Model(&customerRow{}).Where("id = ?", c.ID).Updates(contact)
		}
	} else {
		all := maps.Clone(identity)
		maps.Copy(all, contact)
		res = db.Model(&customerRow{}).Where("id = ?", c.ID).Updates(all)
	}
	if err := mustAffect(res); err != nil {
		return fmt.Errorf("update customer %d: %w", c.ID, err)
	}
	return nil
}

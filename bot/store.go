package bot

import (
	"context"
	"time"
)

// Store is what the core needs from storage. Every method of Repo is
// available directly and inside InTx, where all of them share one
// transaction. Implementations return the core's sentinel errors
// (ErrNotFound, ErrDuplicate, ErrConflict, ErrOutOfStock).
type Store interface {
	Repo
	// InTx runs fn in one transaction: committed when fn returns nil,
	// rolled back otherwise. fn may run again after a deadlock, so it must
	// have no effect outside the transaction.
	InTx(ctx context.Context, fn func(tx Repo) error) error
	// Ready reports whether the database answers and the migrations are applied.
	Ready(ctx context.Context) error
}

// Repo is every storage operation the core uses.
type Repo interface {
	CatalogRepo
	CustomerRepo
	OrderRepo
	AfterSalesRepo
	StaffRepo
	OutboxRepo
	InboundRepo
	AuditRepo
	HandoffRepo
	SettingRepo
	CacheRepo
	MediaRepo
}

// MediaRepo stores files customers upload where their channel keeps none
// (the web chat's photos).
type MediaRepo interface {
	SaveMedia(ctx context.Context, m *Media) error
	Media(ctx context.Context, id int64) (Media, error)
	// CountMedia counts what one owner uploaded on a channel since a time.
	CountMedia(ctx context.Context, channel, owner string, since time.Time) (int, error)
}

// CatalogRepo stores products and their stock.
type CatalogRepo interface {
	Products(ctx context.Context, activeOnly bool) ([]Product, error)
	Product(ctx context.Context, sku string) (Product, error)
	// UpsertProducts inserts or updates every product by sku.
	UpsertProducts(ctx context.Context, ps []Product) error
	// ReserveStock takes qty from the product's stock only if that much is
	// there (ErrOutOfStock otherwise); it never lets stock go below zero.
	ReserveStock(ctx context.Context, sku string, qty int) error
	ReleaseStock(ctx context.Context, sku string, qty int) error
}

// CustomerRepo stores customers and their conversation state.
type CustomerRepo interface {
	// LockCustomer returns the customer of (channel, userID), creating it
	// when new, and locks its row until the transaction ends so that one
	// customer's messages are handled one at a time.
	LockCustomer(ctx context.Context, channel, userID string) (Customer, error)
	// LockForInbound is LockCustomer for an inbound event with dedup key
	// (may be ""), which also reads, in the same round trip, whether the
	// event was seen before and whether messages to the customer are held
	// or waiting. Messages leased to the dispatcher named courier (may be
	// "") do not count as waiting: it sends them in order with whatever it
	// is handed next (Courier).
	LockForInbound(ctx context.Context, channel, userID, dedupKey, courier string) (InboundLock, error)
	Customer(ctx context.Context, id int64) (Customer, error)
	CustomerByUser(ctx context.Context, channel, userID string) (Customer, error)
	UpdateCustomer(ctx context.Context, c Customer) error
	// SaveConversation saves what a customer's message changes on their
	// record: the conversation, language, reachability and the time of
	// the message, and the display name only when newName says it
	// changed. The contact details and their search keys are left as
	// they are: rewriting them re-seals them and re-writes their index
	// entries for nothing (use UpdateCustomer when they change).
	SaveConversation(ctx context.Context, c Customer, newName bool) error
}

// OrderRepo stores orders with their items and history.
type OrderRepo interface {
	// CreateOrder assigns ID, Number and Version and stores items and history.
	CreateOrder(ctx context.Context, o *Order) error
	Order(ctx context.Context, id int64) (*Order, error)
	OrderByNumber(ctx context.Context, number string) (*Order, error)
	// OrdersByCustomer returns the customer's orders, newest first.
	OrdersByCustomer(ctx context.Context, customerID int64, limit int) ([]*Order, error)
	// OrdersByStatus returns orders in any of the statuses, oldest first.
	OrdersByStatus(ctx context.Context, statuses []OrderStatus, limit int) ([]*Order, error)
	// OrdersWithCancelRequest returns confirmed orders whose cancel request awaits staff.
	OrdersWithCancelRequest(ctx context.Context, limit int) ([]*Order, error)
	// UpdateOrder saves o if its Version is still the stored one (ErrConflict
	// otherwise), increments o.Version and appends the new history entries.
	UpdateOrder(ctx context.Context, o *Order) error
	// OrderStats counts orders created in [from, to) and sums their totals,
	// leaving out rejected and cancelled ones from the revenue.
	OrderStats(ctx context.Context, from, to time.Time) (count int, revenue int64, err error)
}

// AfterSalesRepo stores after-sales requests.
type AfterSalesRepo interface {
	// CreateAfterSales assigns ID, Number and Version; ErrDuplicate when an
	// open request already exists for the order.
	CreateAfterSales(ctx context.Context, r *AfterSales) error
	AfterSales(ctx context.Context, id int64) (*AfterSales, error)
	AfterSalesByOrder(ctx context.Context, orderID int64) ([]*AfterSales, error)
	// AfterSalesByOrders returns the requests of all the orders in one
	// read, oldest first: a customer's order list costs one query however
	// many of its orders may have requests.
	AfterSalesByOrders(ctx context.Context, orderIDs []int64) ([]*AfterSales, error)
	// AfterSalesByNumber finds a request by its number ("S100008").
	AfterSalesByNumber(ctx context.Context, number string) (*AfterSales, error)
	AfterSalesByStatus(ctx context.Context, statuses []RequestStatus, limit int) ([]*AfterSales, error)
	// UpdateAfterSales saves r if its Version is current (ErrConflict otherwise).
	UpdateAfterSales(ctx context.Context, r *AfterSales) error
}

// StaffRepo stores staff identities.
type StaffRepo interface {
	StaffMember(ctx context.Context, channel, userID string) (Staff, error)
	// SaveStaff inserts or updates the identity (channel, userID).
	SaveStaff(ctx context.Context, s Staff) error
	ListStaff(ctx context.Context) ([]Staff, error)
	RemoveStaff(ctx context.Context, channel, userID string) error
}

// OutboxRepo stores outgoing messages until they are delivered. What only
// the dispatcher does with them (leases, results) is in DispatchStore.
type OutboxRepo interface {
	// Enqueue stores the messages and sets their IDs.
	Enqueue(ctx context.Context, ms []*Message) error
	// Feed returns messages to one recipient of a channel with ID > afterID,
	// oldest first: what a polling channel (the web chat) shows.
	Feed(ctx context.Context, channel, recipient string, afterID int64, limit int) ([]*Message, error)
	// CardRefs remember the platform id of a posted staff card so that
	// later states of the item edit it in place.
	SaveCardRef(ctx context.Context, channel, ref, externalID string) error
	CardRef(ctx context.Context, channel, ref string) (string, error)
	// CardRefByExternal finds the ref of the card posted as externalID.
	CardRefByExternal(ctx context.Context, channel, externalID string) (string, error)
	// ReleaseHeld makes the recipient's held messages due at nextAt and returns them.
	ReleaseHeld(ctx context.Context, channel, recipient string, nextAt time.Time) ([]*Message, error)
	// MarkReplied records messages delivered in the answer to the platform's
	// request: all of them, or none when a dispatcher holds or sent one; it
	// returns how many are so delivered, counting those an earlier call
	// marked with the same path (the answer to a duplicate request).
	MarkReplied(ctx context.Context, ids []int64, at time.Time, path string) (int, error)
	// CountDelivered counts messages to a recipient that went out by path since a time.
	CountDelivered(ctx context.Context, channel, recipient, path string, since time.Time) (int, error)
	OutboxCounts(ctx context.Context) (OutboxCounts, error)
	// Prune deletes dedup keys and finished messages older than before.
	Prune(ctx context.Context, before time.Time) (int, error)
}

// OutboxCounts is how many messages are not delivered, by why.
type OutboxCounts struct {
	Pending int // due now or waiting for a retry
	Held    int // kept for the recipient's next message
	Failed  int // given up: unreachable or out of attempts
}

// CacheRepo is a small expiring key-value store shared by replicas, for
// platform tokens that must not be fetched by each replica on its own.
type CacheRepo interface {
	// CacheGet returns an unexpired value (ErrNotFound otherwise).
	CacheGet(ctx context.Context, name string, now time.Time) (string, error)
	CachePut(ctx context.Context, name, value string, expires time.Time) error
	// CacheAdd stores value unless an unexpired value is cached under name,
	// atomically, and returns the value cached now.
	CacheAdd(ctx context.Context, name, value string, expires, now time.Time) (string, error)
	CacheDelete(ctx context.Context, name string) error
	// PruneCache deletes values expired before now.
	PruneCache(ctx context.Context, now time.Time) (int, error)
}

// InboundRepo records the dedup key of every inbound event.
type InboundRepo interface {
	// RecordInbound stores key; ErrDuplicate when it was seen before.
	RecordInbound(ctx context.Context, key string, at time.Time) error
	// RecordInboundReply stores key with the reply given to the event in
	// one insert; ErrDuplicate when the key was seen before.
	RecordInboundReply(ctx context.Context, key string, at time.Time, reply []byte) error
	SetInboundReply(ctx context.Context, key string, reply []byte) error
	InboundReply(ctx context.Context, key string) ([]byte, error)
}

// AuditRepo stores the audit trail.
type AuditRepo interface {
	AddAudit(ctx context.Context, e AuditEntry) error
	Audit(ctx context.Context, entity, ref string) ([]AuditEntry, error)
}

// Handoff is a customer's request to talk to a person.
type Handoff struct {
	ID         int64
	CustomerID int64
	Open       bool
	CreatedAt  time.Time
	ClosedAt   time.Time
	ClosedBy   string
}

// HandoffRepo stores handoff requests.
type HandoffRepo interface {
	CreateHandoff(ctx context.Context, h *Handoff) error
	OpenHandoff(ctx context.Context, customerID int64) (*Handoff, error)
	Handoff(ctx context.Context, id int64) (*Handoff, error)
	UpdateHandoff(ctx context.Context, h *Handoff) error
	OpenHandoffs(ctx context.Context, limit int) ([]*Handoff, error)
}

// SettingRepo stores small named values shared by every replica, such as
// the key that signs staff sessions.
type SettingRepo interface {
	Setting(ctx context.Context, name string) (string, error)
	// SetSettingIfAbsent stores value unless name exists, and returns the
	// stored value either way, so replicas racing at start agree.
	SetSettingIfAbsent(ctx context.Context, name, value string) (string, error)
}

// InboundLock is what locking the customer of an inbound event found.
type InboundLock struct {
	Customer Customer
	// Held says messages to the customer are held for their next message
	// (OutboxRepo.ReleaseHeld has some to release).
	Held bool
	// Waiting says messages to the customer wait or are being sent (held
	// ones included), other than those leased to the courier: a reply
	// queued now goes out after them.
	Waiting bool
	// Seen says the event's dedup key is recorded: it is a repeat, and
	// Reply is the reply stored for it (nil when none was).
	Seen  bool
	Reply []byte
	// CatalogVersion is the catalog's version as the lock read it: every
	// change of the catalog raises it, so a catalog kept from a message
	// with the same version is the catalog now (catalogCache).
	CatalogVersion int64
}

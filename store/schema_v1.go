package store

import (
	"time"

	"gorm.io/gorm"
)

// The schema of migration 1. These structs are a frozen snapshot: they
// describe the tables as step 1 creates them, with their indexes and
// constraints, and must not follow later changes to the row types.

type v1Product struct {
	ID          int64  `gorm:"primaryKey"`
	SKU         string `gorm:"size:64;not null;uniqueIndex:uq_products_sku"`
	Name        string `gorm:"size:200;not null"`
	NameZH      string `gorm:"size:200;not null"`
	Category    string `gorm:"size:100;not null"`
	Description string `gorm:"not null"`
	ImageURL    string `gorm:"not null"`
	Price       int64  `gorm:"not null;check:chk_products_price,price >= 0"`
	Stock       int    `gorm:"not null;check:chk_products_stock,stock >= 0"`
	Active      bool   `gorm:"not null"`
}

type v1Customer struct {
	ID            int64  `gorm:"primaryKey"`
	Channel       string `gorm:"size:32;not null;uniqueIndex:uq_customers_user,priority:1"`
	UserID        string `gorm:"size:191;not null;uniqueIndex:uq_customers_user,priority:2"`
	DisplayName   string `gorm:"size:200;not null"`
	Name          string `gorm:"size:200;not null"`
	Phone         string `gorm:"size:64;not null"`
	Address       string `gorm:"not null"`
	Lang          string `gorm:"size:16;not null"`
	Unreachable   bool   `gorm:"not null"`
	LastInboundAt *time.Time
	Conversation  []byte
	CreatedAt     time.Time `gorm:"not null"`
	UpdatedAt     time.Time `gorm:"not null"`
}

type v1Order struct {
	ID              int64       `gorm:"primaryKey"`
	Number          *string     `gorm:"size:32;uniqueIndex:uq_orders_number"`
	CustomerID      int64       `gorm:"not null;index:idx_orders_customer"`
	Customer        *v1Customer `gorm:"foreignKey:CustomerID"`
	Channel         string      `gorm:"size:32;not null"`
	Status          string      `gorm:"size:32;not null;index:idx_orders_status"`
	Total           int64       `gorm:"not null"`
	ContactName     string      `gorm:"size:200;not null"`
	ContactPhone    string      `gorm:"size:64;not null"`
	ContactAddress  string      `gorm:"not null"`
	RejectReason    string      `gorm:"not null"`
	Carrier         string      `gorm:"size:100;not null"`
	Tracking        string      `gorm:"size:100;not null"`
	CancelRequested bool        `gorm:"not null"`
	Version         int         `gorm:"not null"`
	CreatedAt       time.Time   `gorm:"not null;index:idx_orders_created"`
	UpdatedAt       time.Time   `gorm:"not null"`
}

type v1OrderItem struct {
	ID        int64    `gorm:"primaryKey"`
	OrderID   int64    `gorm:"not null;index:idx_order_items_order"`
	Order     *v1Order `gorm:"foreignKey:OrderID"`
	SKU       string   `gorm:"size:64;not null"`
	Name      string   `gorm:"size:200;not null"`
	NameZH    string   `gorm:"size:200;not null"`
	UnitPrice int64    `gorm:"not null"`
	Qty       int      `gorm:"not null"`
}

type v1OrderHistory struct {
	ID         int64     `gorm:"primaryKey"`
	OrderID    int64     `gorm:"not null;index:idx_order_history_order"`
	Order      *v1Order  `gorm:"foreignKey:OrderID"`
	FromStatus string    `gorm:"size:32;not null"`
	ToStatus   string    `gorm:"size:32;not null"`
	ChangedAt  time.Time `gorm:"not null"`
	Actor      string    `gorm:"size:255;not null"`
	Note       string    `gorm:"not null"`
}

type v1AfterSales struct {
	ID          int64       `gorm:"primaryKey"`
	Number      *string     `gorm:"size:32;uniqueIndex:uq_after_sales_number"`
	OrderID     int64       `gorm:"not null;uniqueIndex:uq_after_sales_open,priority:1"`
	Order       *v1Order    `gorm:"foreignKey:OrderID"`
	OrderNumber string      `gorm:"size:32;not null"`
	CustomerID  int64       `gorm:"not null;index:idx_after_sales_customer"`
	Customer    *v1Customer `gorm:"foreignKey:CustomerID"`
	RequestType string      `gorm:"size:32;not null"`
	Reason      string      `gorm:"not null"`
	Media       *string
	Status      string `gorm:"size:32;not null;index:idx_after_sales_status"`
	// OpenSlot is 1 while the request is open and NULL after: the unique
	// index then allows one open request per order, and any number of
	// closed ones, since NULLs never collide.
	OpenSlot       *int      `gorm:"uniqueIndex:uq_after_sales_open,priority:2"`
	DecisionReason string    `gorm:"not null"`
	Version        int       `gorm:"not null"`
	CreatedAt      time.Time `gorm:"not null"`
	UpdatedAt      time.Time `gorm:"not null"`
}

type v1AfterSalesHistory struct {
	ID           int64         `gorm:"primaryKey"`
	AfterSalesID int64         `gorm:"not null;index:idx_after_sales_history_request"`
	AfterSales   *v1AfterSales `gorm:"foreignKey:AfterSalesID"`
	FromStatus   string        `gorm:"size:32;not null"`
	ToStatus     string        `gorm:"size:32;not null"`
	ChangedAt    time.Time     `gorm:"not null"`
	Actor        string        `gorm:"size:255;not null"`
	Note         string        `gorm:"not null"`
}

type v1Staff struct {
	ID           int64  `gorm:"primaryKey"`
	Channel      string `gorm:"size:32;not null;uniqueIndex:uq_staff_user,priority:1"`
	UserID       string `gorm:"size:191;not null;uniqueIndex:uq_staff_user,priority:2"`
	Name         string `gorm:"size:200;not null"`
	Role         string `gorm:"size:16;not null"`
	PasswordHash string `gorm:"size:255;not null"`
}

type v1Message struct {
	ID          int64      `gorm:"primaryKey;index:idx_messages_feed,priority:3"`
	Channel     string     `gorm:"size:32;not null;index:idx_messages_feed,priority:1"`
	Recipient   string     `gorm:"size:191;not null;index:idx_messages_feed,priority:2"`
	Kind        string     `gorm:"size:16;not null"`
	Text        string     `gorm:"not null"`
	Options     *string    // JSON
	Card        *string    // JSON
	Notice      *string    // JSON
	Lang        string     `gorm:"size:16;not null"`
	Attempts    int        `gorm:"not null"`
	NextAt      *time.Time `gorm:"index:idx_messages_due,priority:3"`
	DeliveredAt *time.Time `gorm:"index:idx_messages_due,priority:1"`
	FailedAt    *time.Time `gorm:"index:idx_messages_due,priority:2"`
	LastError   string     `gorm:"not null"`
	ExternalID  string     `gorm:"size:255;not null"`
	Path        string     `gorm:"size:64;not null"`
	Owner       *string    `gorm:"size:191"`
	LeaseUntil  *time.Time
	CreatedAt   time.Time `gorm:"not null"`
}

type v1CardRef struct {
	ID         int64  `gorm:"primaryKey"`
	Channel    string `gorm:"size:32;not null;uniqueIndex:uq_card_refs_ref,priority:1"`
	Ref        string `gorm:"size:191;not null;uniqueIndex:uq_card_refs_ref,priority:2"`
	ExternalID string `gorm:"size:255;not null"`
}

type v1Inbound struct {
	DedupKey   string    `gorm:"primaryKey;size:255;not null"`
	ReceivedAt time.Time `gorm:"not null;index:idx_inbound_received"`
	Reply      []byte
}

type v1Audit struct {
	ID         int64     `gorm:"primaryKey;index:idx_audit_ref,priority:3"`
	OccurredAt time.Time `gorm:"not null"`
	Actor      string    `gorm:"size:255;not null"`
	Entity     string    `gorm:"size:32;not null;index:idx_audit_ref,priority:1"`
	Ref        string    `gorm:"size:191;not null;index:idx_audit_ref,priority:2"`
	Action     string    `gorm:"size:64;not null"`
	FromValue  string    `gorm:"size:255;not null"`
	ToValue    string    `gorm:"size:255;not null"`
	Note       string    `gorm:"not null"`
}

type v1Handoff struct {
	ID         int64       `gorm:"primaryKey"`
	CustomerID int64       `gorm:"not null;uniqueIndex:uq_handoffs_open,priority:1"`
	Customer   *v1Customer `gorm:"foreignKey:CustomerID"`
	IsOpen     bool        `gorm:"not null;index:idx_handoffs_open"`
	// OpenSlot: one open handoff per customer, as for after-sales.
	OpenSlot  *int      `gorm:"uniqueIndex:uq_handoffs_open,priority:2"`
	CreatedAt time.Time `gorm:"not null"`
	ClosedAt  *time.Time
	ClosedBy  string `gorm:"size:255;not null"`
	ThreadRef string `gorm:"size:255;not null"`
}

type v1Setting struct {
	Name  string `gorm:"primaryKey;size:191;not null"`
	Value string `gorm:"column:setting_value;not null"`
}

func (v1Product) TableName() string           { return "products" }
func (v1Customer) TableName() string          { return "customers" }
func (v1Order) TableName() string             { return "orders" }
func (v1OrderItem) TableName() string         { return "order_items" }
func (v1OrderHistory) TableName() string      { return "order_history" }
func (v1AfterSales) TableName() string        { return "after_sales" }
func (v1AfterSalesHistory) TableName() string { return "after_sales_history" }
func (v1Staff) TableName() string             { return "staff" }
func (v1Message) TableName() string           { return "messages" }
func (v1CardRef) TableName() string           { return "card_refs" }
func (v1Inbound) TableName() string           { return "inbound" }
func (v1Audit) TableName() string             { return "audit" }
func (v1Handoff) TableName() string           { return "handoffs" }
func (v1Setting) TableName() string           { return "settings" }

// createSchemaV1 creates the tables, parents before children. It skips a
// table that exists, so that a run cut short on MySQL, where each CREATE
// commits on its own, can simply run again.
func createSchemaV1(ddl *gorm.DB) error {
	tables := []any{
		&v1Product{}, &v1Customer{}, &v1Order{}, &v1OrderItem{}, &v1OrderHistory{},
		&v1AfterSales{}, &v1AfterSalesHistory{}, &v1Staff{}, &v1Message{}, &v1CardRef{},
		&v1Inbound{}, &v1Audit{}, &v1Handoff{}, &v1Setting{},
	}
	m := ddl.Migrator()
	for _, t := range tables {
		if m.HasTable(t) {
			continue
		}
		if err := m.CreateTable(t); err != nil {
			return err
		}
	}
	return nil
}

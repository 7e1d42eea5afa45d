package bot

import "time"

// AuditEntry records one state change: who, what, when, from → to.
type AuditEntry struct {
	ID     int64
	At     time.Time
	Actor  string
	Entity string // "order", "after_sales", "staff", "catalog", "handoff"
	Ref    string // order or request number, staff identity, sku
	Action string
	From   string
	To     string
	Note   string
}

package bot

import "time"

// OrderFilter selects orders for staff tools, newest first. Zero fields
// select everything.
type OrderFilter struct {
	// Query matches an order number exactly, a contact phone exactly or a
	// contact name by prefix (case-sensitive).
	Query      string
	Status     OrderStatus
	Channel    string
	CustomerID int64
	// From and To bound the creation time: From <= created_at < To.
	From, To time.Time
	// BeforeID continues a listing after the last order of the previous page.
	BeforeID int64
	Limit    int
}

// AfterSalesFilter selects after-sales requests for staff tools, newest first.
type AfterSalesFilter struct {
	// Query matches a request number or an order number exactly.
	Query    string
	Status   RequestStatus
	Type     AfterSalesType
	BeforeID int64
	Limit    int
}

// CustomerFilter selects customers for staff tools, newest first.
type CustomerFilter struct {
	// Query matches a name or display name by prefix, a phone exactly or a
	// channel user id exactly.
	Query string
	// Tier selects the customers holding the tier of that key, Tag those
	// with that tag (exactly as stored).
	Tier, Tag string
	BeforeID  int64
	Limit     int
}

// CustomerStats sums up a customer's orders that were not rejected or
// cancelled. The times are zero when there is no such order.
type CustomerStats struct {
	OrderCount   int
	TotalSpent   int64
	FirstOrderAt time.Time
	LastOrderAt  time.Time
}

// APIToken is a bearer token of the admin API. Only the hash of the token is
// stored; the token acts as the staff identity (APIChannel, Name).
type APIToken struct {
	Name       string
	Hash       string
	Role       Role
	CreatedAt  time.Time
	LastUsedAt time.Time
}

// APIChannel is the staff channel of decisions made with an API token, so
// history and audit name them "NAME (api)".
const APIChannel = "api"

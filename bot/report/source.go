package report

import (
	"context"
	"time"
)

// Source is what computing a report needs from storage. Times are instants
// (the store keeps UTC); the report turns local days into [from, to) before
// asking, so the store knows nothing of time zones.
type Source interface {
	// OrderFacts calls fn for every order placed in [from, to), in any order.
	// refundTypes are the after-sales types whose resolution refunds the order.
	OrderFacts(ctx context.Context, from, to time.Time, refundTypes []string, fn func(OrderFact) error) error
	// PriorOrders maps every customer who placed an order in [from, to) to the
	// number of orders they placed before from, counted up to 1: the KPIs
	// ask only whether there was one, and a shop's regulars have hundreds.
	PriorOrders(ctx context.Context, from, to time.Time) (map[int64]int, error)
	// ProductSales sums the items of the orders placed in [from, to) whose
	// status is one of statuses, per channel and SKU.
	ProductSales(ctx context.Context, from, to time.Time, statuses []string) ([]ProductSale, error)
	// AfterSalesCounts counts the after-sales requests filed in [from, to),
	// per channel of their order and request type.
	AfterSalesCounts(ctx context.Context, from, to time.Time) ([]AfterSalesCount, error)
	// OrderingCustomerTiers maps the customers who placed an order in [from, to)
	// and have a stored tier to that tier's name; a customer without one is
	// left out (they hold the first tier).
	OrderingCustomerTiers(ctx context.Context, from, to time.Time) (map[int64]string, error)
	// TierLadder lists the shop's tiers, lowest first.
	TierLadder(ctx context.Context) ([]TierName, error)
	// SurveyCounts counts the satisfaction surveys sent in [from, to) per
	// channel: how many, how many were answered, and the sum of the scores.
	SurveyCounts(ctx context.Context, from, to time.Time) ([]SurveyCount, error)
}

// SurveyCount is the surveys sent on one channel.
type SurveyCount struct {
	Channel  string
	Sent     int
	Answered int
	ScoreSum int
}

// OrderFact is what the KPIs need to know of one order.
type OrderFact struct {
	ID         int64
	CustomerID int64
	Channel    string
	Status     string
	Total      int64
	CreatedAt  time.Time
	// DecidedAt is when staff confirmed or rejected it (zero: not yet, or
	// the customer cancelled it while pending).
	DecidedAt   time.Time
	ConfirmedAt time.Time // zero: never confirmed
	ShippedAt   time.Time // zero: not shipped
	// Refunded is true when a refund or return request on it was resolved.
	Refunded bool
}

// ProductSale is the quantity and revenue of one SKU on one channel.
type ProductSale struct {
	Channel string `json:"-"`
	SKU     string `json:"sku"`
	Name    string `json:"name"`
	NameZH  string `json:"name_zh"`
	Qty     int64  `json:"qty"`
	Revenue int64  `json:"revenue"`
}

// AfterSalesCount is the number of requests of one type on one channel.
type AfterSalesCount struct {
	Channel string
	Type    string
	N       int
}

// TierName is one tier of the shop's ladder as staff read it.
type TierName struct {
	Name, NameZH, NameEN string
}

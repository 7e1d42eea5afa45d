package conversation

import "time"

// State is the saved conversation of one customer; the core stores it as
// JSON between messages. The zero State is a first-time customer.
type State struct {
	Lang       Lang       `json:"lang,omitempty"`
	Cart       []CartLine `json:"cart,omitempty"`
	LastActive time.Time  `json:"last_active"`

	// Stage is where the customer is; the options the last reply offered
	// are recomputed from it, so a button from an older message can be told
	// apart from a current one.
	Stage    Stage  `json:"stage,omitempty"`
	Category string `json:"category,omitempty"` // category being browsed
	Page     int    `json:"page,omitempty"`     // page of that category, from 0
	SKU      string `json:"sku,omitempty"`      // product shown, or cart line being changed
	Pick     string `json:"pick,omitempty"`     // what choosing a cart line does: pickChange or pickRemove
	Order    string `json:"order,omitempty"`    // order shown, being cancelled or complained about
	Search   string `json:"search,omitempty"`   // what the customer searched for, while its results show

	Contact    Contact         `json:"contact,omitzero"`     // checkout draft
	Coupon     string          `json:"coupon,omitempty"`     // coupon code given at checkout
	AfterSales AfterSalesDraft `json:"after_sales,omitzero"` // request draft

	// Names remembers the names of the products in the cart, so a product
	// that has left the catalog can still be named when it is dropped.
	Names map[string]ProductName `json:"names,omitempty"`
}

// Stage is a step of the conversation.
type Stage string

// The stages. The empty Stage is the main menu.
const (
	stageMenu          Stage = "menu"
	stageCategories    Stage = "categories"
	stageProducts      Stage = "products"
	stageProduct       Stage = "product"
	stageQty           Stage = "quantity"
	stageAdded         Stage = "added"
	stageCart          Stage = "cart"
	stageCartPick      Stage = "cart_pick"
	stageCartQty       Stage = "cart_quantity"
	stageName          Stage = "checkout_name"
	stagePhone         Stage = "checkout_phone"
	stageAddress       Stage = "checkout_address"
	stageSummary       Stage = "checkout_summary"
	stageOrders        Stage = "orders"
	stageOrder         Stage = "order"
	stageCancelPick    Stage = "cancel_pick"
	stageCancelConfirm Stage = "cancel_confirm"
	stageASPick        Stage = "after_sales_pick"
	stageASType        Stage = "after_sales_type"
	stageASReason      Stage = "after_sales_reason"
	stageASPhotos      Stage = "after_sales_photos"
	stageASSummary     Stage = "after_sales_summary"
	stageHuman         Stage = "human"
	stageSearch        Stage = "search"
	stageCoupon        Stage = "checkout_coupon"
)

// allStages lists every stage, for tests that must visit each one.
func allStages() []Stage {
	return []Stage{
		stageMenu, stageCategories, stageProducts, stageProduct, stageQty, stageAdded,
		stageCart, stageCartPick, stageCartQty, stageName, stagePhone, stageAddress,
		stageSummary, stageOrders, stageOrder, stageCancelPick, stageCancelConfirm,
		stageASPick, stageASType, stageASReason, stageASPhotos, stageASSummary, stageHuman, stageSearch, stageConsent, stageCoupon,
	}
}

// What choosing a line in stageCartPick does.
const (
	pickChange = "change"
	pickRemove = "remove"
)

// ProductName is a product's name in both languages.
type ProductName struct {
	Name   string `json:"name,omitempty"`
	NameZH string `json:"name_zh,omitempty"`
}

// AfterSalesDraft is an after-sales request being written.
type AfterSalesDraft struct {
	Type   AfterSalesType `json:"type,omitempty"`
	Reason string         `json:"reason,omitempty"`
	Media  []string       `json:"media,omitempty"`
}

// WithStaff reports whether the customer is talking to staff, so that what
// they write is relayed rather than read as a choice.
func (s State) WithStaff() bool { return s.Stage == stageHuman }

// NearSummary reports whether the next step may show the order summary,
// whose price the core then quotes (Env.Quote).
func (s State) NearSummary() bool {
	switch s.Stage {
	case stageCart, stageName, stagePhone, stageAddress, stageSummary, stageCoupon:
		return len(s.Cart) > 0
	}
	return false
}

// restart forgets where the customer was but keeps what they own: language,
// cart and the names of its products.
func (s State) restart() State {
	return State{Lang: s.Lang, Cart: s.Cart, LastActive: s.LastActive, Stage: stageMenu, Names: s.Names}
}

// idle reports whether the conversation has been quiet long enough to start
// again from the menu.
func (s State) idle(now time.Time) bool {
	return !s.LastActive.IsZero() && now.Sub(s.LastActive) > 24*time.Hour
}

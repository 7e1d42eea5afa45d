// Package conversation is the customer's side of orderbot as data: typed
// states, one pure step function (state, input) → (state, replies, intent),
// and every customer-facing text in zh-CN and en. It performs no I/O: the
// core loads what a step needs into an Env, runs the step, carries out the
// intent, and asks Resolve for the words that report the outcome.
package conversation

import "time"

// Lang is a customer-facing language.
type Lang string

// The languages every text exists in.
const (
	English Lang = "en"
	Chinese Lang = "zh-CN"
)

// Env is what a step may look at. The core fills it before every step.
type Env struct {
	// Omitted lists the parts the core left out because loading them costs
	// queries (the catalog, the orders, the tier, fresh stock): a step that
	// looks at one of them says so in Result.Needs, and the core runs it
	// again with them.
	Omitted Needs

	Now      time.Time
	Currency string    // symbol put before prices, e.g. "¥"
	Catalog  []Product // active products in display order
	// Index is Catalog indexed (IndexCatalog), or nil: a core that keeps
	// the catalog between messages keeps its index too, else each step
	// builds it.
	Index *CatalogIndex
	// Stock is the stock of some products by sku, read afresh, when
	// Omitted has NeedStock: the core then keeps Catalog between messages
	// without its stock, which every order changes, and a step that looks
	// at a product's stock names it in Result.StockOf. Product.Stock
	// counts only when NeedStock is not omitted.
	Stock   map[string]int
	Profile Contact // contact details remembered from the last order
	Orders  []OrderView
	// ContactButton says the channel can share the customer's phone number
	// with a button, so the phone step offers it.
	ContactButton bool
	// TextOnly says the channel shows options as numbered lines, not
	// buttons (WeChat), so no text asks the customer to tap.
	TextOnly bool
	// Tier is the customer's membership tier, shown with their orders
	// (omitted as NeedTier until then).
	Tier Tier
	// PayMethods are the ways to pay the shop offers, in the order the
	// summary offers them; none means the summary asks nothing about it.
	PayMethods []PayMethod
	// Quote is the price of the cart as the step found it, with the
	// coupon of State.Coupon when it applies; nil when the core gives none.
	Quote *Quote
}

// Quote is what an order of the cart would cost: the items, the coupon's
// discount (Coupon is its code, "" when none applies) and shipping.
type Quote struct {
	Subtotal int64
	Discount int64
	Shipping int64
	Total    int64
	Coupon   string
}

// PayMethod is a way to pay: "cod" (cash on delivery), "transfer" (bank
// transfer or payment QR), or a provider's name.
type PayMethod string

// The offline payment methods.
const (
	PayCOD      PayMethod = "cod"
	PayTransfer PayMethod = "transfer"
	// PayWeChat is WeChat Pay: a pay page inside WeChat or a QR code.
	PayWeChat PayMethod = "wechatpay"
	// PayTelegram is Telegram Payments: the customer pays an invoice in
	// the Telegram chat, by card through the shop's provider.
	PayTelegram PayMethod = "telegram"
)

// Tier is a membership tier's name in each language, e.g. 金卡 and Gold;
// empty when the shop has no tiers.
type Tier struct {
	NameZH string
	NameEN string
}

// Product is a catalog entry as the customer sees it.
type Product struct {
	SKU         string
	Name        string // English name
	NameZH      string // Chinese name; Name is used when empty
	Category    string
	CategoryZH  string // Chinese name of the category; Category is used when empty
	Description string
	// DescriptionZH is the Chinese description; Description is used when empty.
	DescriptionZH string
	ImageURL      string // a picture of the product, shown where the channel can
	Price         int64  // minor units (分 / cents)
	Stock         int
}

// Contact is who receives an order and where.
type Contact struct {
	Name    string `json:"name,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Address string `json:"address,omitempty"`
}

// OrderView is one of the customer's orders, newest first in Env.Orders.
// The flags are decided by the core's rules; the conversation only shows them.
type OrderView struct {
	Number          string
	Status          string // pending, confirmed, rejected, shipped, delivered, completed, cancelled
	Total           int64  // the amount to pay
	Subtotal        int64  // what the items cost
	Discount        int64  // positive
	Coupon          string // the code that gave Discount
	Shipping        int64
	PaymentStatus   string // unpaid, paid, partially_refunded, refunded
	PayMethod       PayMethod
	CreatedAt       time.Time
	Items           []ItemView
	Timeline        []TimelineEntry
	Carrier         string
	Tracking        string
	RejectReason    string
	CancelRequested bool   // a cancel request awaits staff
	CanCancel       bool   // cancel is allowed now (at once or as a request)
	CanAfterSales   bool   // an after-sales request may be filed now
	OpenRequest     string // number of the open after-sales request, if any
	// Requests are the order's after-sales requests, oldest first (the
	// core loads them for orders in a status that allows one).
	Requests []RequestView
}

// RequestView is an after-sales request as its customer sees it.
type RequestView struct {
	Number string // "S100008"
	Type   AfterSalesType
	Status string // submitted, approved, rejected, resolved
	Note   string // what staff wrote with their decision: next steps or the reason
}

// ItemView is one line of an order.
type ItemView struct {
	Name      string
	NameZH    string
	Qty       int
	UnitPrice int64
}

// TimelineEntry is one status change of an order.
type TimelineEntry struct {
	At     time.Time
	Status string
}

// CartLine is a product and a quantity in the cart.
type CartLine struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

// AfterSalesType is the kind of an after-sales request.
type AfterSalesType string

// The after-sales types a customer can choose.
const (
	Return    AfterSalesType = "return"
	Refund    AfterSalesType = "refund"
	Exchange  AfterSalesType = "exchange"
	Repair    AfterSalesType = "repair"
	Complaint AfterSalesType = "complaint"
)

// Input is one thing the customer did: typed text, a pressed button, a photo,
// a shared phone number. Button data is untrusted: it is honoured only when
// it is one of the options the current state offers.
type Input struct {
	Text   string
	Button string
	Media  []string // channel media references (photos)
	Phone  string   // a phone number shared through the channel's contact button
	Lang   Lang     // the channel's language hint, used when the state has none yet
}

// Reply is one message to the customer. Options are offered as buttons where
// the channel has them; Plain renders them as numbered lines for text-only
// channels. Either way the customer may type the number or the label.
type Reply struct {
	Text    string   `json:"text"`
	Options []Option `json:"options,omitempty"`
	// Image is the URL of a picture that goes with the text (a product's),
	// for channels that can show one; the text stands alone without it.
	Image string `json:"image,omitempty"`
}

// Option is one numbered choice. Key is what a button sends back.
type Option struct {
	Key   string `json:"key"`
	Label string `json:"label"`
}

// Result is what a step produces. Intent, when not nil, must be carried out
// by the core, which then calls Resolve with the outcome.
type Result struct {
	State   State
	Replies []Reply
	Intent  Intent
	// StaleButton says the input was a button the current step no longer
	// offers, so a channel can also say so where it was pressed.
	StaleButton bool
	// Needs lists the parts of Env the step looked at that Env.Omitted
	// left out. When it is not zero the rest of the Result is void: run the
	// step again with them loaded. It is always zero when nothing was
	// omitted.
	Needs Needs
	// StockOf are the products whose stock the step looked at and Env.Stock
	// lacked, with NeedStock in Needs.
	StockOf []string
}

// Needs is a set of the parts of Env that cost queries to load.
type Needs uint8

// The parts of Env a core may leave out until a step looks at them.
const (
	NeedCatalog Needs = 1 << iota // Env.Catalog
	NeedOrders                    // Env.Orders, with the orders named by number
	NeedTier                      // Env.Tier
	// NeedStock is fresh stock of the products in Result.StockOf, into
	// Env.Stock. It stays in Omitted once loaded: other products' stock is
	// still left out.
	NeedStock
)

// Intent is a change the customer asked for that the core must carry out.
type Intent interface{ intent() }

// PlaceOrder asks the core to place an order for the cart.
type PlaceOrder struct {
	Lines     []CartLine
	Contact   Contact
	PayMethod PayMethod // "" when the shop offers no choice
	Coupon    string    // the code the customer gave, "" for none
}

// ApplyCoupon asks the core whether a coupon code applies to the cart.
type ApplyCoupon struct {
	Code  string
	Lines []CartLine
}

// CancelOrder asks the core to cancel one of the customer's orders.
type CancelOrder struct{ Number string }

// FileAfterSales asks the core to file an after-sales request.
type FileAfterSales struct {
	Number string
	Type   AfterSalesType
	Reason string
	Media  []string
}

// RequestHuman asks the core to hand the conversation to staff.
type RequestHuman struct{ Text string }

// RelayToStaff carries a message typed while the conversation is with staff.
type RelayToStaff struct {
	Text  string
	Media []string
}

func (PlaceOrder) intent()     {}
func (CancelOrder) intent()    {}
func (FileAfterSales) intent() {}
func (RequestHuman) intent()   {}
func (RelayToStaff) intent()   {}
func (ApplyCoupon) intent()    {}

// Problem is why an intent could not be carried out; empty means it was.
type Problem string

// The problems the core reports back.
const (
	OK             Problem = ""
	OutOfStock     Problem = "out_of_stock"    // Outcome.SKU names the product
	Unavailable    Problem = "unavailable"     // product no longer sold
	NotFound       Problem = "not_found"       // no such order of this customer
	NotCancellable Problem = "not_cancellable" // shipped or later, or already closed
	NotEligible    Problem = "not_eligible"    // after-sales not allowed for this order
	AlreadyOpen    Problem = "already_open"    // an after-sales request is already open
	AlreadyPending Problem = "already_pending" // a cancel request already awaits staff
	Internal       Problem = "internal"        // something broke; try again later
	// A coupon that does not apply; the order, if any, is not placed.
	CouponUnknown    Problem = "coupon_unknown"     // no such code, or disabled
	CouponNotStarted Problem = "coupon_not_started" // valid from later
	CouponExpired    Problem = "coupon_expired"
	CouponUsedUp     Problem = "coupon_used_up"     // its total uses are taken
	CouponUsedByYou  Problem = "coupon_used_by_you" // this customer's uses are taken
	CouponTier       Problem = "coupon_tier"        // for another membership tier
	CouponMinSpend   Problem = "coupon_min_spend"   // Outcome.MinSpend names the minimum
)

// Outcome is what the core did with an intent.
type Outcome struct {
	Problem Problem
	Number  string // order number (PlaceOrder) or request number (FileAfterSales)
	Status  string // for CancelOrder: "cancelled" or "cancel_requested"
	SKU     string // for OutOfStock / Unavailable
	// AskConsent, for PlaceOrder, says the customer was never asked about
	// promotions and is to be asked now.
	AskConsent bool
	// Quote is the cart's price with the coupon (ApplyCoupon).
	Quote    *Quote
	MinSpend int64 // CouponMinSpend
}

// NoticeKind is a proactive message the core sends when staff act.
type NoticeKind string

// The notices a customer can receive.
const (
	OrderConfirmed     NoticeKind = "order_confirmed"
	OrderRejected      NoticeKind = "order_rejected"
	OrderShipped       NoticeKind = "order_shipped"
	OrderDelivered     NoticeKind = "order_delivered"
	OrderCompleted     NoticeKind = "order_completed"
	OrderCancelled     NoticeKind = "order_cancelled" // cancelled by staff decision or approval of a cancel request
	CancelRejected     NoticeKind = "cancel_rejected"
	AfterSalesApproved NoticeKind = "after_sales_approved"
	AfterSalesRejected NoticeKind = "after_sales_rejected"
	AfterSalesResolved NoticeKind = "after_sales_resolved"
	StaffMessage       NoticeKind = "staff_message" // a staff member wrote to the customer
	HandoffEnded       NoticeKind = "handoff_ended"
	PaymentDue         NoticeKind = "payment_due"      // how to pay, with Pay
	PaymentReceived    NoticeKind = "payment_received" // Amount arrived
	PaymentRefunded    NoticeKind = "payment_refunded" // Amount given back
	PaymentReminder    NoticeKind = "payment_reminder" // still unpaid, with Pay
	PaymentExpired     NoticeKind = "payment_expired"  // cancelled: unpaid in time
)

// PayInfo tells a customer how to pay an order: the amount, the shop's
// instructions and payment QR picture, and the time after which the order
// is cancelled unpaid.
type PayInfo struct {
	Amount       int64
	Currency     string
	Instructions string
	Image        string // URL of the payment QR picture
	Due          time.Time
	// Method is how the order is paid; Link, for an online method, is the
	// page that takes the payment (Image then is its QR code, if any). For
	// a provider's invoice (PayTelegram) the channel renders one from the
	// notice's order number and these amounts, whose parts add up to
	// Amount.
	Method                       PayMethod `json:",omitempty"`
	Link                         string    `json:",omitempty"`
	Subtotal, Discount, Shipping int64     `json:",omitempty"`
}

// Notice is the data of a proactive message.
type Notice struct {
	Kind          NoticeKind
	OrderNumber   string
	RequestNumber string
	Type          AfterSalesType
	Reason        string
	Carrier       string
	Tracking      string
	Text          string // StaffMessage
	Amount        int64  // PaymentReceived, PaymentRefunded
	Currency      string // the symbol Amount is shown with
	// Pay, when set, adds how to pay (PaymentDue, PaymentReminder, and
	// OrderConfirmed when the order is to be paid after approval).
	Pay *PayInfo
}

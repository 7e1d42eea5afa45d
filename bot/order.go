package bot

import (
	"fmt"
	"time"
)

// OrderStatus is where an order is in its lifecycle.
type OrderStatus string

// The order lifecycle: pending → confirmed | rejected; confirmed → shipped →
// delivered → completed; pending → cancelled by the customer at once;
// confirmed → cancelled only through a cancel request staff approve.
const (
	Pending   OrderStatus = "pending"
	Confirmed OrderStatus = "confirmed"
	Rejected  OrderStatus = "rejected"
	Shipped   OrderStatus = "shipped"
	Delivered OrderStatus = "delivered"
	Completed OrderStatus = "completed"
	Cancelled OrderStatus = "cancelled"
)

// Contact is the name, phone and address an order ships to.
type Contact struct {
	Name    string
	Phone   string
	Address string
}

// OrderItem is one line of an order, with the product's name and unit price
// as they were when the order was placed.
type OrderItem struct {
	SKU       string
	Name      string
	NameZH    string
	UnitPrice int64
	Qty       int
}

// StatusChange is one step of an order's or request's history. Note carries
// what the step needs to be understood (a reject reason, a tracking number).
type StatusChange struct {
	From  string
	To    string
	At    time.Time
	Actor string
	Note  string
}

// Order is a customer's order. Its status changes only through its methods,
// which check the lifecycle rules and record the history.
type Order struct {
	ID         int64
	Number     string
	CustomerID int64
	Channel    string
	Status     OrderStatus
	Items      []OrderItem
	// Subtotal is what the items cost; Total, the amount to pay, is
	// Subtotal - Discount + Shipping.
	Subtotal int64
	Discount int64 // positive; what Coupon took off
	Shipping int64
	Coupon   string // the coupon code applied, upper case; "" for none
	Total    int64
	// The payment side of the order: see payment.go.
	PaymentStatus   PaymentStatus
	PayMethod       PayMethod
	Paid            int64     // what arrived
	Refunded        int64     // what was given back of it
	PaymentRef      string    // transfer reference or provider transaction id
	PayDue          time.Time // an order awaiting payment is cancelled at this time; zero: never
	PayReminded     bool      // the one reminder before PayDue went out
	Contact         Contact
	RejectReason    string
	Carrier         string
	Tracking        string
	CancelRequested bool
	History         []StatusChange
	Version         int
	CreatedAt       time.Time
	UpdatedAt       time.Time
}

// NewOrder builds a pending order; the store assigns ID and Number.
func NewOrder(c Customer, items []OrderItem, contact Contact, now time.Time) (*Order, error) {
	if len(items) == 0 {
		return nil, fmt.Errorf("%w: an order needs at least one item", ErrInvalid)
	}
	var total int64
	for _, it := range items {
		if it.Qty < 1 || it.Qty > 99 {
			return nil, fmt.Errorf("%w: quantity of %s must be 1-99", ErrInvalid, it.SKU)
		}
		total += it.UnitPrice * int64(it.Qty)
	}
	o := &Order{
		CustomerID: c.ID, Channel: c.Channel, Status: Pending, Items: items,
		Subtotal: total, Total: total, Contact: contact, CreatedAt: now, UpdatedAt: now,
		PaymentStatus: Unpaid, PayMethod: PayCOD,
	}
	o.History = []StatusChange{{To: string(Pending), At: now, Actor: CustomerActor(c)}}
	return o, nil
}

// SetPrice applies a discount and a shipping fee to a new order's
// subtotal. The discount never makes the items cost less than nothing.
func (o *Order) SetPrice(discount, shipping int64, coupon string) error {
	if discount < 0 || discount > o.Subtotal || shipping < 0 {
		return fmt.Errorf("%w: discount %d and shipping %d do not fit subtotal %d", ErrInvalid, discount, shipping, o.Subtotal)
	}
	o.Discount, o.Shipping, o.Coupon = discount, shipping, coupon
	o.Total = o.Subtotal - discount + shipping
	return nil
}

func (o *Order) move(to OrderStatus, actor, note string, now time.Time) {
	o.History = append(o.History, StatusChange{From: string(o.Status), To: string(to), At: now, Actor: actor, Note: note})
	o.Status = to
	o.UpdatedAt = now
}

// decided explains a refused decision by the last change, so the second of
// two approvers learns who was first.
func (o *Order) decided(action string) error {
	if n := len(o.History); n > 0 && o.Status != Pending {
		last := o.History[n-1]
		return &DecidedError{Status: last.To, By: last.Actor, At: last.At}
	}
	return &StateError{Action: action, Status: string(o.Status)}
}

// Approve confirms a pending order.
func (o *Order) Approve(actor string, now time.Time) error {
	if o.Status != Pending {
		return o.decided("approve")
	}
	o.move(Confirmed, actor, "", now)
	return nil
}

// Reject refuses a pending order; the reason is shown to the customer.
func (o *Order) Reject(actor, reason string, now time.Time) error {
	if o.Status != Pending {
		return o.decided("reject")
	}
	if reason == "" {
		return errNoReason
	}
	o.RejectReason = reason
	o.move(Rejected, actor, reason, now)
	return nil
}

// Ship marks a confirmed order shipped. An open cancel request blocks it
// until staff decide the request.
func (o *Order) Ship(actor, carrier, tracking string, now time.Time) error {
	if o.Status != Confirmed || o.CancelRequested {
		return &StateError{Action: "ship", Status: o.statusText()}
	}
	if carrier == "" || tracking == "" {
		return errNoShipping
	}
	o.Carrier, o.Tracking = carrier, tracking
	o.move(Shipped, actor, carrier+" "+tracking, now)
	return nil
}

// Deliver marks a shipped order delivered.
func (o *Order) Deliver(actor string, now time.Time) error {
	if o.Status != Shipped {
		return &StateError{Action: "deliver", Status: string(o.Status)}
	}
	o.move(Delivered, actor, "", now)
	return nil
}

// Complete closes a delivered order.
func (o *Order) Complete(actor string, now time.Time) error {
	if o.Status != Delivered {
		return &StateError{Action: "complete", Status: string(o.Status)}
	}
	o.move(Completed, actor, "", now)
	return nil
}

// CancelByCustomer cancels a pending order at once and turns a cancel of a
// confirmed order into a request for staff. It reports whether the order is
// now cancelled (true) or awaits a decision (false).
func (o *Order) CancelByCustomer(actor string, now time.Time) (cancelled bool, err error) {
	switch {
	case o.Status == Pending:
		o.move(Cancelled, actor, "", now)
		return true, nil
	case o.Status == Confirmed && o.CancelRequested:
		return false, ErrDuplicate
	case o.Status == Confirmed:
		o.CancelRequested = true
		o.History = append(o.History, StatusChange{From: string(o.Status), To: "cancel_requested", At: now, Actor: actor})
		o.UpdatedAt = now
		return false, nil
	}
	return false, ErrNotCancellable
}

// ApproveCancel grants an open cancel request.
func (o *Order) ApproveCancel(actor string, now time.Time) error {
	if !o.CancelRequested {
		return o.decided("approve cancel")
	}
	o.CancelRequested = false
	o.move(Cancelled, actor, "cancel request approved", now)
	return nil
}

// RejectCancel refuses an open cancel request; the order stays confirmed.
func (o *Order) RejectCancel(actor, reason string, now time.Time) error {
	if !o.CancelRequested {
		return o.decided("reject cancel")
	}
	o.CancelRequested = false
	o.History = append(o.History, StatusChange{From: "cancel_requested", To: "cancel_rejected", At: now, Actor: actor, Note: reason})
	o.UpdatedAt = now
	return nil
}

// CanCancel reports whether a customer cancel is possible now.
func (o *Order) CanCancel() bool {
	return o.Status == Pending || (o.Status == Confirmed && !o.CancelRequested)
}

// CanAfterSales reports whether the order's status allows after-sales.
func (o *Order) CanAfterSales() bool {
	return o.Status == Shipped || o.Status == Delivered || o.Status == Completed
}

// ReleasesStock reports whether moving into this status gives the reserved
// stock back.
func (s OrderStatus) ReleasesStock() bool { return s == Rejected || s == Cancelled }

func (o *Order) statusText() string {
	if o.CancelRequested {
		return string(o.Status) + " (cancel requested)"
	}
	return string(o.Status)
}

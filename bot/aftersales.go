package bot

import (
	"fmt"
	"strings"
	"time"
)

// AfterSalesType is the kind of an after-sales request.
type AfterSalesType string

// The after-sales request types.
const (
	Return    AfterSalesType = "return"
	Refund    AfterSalesType = "refund"
	Exchange  AfterSalesType = "exchange"
	Repair    AfterSalesType = "repair"
	Complaint AfterSalesType = "complaint"
)

// Valid reports whether t is one of the known types.
func (t AfterSalesType) Valid() bool {
	switch t {
	case Return, Refund, Exchange, Repair, Complaint:
		return true
	}
	return false
}

// RequestStatus is where an after-sales request is.
type RequestStatus string

// submitted → approved | rejected; approved → resolved.
const (
	Submitted RequestStatus = "submitted"
	Approved  RequestStatus = "approved"
	Declined  RequestStatus = "rejected"
	Resolved  RequestStatus = "resolved"
)

// Open reports whether a request in this status still blocks a new one.
func (s RequestStatus) Open() bool { return s == Submitted || s == Approved }

// AfterSales is a customer's after-sales request on one of their orders.
type AfterSales struct {
	ID             int64
	Number         string
	OrderID        int64
	OrderNumber    string
	CustomerID     int64
	Type           AfterSalesType
	Reason         string
	Media          []string
	Status         RequestStatus
	DecisionReason string
	History        []StatusChange
	Version        int
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// NewAfterSales files a request for an order of the customer, checking that
// the order is theirs and in a status that allows it.
func NewAfterSales(c Customer, o *Order, typ AfterSalesType, reason string, media []string, now time.Time) (*AfterSales, error) {
	switch {
	case o.CustomerID != c.ID:
		return nil, ErrNotFound
	case !o.CanAfterSales():
		return nil, ErrNotEligible
	case !typ.Valid():
		return nil, fmt.Errorf("%w: unknown after-sales type %q", ErrInvalid, typ)
	case reason == "" || len([]rune(reason)) > 500:
		return nil, fmt.Errorf("%w: reason must be 1-500 characters", ErrInvalid)
	}
	r := &AfterSales{
		OrderID: o.ID, OrderNumber: o.Number, CustomerID: c.ID, Type: typ, Reason: reason,
		Media: media, Status: Submitted, CreatedAt: now, UpdatedAt: now,
	}
	r.History = []StatusChange{{To: string(Submitted), At: now, Actor: CustomerActor(c)}}
	return r, nil
}

func (r *AfterSales) move(to RequestStatus, actor, note string, now time.Time) {
	r.History = append(r.History, StatusChange{From: string(r.Status), To: string(to), At: now, Actor: actor, Note: note})
	r.Status = to
	r.UpdatedAt = now
}

func (r *AfterSales) decided(action string) error {
	if n := len(r.History); n > 1 {
		last := r.History[n-1]
		return &DecidedError{Status: last.To, By: last.Actor, At: last.At}
	}
	return &StateError{Action: action, Status: string(r.Status)}
}

// Approve grants a submitted request. The note, when staff write one, is
// the customer's next step (where to send the goods, when the refund
// arrives): it is sent with the notice and stays on the order page.
func (r *AfterSales) Approve(actor, note string, now time.Time) error {
	if r.Status != Submitted {
		return r.decided("approve")
	}
	if note = strings.TrimSpace(note); note != "" {
		r.DecisionReason = note
	}
	r.move(Approved, actor, note, now)
	return nil
}

// Reject refuses a submitted request; the reason is shown to the customer.
func (r *AfterSales) Reject(actor, reason string, now time.Time) error {
	if r.Status != Submitted {
		return r.decided("reject")
	}
	if reason == "" {
		return errNoReason
	}
	r.DecisionReason = reason
	r.move(Declined, actor, reason, now)
	return nil
}

// Resolve closes an approved request once the return, refund, exchange,
// repair or complaint has been handled.
func (r *AfterSales) Resolve(actor string, now time.Time) error {
	if r.Status != Approved {
		return &StateError{Action: "resolve", Status: string(r.Status)}
	}
	r.move(Resolved, actor, "", now)
	return nil
}

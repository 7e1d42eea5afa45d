package bot

import (
	"time"

	"github.com/orderbot/orderbot/conversation"
)

// MessageKind says what an outgoing message is for.
type MessageKind string

// The kinds of outgoing messages.
const (
	KindReply  MessageKind = "reply"  // answer to the customer's own message
	KindNotice MessageKind = "notice" // proactive customer notification
	KindCard   MessageKind = "card"   // a staff card, posted or updated in place
	// KindThread is a message for staff about a card's item: where the
	// channel has threads it goes in the card's thread; Card carries the
	// item's current card for channels that show it instead.
	KindThread MessageKind = "thread"
)

// StaffRecipient is the recipient of staff cards on a channel: the adapter
// sends them to its configured staff destination.
const StaffRecipient = "staff"

// Message is one outgoing message in the outbox. It is written in the same
// transaction as the change that caused it and delivered afterwards.
type Message struct {
	ID        int64
	Channel   string
	Recipient string // platform user id, or StaffRecipient
	Kind      MessageKind
	Text      string
	Options   []conversation.Option
	Card      *Card
	// Notice keeps the structured data of a customer notification so a
	// channel that must pick another path (a WeChat template) can render it.
	Notice      *conversation.Notice
	Lang        string
	Attempts    int
	NextAt      time.Time
	DeliveredAt time.Time
	FailedAt    time.Time // given up: unreachable or out of attempts
	LastError   string
	ExternalID  string // the platform's id of the sent message
	Path        string // how it went out, where a channel has several ways
	CreatedAt   time.Time
	// Stale marks the replies to a press of a button the conversation no
	// longer offered, for channels that answer the press itself. It travels
	// with the replies HandleInbound returns, not through the outbox.
	Stale bool
	// ImageURL is a picture that goes with a reply (a product's), for the
	// channels that show one.
	ImageURL string
	// Bulk marks a message of a broadcast to many customers (a promotion):
	// it waits behind every reply, notice and card, so that a large
	// campaign never delays the answer to a customer's own message.
	Bulk bool
	// LeasedTo and LeaseUntil, set on a message being queued, lease it to
	// that dispatcher from the start (Courier): no claim takes it before
	// the lease runs out.
	LeasedTo   string
	LeaseUntil time.Time
}

// Card is a staff card: one item that needs or had staff attention, rendered
// by each staff channel its own way. Ref is stable for the item, so a later
// card with the same Ref replaces the earlier one.
type Card struct {
	Ref     string       `json:"ref"` // "order:42", "cancel:42", "after_sales:7", "handoff:3": for code, never shown to staff
	Title   string       `json:"title"`
	Fields  []CardField  `json:"fields,omitempty"`
	Status  string       `json:"status"` // e.g. "由 demo（网页后台）于 11月30日 10:32（UTC+8）批准"
	Actions []CardAction `json:"actions,omitempty"`
	Version int          `json:"version"` // the item's version the actions apply to
	Media   []string     `json:"media,omitempty"`
}

// CardField is a label and a value on a card.
type CardField struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// CardAction is a button on a card. Input names what the action needs from
// the staff member first: "reason" or "shipping" (carrier and tracking).
type CardAction struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Input string `json:"input,omitempty"`
	Style string `json:"style,omitempty"` // "primary" or "danger"
}

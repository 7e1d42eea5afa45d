package bot

import "time"

// Channels a customer or a staff member can be on.
const (
	WebChat  = "webchat"
	Telegram = "telegram"
	Slack    = "slack"
	WeChat   = "wechat"
)

// Customer is one person on one channel. Contact details and language are
// remembered for the next order; Conversation is the saved conversation
// state, opaque to everything but the conversation package.
type Customer struct {
	ID            int64
	Channel       string
	UserID        string
	DisplayName   string
	Name          string
	Phone         string
	Address       string
	Lang          string
	Unreachable   bool
	LastInboundAt time.Time
	Conversation  []byte
	CreatedAt     time.Time
	// IdentityID is, for a customer reached through an identity merged
	// into it, that identity's own record, which keeps the identity's
	// conversation and language; 0 otherwise. Storage sets and reads it.
	IdentityID int64
	// Tier is filled by the core from its Membership where it is shown
	// (cards, the conversation); storage neither reads nor writes it.
	Tier Standing
	// tierKnown says Tier was looked up: an inbound message looks it up
	// only when its step shows or uses it (knowStanding).
	tierKnown bool
}

// Identity is one way a customer is known: a user on a channel. A customer
// has one, and more once staff merge records of one person.
type Identity struct {
	Channel     string
	UserID      string
	DisplayName string
}

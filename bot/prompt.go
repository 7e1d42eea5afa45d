package bot

import "time"

// StaffPrompt is a question a staff channel put to one staff member for
// the input an action needs (a reason, carrier and tracking number, a
// message to the customer). A chat shared by staff also shows text that
// customers wrote, so what an answer is for is never read back from the
// chat: the channel keeps the prompt in storage, keyed by the message it
// posted, where every replica finds it.
type StaffPrompt struct {
	Channel string
	Message string // the channel's id of the posted question
	UserID  string // the staff member asked: only their answer counts
	Ref     string // the card's item, e.g. "order:42"
	Action  string
	Input   string // "reason", "shipping" or "text"
	Version int    // the item's version the action applies to
	// UsedBy is the dedup key of the answer that used the prompt; a prompt
	// is used once, and "" means it is still open.
	UsedBy    string
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Expired reports whether the prompt can no longer be answered at now.
func (p StaffPrompt) Expired(now time.Time) bool {
	return !now.Before(p.ExpiresAt)
}

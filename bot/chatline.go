package bot

import "time"

// ChatLine is one message a web chat customer sent. The outbox holds only
// what the bot says, so these are kept beside it for the chat page to show
// both sides of the conversation after a reload.
type ChatLine struct {
	ID       int64
	UserID   string
	ClientID string // the page's id of the message; a repeat is kept once
	Kind     string // "text", "button" (Text is the label pressed) or "photo"
	Text     string
	At       time.Time
	// BeforeID is the outbox id of the first reply to the message, which
	// places it among the bot's messages more surely than the clock; 0
	// when it had no reply.
	BeforeID int64
}

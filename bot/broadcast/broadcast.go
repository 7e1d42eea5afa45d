// Package broadcast is promotions (营销活动): a message in Chinese and
// English, with an optional picture and coupon, sent to the customers of a
// segment who consented to promotions. An agent writes it, an approver
// approves it (not the same person when the shop requires two), and a job
// queues its messages in batches as bulk outbox messages, so customers'
// replies always go first. It keeps its own tables behind Repo.
package broadcast

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/orderbot/orderbot/bot"
)

// Status is where a broadcast is in its life.
type Status string

// The statuses: draft → pending_approval → approved (waiting for its time)
// → sending → sent, or rejected, or cancelled before it was sent.
const (
	Draft     Status = "draft"
	Pending   Status = "pending_approval"
	Approved  Status = "approved"
	Sending   Status = "sending"
	Sent      Status = "sent"
	Rejected  Status = "rejected"
	Cancelled Status = "cancelled"
)

// The languages a broadcast is written in.
const (
	LangZH = "zh"
	LangEN = "en"
)

// CustomerChannels are the channels customers are on: Slack is staff's
// only, never a customer channel.
func CustomerChannels() []string { return []string{bot.WebChat, bot.Telegram, bot.WeChat} }

// maxText bounds each language's text: one chat message, not a newsletter.
const maxText = 2000

// Segment selects the customers a broadcast is for, among those who
// consented. Empty lists and zero bounds select everyone; the lists are
// "any of". A customer without orders matches neither last-order bound.
type Segment struct {
	Channels        []string  `json:"channels,omitempty"`
	Langs           []string  `json:"langs,omitempty"`
	Tiers           []string  `json:"tiers,omitempty"`
	Tags            []string  `json:"tags,omitempty"`
	LastOrderBefore time.Time `json:"last_order_before,omitzero"`
	LastOrderAfter  time.Time `json:"last_order_after,omitzero"`
	// MinSpent and MaxSpent bound the customer's total spent (orders not
	// rejected or cancelled), in minor units; nil is no bound.
	MinSpent *int64 `json:"min_spent,omitempty"`
	MaxSpent *int64 `json:"max_spent,omitempty"`
}

// Broadcast is one promotion. Its status changes only through its methods.
type Broadcast struct {
	ID       int64
	Status   Status
	TextZH   string
	TextEN   string
	ImageURL string
	Coupon   string
	Segment  Segment
	// SendAt is when it goes out once approved; zero is at once.
	SendAt time.Time
	// Audience is how many customers the segment held when it was
	// submitted, shown to the approver.
	Audience    int
	CreatedBy   string
	CreatedAt   time.Time
	SubmittedAt time.Time
	DecidedBy   string // who approved, rejected or cancelled it
	DecidedAt   time.Time
	StartedAt   time.Time
	FinishedAt  time.Time
	// Cursor is the last customer id queued: the sending job goes on after
	// it, also after a crash.
	Cursor     int64
	LeaseOwner string
	LeaseUntil time.Time
	Version    int
}

// Report is a broadcast's delivery report. Targeted is every customer the
// job reached in the segment; Queued those given a message, of which Sent
// were delivered and Failed given up; Skipped counts the others by reason;
// Unsubscribed those who withdrew their consent after it was queued.
type Report struct {
	Targeted     int            `json:"targeted"`
	Queued       int            `json:"queued"`
	Sent         int            `json:"sent"`
	Failed       int            `json:"failed"`
	Skipped      map[string]int `json:"skipped"`
	Unsubscribed int            `json:"unsubscribed"`
}

// The reasons a customer of the segment gets no message.
const (
	// SkipOutsideWindow: a WeChat customer whose last message is older than
	// the 48-hour customer-service window, when free-form messages may no
	// longer be sent.
	SkipOutsideWindow = "outside_window"
)

// invalid is a refusal of bad input.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{bot.ErrInvalid}, args...)...)
}

// langs are the languages the segment reaches: both when it names none.
func (s Segment) langs() []string {
	if len(s.Langs) == 0 {
		return []string{LangZH, LangEN}
	}
	return s.Langs
}

// check refuses a segment that cannot be meant; tiers is the shop's.
func (s Segment) check(tiers []string) error {
	for _, ch := range s.Channels {
		if ch == bot.Slack {
			return invalid("Slack is a staff channel, never a customer's")
		}
		if !slices.Contains(CustomerChannels(), ch) {
			return invalid("unknown channel %q (channels: %s)", ch, strings.Join(CustomerChannels(), ", "))
		}
	}
	for _, l := range s.Langs {
		if l != LangZH && l != LangEN {
			return invalid("unknown language %q (zh or en)", l)
		}
	}
	for _, t := range s.Tiers {
		if !slices.Contains(tiers, t) {
			return invalid("unknown tier %q", t)
		}
	}
	for _, t := range s.Tags {
		if strings.TrimSpace(t) == "" {
			return invalid("a tag is empty")
		}
	}
	if !s.LastOrderBefore.IsZero() && !s.LastOrderAfter.IsZero() && !s.LastOrderAfter.Before(s.LastOrderBefore) {
		return invalid("last_order_after must be before last_order_before")
	}
	if (s.MinSpent != nil && *s.MinSpent < 0) || (s.MaxSpent != nil && *s.MaxSpent < 0) {
		return invalid("spend bounds cannot be negative")
	}
	if s.MinSpent != nil && s.MaxSpent != nil && *s.MinSpent > *s.MaxSpent {
		return invalid("min_spent is above max_spent")
	}
	return nil
}

// check refuses a broadcast that cannot go out as written: a language of
// its segment without text, a schedule in the past, a picture that is no
// web address.
func (b *Broadcast) check(tiers []string, now time.Time) error {
	b.TextZH, b.TextEN = strings.TrimSpace(b.TextZH), strings.TrimSpace(b.TextEN)
	if err := b.Segment.check(tiers); err != nil {
		return err
	}
	for _, l := range b.Segment.langs() {
		if b.text(l) == "" {
			return invalid("the segment includes customers who read %s, but text_%s is empty", l, l)
		}
	}
	for _, t := range []string{b.TextZH, b.TextEN} {
		if utf8.RuneCountInString(t) > maxText {
			return invalid("a text is longer than %d characters", maxText)
		}
	}
	if b.ImageURL != "" && bot.PictureURL(b.ImageURL) == "" {
		return invalid("image_url must be an http or https address")
	}
	if !b.SendAt.IsZero() && b.SendAt.Before(now) {
		return invalid("send_at is in the past")
	}
	return nil
}

func (b *Broadcast) text(lang string) string {
	if lang == LangZH {
		return b.TextZH
	}
	return b.TextEN
}

// ErrTwoPeople refuses an approver approving their own broadcast when the
// shop requires two people.
var ErrTwoPeople = fmt.Errorf("%w: the shop requires two people: a broadcast is approved by someone other than who wrote it", bot.ErrForbidden)

// state refuses an action in a status it does not apply to; a decided
// broadcast says who decided.
func (b *Broadcast) state(action string, allowed ...Status) error {
	if slices.Contains(allowed, b.Status) {
		return nil
	}
	switch b.Status {
	case Approved, Sending, Sent, Rejected, Cancelled:
		if b.DecidedBy != "" {
			return &bot.DecidedError{Status: decidedVerb(b.Status), By: b.DecidedBy, At: b.DecidedAt}
		}
	}
	return &bot.StateError{Action: action, Status: string(b.Status)}
}

func decidedVerb(s Status) string {
	switch s {
	case Rejected:
		return "rejected"
	case Cancelled:
		return "cancelled"
	}
	return "approved"
}

// Submit asks for approval; audience is the segment's size now and must
// not be 0.
func (b *Broadcast) Submit(audience int, now time.Time) error {
	if err := b.state("submit", Draft); err != nil {
		return err
	}
	if !b.SendAt.IsZero() && b.SendAt.Before(now) {
		return invalid("send_at is in the past")
	}
	if audience == 0 {
		return invalid("the segment matches nobody who consented to promotions")
	}
	b.Status, b.Audience, b.SubmittedAt = Pending, audience, now
	return nil
}

// Approve lets the broadcast go out at its time; the creator may not
// approve it when twoPeople.
func (b *Broadcast) Approve(by string, twoPeople bool, now time.Time) error {
	if err := b.state("approve", Pending); err != nil {
		return err
	}
	if twoPeople && by == b.CreatedBy {
		return ErrTwoPeople
	}
	b.Status, b.DecidedBy, b.DecidedAt = Approved, by, now
	return nil
}

// Reject turns the broadcast down.
func (b *Broadcast) Reject(by string, now time.Time) error {
	if err := b.state("reject", Pending); err != nil {
		return err
	}
	b.Status, b.DecidedBy, b.DecidedAt = Rejected, by, now
	return nil
}

// Cancel stops the broadcast; one being sent stops after the batch being
// queued, and the messages queued already go out.
func (b *Broadcast) Cancel(by string, now time.Time) error {
	if err := b.state("cancel", Draft, Pending, Approved, Sending); err != nil {
		return err
	}
	b.Status, b.DecidedBy, b.DecidedAt = Cancelled, by, now
	return nil
}

// due reports whether the job should be sending it now.
func (b *Broadcast) due(now time.Time) bool {
	return b.Status == Sending || (b.Status == Approved && !b.SendAt.After(now))
}

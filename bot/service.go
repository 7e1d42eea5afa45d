package bot

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"time"
)

// Inbound is one customer event from any channel, already verified by its
// adapter. DedupKey is unique per platform event (Telegram update_id, Slack
// event_id, WeChat MsgId, a web chat client message id): a repeat returns
// the stored reply and changes nothing.
type Inbound struct {
	Channel     string
	UserID      string
	DisplayName string
	DedupKey    string
	Text        string
	Button      string
	Media       []string
	Phone       string
	LangHint    string
}

// StaffAction is a staff member pressing a card button. Ref and Version come
// from the card and are untrusted; Reason, Carrier, Tracking and Text carry
// what the action's Input asked for. DedupKey, when set, makes a platform's
// retry of the same event return ErrDuplicate and change nothing.
type StaffAction struct {
	Channel  string
	UserID   string
	DedupKey string
	Ref      string
	Action   string
	Version  int
	Reason   string
	Carrier  string
	Tracking string
	Text     string
	// Amount is a refund's amount in minor units (0: all that is left);
	// Reference is a payment's transfer reference.
	Amount    int64
	Reference string
}

// StaffResult is what a staff action did: the card as it is now, and a short
// note for the staff member who acted.
type StaffResult struct {
	Card Card
	Note string
	// refund is money to give back through a provider once the decision
	// is committed.
	refund *RefundRequest
	// close is an order cancelled unpaid to close at its payment provider
	// once the decision is committed.
	close *payClose
}

// Config is the service's settings.
type Config struct {
	// StaffChannels get a card for every new piece of work.
	StaffChannels []string
	// Currency is put before prices shown to customers.
	Currency string
	// Location is the shop's time zone: times shown to customers and staff,
	// and every "day", are in it; UTC when nil. Stored times stay UTC.
	Location *time.Location
	// ShopName is how the shop is named to customers and staff.
	ShopName string
	// StaffLang is the language of what staff read from the core (cards,
	// notes after an action): StaffLangEN, or Chinese for anything else,
	// as ORDERBOT_STAFF_LANG defaults to zh.
	StaffLang string
	// Clock returns the current time; time.Now when nil.
	Clock func() time.Time
	// ReplyHold delays the dispatcher's delivery of replies on a channel
	// that answers in the response to the platform's own request (WeChat's
	// passive reply): the adapter marks them replied in time, or the
	// dispatcher sends them once the hold is over. Replies with a picture
	// are not held: an answer in place carries one text, so the dispatcher
	// sends those at once.
	ReplyHold map[string]time.Duration
	// Courier takes replies straight to this replica's dispatcher (see
	// Courier); every message waits for a claim of the outbox when nil.
	Courier Courier
	// ContactButton names the channels that can share a customer's phone
	// number with a button (Telegram), so checkout offers it there.
	ContactButton map[string]bool
	// TextOnly names the channels that show options as numbered text, not
	// buttons (WeChat), so customers are not asked to tap.
	TextOnly map[string]bool
	// Membership gives customers their tiers and decides items by the
	// shop's approval rules; none when nil.
	Membership Membership
	// Care is consent to promotions and satisfaction surveys; none when nil.
	Care Care
	// Broadcasts takes the buttons of broadcasts' approval cards; none
	// when nil.
	Broadcasts Broadcasts
	// Pay is how the shop takes money: offline cash on delivery when zero.
	Pay PayConfig
	// Pricing adds shipping fees and coupons; none when nil.
	Pricing Pricing
	// Transcripts keeps what customers and staff say during handoffs; cards
	// show only the message at hand when nil.
	Transcripts Transcripts
	// ConsoleURL is the staff console's address, for links on cards, e.g.
	// "https://shop.example/staff"; "/staff" when empty.
	ConsoleURL string
}

// Service handles every inbound event and staff action in one transaction
// each and queues everything it sends in the outbox.
type Service struct {
	store Store
	log   *slog.Logger
	cfg   Config
	kick  func()
	// catalog is this replica's copy of the catalog, checked against the
	// database's catalog version on every use.
	catalog *catalogCache
}

// NewService wires the core. kick, when not nil, is called after every
// commit that queued messages a claim of the outbox must find, so that a
// dispatcher delivers them at once; replies the courier carries need none.
func NewService(store Store, log *slog.Logger, cfg Config, kick func()) *Service {
	if cfg.Clock == nil {
		cfg.Clock = time.Now
	}
	if cfg.Currency == "" {
		cfg.Currency = "¥"
	}
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Membership == nil {
		cfg.Membership = noMembership{}
	}
	if cfg.Care == nil {
		cfg.Care = noCare{}
	}
	if cfg.Broadcasts == nil {
		cfg.Broadcasts = noBroadcasts{}
	}
	if cfg.Pricing == nil {
		cfg.Pricing = noPricing{}
	}
	if cfg.Pay.Flow == "" {
		cfg.Pay.Flow = ApproveFirst
	}
	if len(cfg.Pay.Methods) == 0 {
		cfg.Pay.Methods = []PayMethod{PayCOD}
	}
	if cfg.Transcripts == nil {
		cfg.Transcripts = noTranscripts{}
	}
	if cfg.ConsoleURL == "" {
		cfg.ConsoleURL = "/staff"
	}
	if kick == nil {
		kick = func() {}
	}
	return &Service{store: store, log: log, cfg: cfg, kick: kick, catalog: &catalogCache{}}
}

func (s *Service) now() time.Time { return s.cfg.Clock().UTC() }

// Location is the shop's time zone.
func (s *Service) Location() *time.Location { return s.cfg.Location }

// Feed returns the messages queued for one recipient of a polling channel
// after the given message id.
func (s *Service) Feed(ctx context.Context, channel, recipient string, afterID int64) ([]*Message, error) {
	return s.store.Feed(ctx, channel, recipient, afterID, 100)
}

// StaffMember returns a staff identity (ErrNotFound when there is none).
func (s *Service) StaffMember(ctx context.Context, channel, userID string) (Staff, error) {
	return s.store.StaffMember(ctx, channel, userID)
}

// Secret returns a random 32-byte key stored under name, created on first
// use. Every replica gets the same key, so a session signed by one is
// accepted by all.
func (s *Service) Secret(ctx context.Context, name string) ([]byte, error) {
	fresh := make([]byte, 32)
	if _, err := rand.Read(fresh); err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	v, err := s.store.SetSettingIfAbsent(ctx, "secret:"+name, hex.EncodeToString(fresh))
	if err != nil {
		return nil, fmt.Errorf("secret %s: %w", name, err)
	}
	key, err := hex.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("secret %s: stored value is not hex: %w", name, err)
	}
	return key, nil
}

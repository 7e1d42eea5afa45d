package bot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/orderbot/orderbot/bot/logctx"
	"github.com/orderbot/orderbot/conversation"
)

// Limits on what a channel may pass in; adapters refuse larger input before
// it gets here, this is the backstop.
const (
	// maxInboundText is bytes, well above the conversation's own limit of
	// 500 characters (up to 2000 bytes of Chinese), so that the customer
	// is told in their language how long a message may be.
	maxInboundText = 16 << 10
	maxDedupKey    = 255
	maxButton      = 2000
	maxUserID      = 128
	recentOrders   = 20
)

func (in Inbound) validate() error {
	switch {
	case in.Channel == "" || in.UserID == "" || len(in.UserID) > maxUserID:
		return fmt.Errorf("%w: inbound needs a channel and a user id of at most %d bytes", ErrInvalid, maxUserID)
	case len(in.DedupKey) > maxDedupKey:
		return fmt.Errorf("%w: dedup key longer than %d bytes", ErrInvalid, maxDedupKey)
	case len(in.Text) > maxInboundText || len(in.Button) > maxButton:
		return fmt.Errorf("%w: message longer than %d bytes", ErrInvalid, maxInboundText)
	case !utf8.ValidString(in.Text) || !utf8.ValidString(in.Button):
		return fmt.Errorf("%w: message is not valid UTF-8", ErrInvalid)
	}
	return nil
}

// storedReply is what the inbound record keeps so that a repeated event gets
// the very reply the first one got.
type storedReply struct {
	ID      int64                 `json:"id"`
	Text    string                `json:"text"`
	Options []conversation.Option `json:"options,omitempty"`
	Lang    string                `json:"lang,omitempty"`
	Stale   bool                  `json:"stale,omitempty"`
	Image   string                `json:"image,omitempty"`
}

// HandleInbound runs one customer event through the conversation in one
// transaction: lock the customer (learning whether the event is a repeat),
// step, carry out the intent, save, queue the replies and any staff cards,
// record the event with its replies. It returns the replies (already in
// the outbox), or the stored ones when the event was seen before.
func (s *Service) HandleInbound(ctx context.Context, in Inbound) ([]*Message, error) {
	if err := in.validate(); err != nil {
		return nil, err
	}
	ctx = logctx.Scope(ctx)
	var replies []*Message
	var later effects
	queued := true
	err := s.store.InTx(ctx, func(tx Repo) error {
		var err error
		later = effects{}
		replies, err = s.handleInbound(ctx, tx, in, &later)
		queued = queuedForClaim(tx)
		return err
	})
	if errors.Is(err, errRepeat) {
		// The rolled-back transaction's provider calls must not run.
		later = effects{}
		replies, err = s.storedReplies(ctx, s.store, in)
	}
	if err != nil {
		return nil, fmt.Errorf("handle inbound %s: %w", in.Channel, err)
	}
	s.log.DebugContext(ctx, "inbound handled", "channel", in.Channel, "replies", len(replies))
	s.carry(replies)
	if queued {
		s.kick()
	}
	s.closeAtProvider(ctx, later.close)
	s.refundForRules(ctx, later.refunds)
	return replies, nil
}

// claimNoter is what a transaction's Repo may tell: whether it queued
// messages that only a claim of the outbox sends, as opposed to replies
// leased to the courier as they were written.
type claimNoter interface{ QueuedForClaim() bool }

// queuedForClaim reports whether the dispatcher must look at the outbox
// after tx commits; yes when tx cannot tell.
func queuedForClaim(tx Repo) bool {
	n, ok := tx.(claimNoter)
	return !ok || n.QueuedForClaim()
}

// effects are what a customer's step gives rise to beyond its reply.
type effects struct {
	// notices are what a rule decided at once, queued after the reply in
	// the same transaction.
	notices []conversation.Notice
	// close are orders cancelled unpaid to close at their payment
	// provider once the transaction is committed.
	close []payClose
	// refunds are the provider refunds of requests a rule approved, asked
	// for once the transaction is committed.
	refunds []RefundRequest
}

// errRepeat says an event was handled by another transaction while this
// one handled it too: this one is rolled back and the reply the other one
// gave is given again.
var errRepeat = errors.New("event handled meanwhile")

// handleInbound finds out whether the event is a repeat as it locks the
// customer, and records the event with its reply at the end, so that the
// dedup record costs one insert. A repeat running at the same time as the
// first (the customer's lock makes it wait for the first's commit) meets
// the record in that insert and rolls back all it did: nothing happens
// twice.
func (s *Service) handleInbound(ctx context.Context, tx Repo, in Inbound, later *effects) ([]*Message, error) {
	now := s.now()
	var courier string
	var until time.Time
	if s.cfg.Courier != nil {
		courier, until, _ = s.cfg.Courier.Lease()
	}
	lk, err := tx.LockForInbound(ctx, in.Channel, in.UserID, in.DedupKey, courier)
	if err != nil {
		return nil, fmt.Errorf("lock customer: %w", err)
	}
	if lk.Seen && in.DedupKey != "" {
		return decodeReplies(in, lk.Reply)
	}
	// The customer's tier is looked up only by a step that shows or uses
	// it (knowStanding): most messages do neither.
	c, line := lk.Customer, outboxLine{held: lk.Held, waiting: lk.Waiting, courier: courier, until: until}
	if replies, ok, err := s.answerForCare(ctx, tx, c, in, line, now); err != nil || ok {
		if err == nil && in.DedupKey != "" {
			err = s.storeReplies(ctx, tx, in.DedupKey, replies)
		}
		return replies, err
	}
	st := s.savedState(c)
	res, err := s.converse(ctx, tx, &c, lk.CatalogVersion, st, in, now, later)
	if err != nil {
		return nil, err
	}
	if st.WithStaff() && !res.State.WithStaff() {
		if err := s.knowStanding(ctx, tx, &c); err != nil { // the handoff's card shows it
			return nil, err
		}
		if err := s.endHandoff(ctx, tx, c, now); err != nil {
			return nil, err
		}
	}
	if err := s.saveCustomer(ctx, tx, lk.Customer, c, in, res.State, now); err != nil {
		return nil, err
	}
	replies, err := s.queueReplies(ctx, tx, c, res, line, now)
	if err != nil {
		return nil, err
	}
	// What a rule decided at once follows the reply that reports the step.
	for _, n := range later.notices {
		if err := s.notify(ctx, tx, c, n, now); err != nil {
			return nil, err
		}
	}
	if in.DedupKey != "" {
		if err := s.storeReplies(ctx, tx, in.DedupKey, replies); err != nil {
			return nil, err
		}
	}
	return replies, nil
}

// savedState is the customer's conversation as last saved.
func (s *Service) savedState(c Customer) conversation.State {
	var st conversation.State
	if len(c.Conversation) == 0 {
		return st
	}
	if err := json.Unmarshal(c.Conversation, &st); err != nil {
		// A state saved by an older version that no longer parses must not
		// lock the customer out: start again at the menu.
		s.log.Warn("conversation state unreadable, starting over", "customer", c.ID, "err", err)
		return conversation.State{}
	}
	return st
}

// converse runs the conversation step and, when it asks for a change,
// carries it out and adds the words that report how it went. Notices the
// change gives rise to are added to later. catalogVersion is the one the
// customer's lock read.
func (s *Service) converse(ctx context.Context, tx Repo, c *Customer, catalogVersion int64, st conversation.State, in Inbound, now time.Time, later *effects) (conversation.Result, error) {
	input := conversation.Input{
		Text: in.Text, Button: in.Button, Media: in.Media, Phone: in.Phone,
		Lang: conversation.ParseLang(in.LangHint),
	}
	named := conversation.OrdersNamed(st, input)
	e := s.newEnv(tx, c, catalogVersion, now, named)
	var err error
	if e.env.Quote, err = s.cartQuote(ctx, e, st, now); err != nil {
		return conversation.Result{}, err
	}
	res, err := s.run(ctx, e, func(env conversation.Env) conversation.Result { return conversation.Step(env, st, input) })
	if err != nil || res.Intent == nil {
		return res, err
	}
	// A change may show the tier on a card, price by it or be approved by
	// a rule of it.
	if err := s.knowStanding(ctx, tx, c); err != nil {
		return conversation.Result{}, err
	}
	out, err := s.apply(ctx, tx, c, res.Intent, e, now, later)
	if err != nil {
		return conversation.Result{}, err
	}
	// The outcome changed what the customer has (a new order, a request,
	// stock): what the words about it look at is loaded afresh.
	named = append(named, conversation.OrdersNamed(res.State, conversation.Input{})...)
	quote := e.env.Quote
	e = s.newEnv(tx, c, catalogVersion, now, named)
	e.env.Quote = quote
	more, err := s.run(ctx, e, func(env conversation.Env) conversation.Result {
		return conversation.Resolve(env, res.State, res.Intent, out)
	})
	if err != nil {
		return conversation.Result{}, err
	}
	return conversation.Result{State: more.State, Replies: append(res.Replies, more.Replies...), StaleButton: res.StaleButton}, nil
}

// carry hands the replies leased to the courier over to it, once their
// transaction has committed.
func (s *Service) carry(replies []*Message) {
	var leased []*Message
	for _, m := range replies {
		if m.LeasedTo != "" {
			leased = append(leased, m)
		}
	}
	if len(leased) > 0 {
		s.cfg.Courier.Carry(leased)
	}
}

// outboxLine is what the customer's lock found waiting for them.
type outboxLine struct {
	held bool // messages the platform would not take earlier
	// waiting: any message not yet delivered, held ones included, other
	// than those leased to the courier.
	waiting bool
	// courier and until lease replies to the courier ("": none now).
	courier string
	until   time.Time
}

// queueReplies writes the step's replies to the outbox, after any messages
// the platform would not take earlier, which go out with them. When
// nothing else waits for the customer and the replies are due at once,
// they are leased to the courier as they are written (see Courier), and
// HandleInbound hands them over after the commit.
func (s *Service) queueReplies(ctx context.Context, tx Repo, c Customer, res conversation.Result, line outboxLine, now time.Time) ([]*Message, error) {
	due := now.Add(s.cfg.ReplyHold[c.Channel])
	for _, r := range res.Replies {
		if r.Image != "" {
			due = now // see Config.ReplyHold
		}
	}
	var released []*Message
	if line.held {
		var err error
		if released, err = tx.ReleaseHeld(ctx, c.Channel, c.UserID, due); err != nil {
			return nil, err
		}
	}
	var owner string
	var until time.Time
	if !line.waiting && due.Equal(now) {
		owner, until = line.courier, line.until
	}
	fresh := make([]*Message, 0, len(res.Replies))
	for _, r := range res.Replies {
		fresh = append(fresh, &Message{
			Channel: c.Channel, Recipient: c.UserID, Kind: KindReply, Text: r.Text,
			Options: r.Options, Lang: string(res.State.Lang), NextAt: due, CreatedAt: now,
			Stale: res.StaleButton, ImageURL: r.Image, LeasedTo: owner, LeaseUntil: until,
		})
	}
	if err := tx.Enqueue(ctx, fresh); err != nil {
		return nil, fmt.Errorf("queue replies: %w", err)
	}
	return append(released, fresh...), nil
}

// saveCustomer saves the customer's conversation after a step, and what
// else the step changed since was (the customer as locked): most steps
// change the conversation only.
func (s *Service) saveCustomer(ctx context.Context, tx Repo, was, c Customer, in Inbound, st conversation.State, now time.Time) error {
	raw, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("encode conversation: %w", err)
	}
	c.Conversation = raw
	c.Lang = string(st.Lang)
	c.LastInboundAt = now
	c.Unreachable = false // they just wrote to us
	if in.DisplayName != "" {
		c.DisplayName = in.DisplayName
	}
	if c.Name != was.Name || c.Phone != was.Phone || c.Address != was.Address {
		err = tx.UpdateCustomer(ctx, c)
	} else {
		err = tx.SaveConversation(ctx, c, c.DisplayName != was.DisplayName)
	}
	if err != nil {
		return fmt.Errorf("save customer: %w", err)
	}
	return nil
}

func (s *Service) storeReplies(ctx context.Context, tx Repo, key string, replies []*Message) error {
	stored := make([]storedReply, len(replies))
	for i, m := range replies {
		stored[i] = storedReply{ID: m.ID, Text: m.Text, Options: m.Options, Lang: m.Lang, Stale: m.Stale, Image: m.ImageURL}
	}
	raw, err := json.Marshal(stored)
	if err != nil {
		return fmt.Errorf("encode replies: %w", err)
	}
	err = tx.RecordInboundReply(ctx, key, s.now(), raw)
	if errors.Is(err, ErrDuplicate) {
		return errRepeat
	}
	if err != nil {
		return fmt.Errorf("store replies: %w", err)
	}
	return nil
}

func (s *Service) storedReplies(ctx context.Context, tx Repo, in Inbound) ([]*Message, error) {
	raw, err := tx.InboundReply(ctx, in.DedupKey)
	if err != nil {
		return nil, fmt.Errorf("stored reply: %w", err)
	}
	return decodeReplies(in, raw)
}

// decodeReplies are the replies stored for the event as messages.
func decodeReplies(in Inbound, raw []byte) ([]*Message, error) {
	var stored []storedReply
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &stored); err != nil {
			return nil, fmt.Errorf("decode stored reply: %w", err)
		}
	}
	out := make([]*Message, len(stored))
	for i, r := range stored {
		out[i] = &Message{ID: r.ID, Channel: in.Channel, Recipient: in.UserID, Kind: KindReply, Text: r.Text, Options: r.Options, Lang: r.Lang, Stale: r.Stale, ImageURL: r.Image}
	}
	return out, nil
}

// Package handoff keeps the transcripts of human handoffs: every message a
// customer writes while talking to a person, on whatever channel, and every
// answer staff give from Slack, the Telegram group or the console. The
// text stays behind this package's narrow Repo (one column of one table),
// so that how it is kept can change without the core or the console
// noticing.
package handoff

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/orderbot/orderbot/bot"
)

// maxText bounds one line: well above what a customer (500 characters) or
// staff (1000) may send, a backstop against a caller that checked nothing.
const maxText = 4000

// MaxPage is the most lines one read returns.
const MaxPage = 200

// Query selects lines of one handoff or of every handoff of one customer.
// Pages go by line id: the oldest lines above AfterID, or with Newest the
// newest below BeforeID (all of them when 0), returned oldest first either
// way.
type Query struct {
	HandoffID  int64
	CustomerID int64
	// FromHandoff leaves out the customer's handoffs before this one.
	FromHandoff int64
	Newest      bool
	BeforeID    int64
	AfterID     int64
	Limit       int
}

// Repo is the storage transcripts need; the store's Repo implements it
// beside bot.Repo, in and out of transactions.
type Repo interface {
	AddHandoffLine(ctx context.Context, l *bot.HandoffLine) error
	// HandoffLines returns the lines q selects, oldest first.
	HandoffLines(ctx context.Context, q Query) ([]bot.HandoffLine, error)
}

// Service records and reads transcripts; it is the core's bot.Transcripts.
type Service struct {
	repo Repo
}

var _ bot.Transcripts = (*Service)(nil)

// New returns the transcripts kept in repo, which is used for reads
// outside a transaction (the console's pages).
func New(repo Repo) *Service { return &Service{repo: repo} }

func repoOf(tx bot.Repo) (Repo, error) {
	r, ok := tx.(Repo)
	if !ok {
		return nil, fmt.Errorf("handoff: storage %T keeps no transcripts", tx)
	}
	return r, nil
}

// AddLine records l in tx and sets its ID.
func (s *Service) AddLine(ctx context.Context, tx bot.Repo, l *bot.HandoffLine) error {
	r, err := repoOf(tx)
	if err != nil {
		return err
	}
	switch {
	case l.HandoffID < 1 || l.CustomerID < 1:
		return fmt.Errorf("%w: a line needs its handoff and customer", bot.ErrInvalid)
	case l.Author != bot.LineCustomer && l.Author != bot.LineStaff:
		return fmt.Errorf("%w: a line is the customer's or staff's, not %q", bot.ErrInvalid, l.Author)
	case strings.TrimSpace(l.Text) == "" && l.Photos == 0:
		return fmt.Errorf("%w: an empty line", bot.ErrInvalid)
	}
	if utf8.RuneCountInString(l.Text) > maxText {
		l.Text = string([]rune(l.Text)[:maxText-1]) + "…"
	}
	if err := r.AddHandoffLine(ctx, l); err != nil {
		return fmt.Errorf("add line to handoff %d: %w", l.HandoffID, err)
	}
	return nil
}

// LastLines returns the handoff's latest n lines, oldest first, and
// whether earlier ones exist.
func (s *Service) LastLines(ctx context.Context, tx bot.Repo, handoffID int64, n int) ([]bot.HandoffLine, bool, error) {
	r, err := repoOf(tx)
	if err != nil {
		return nil, false, err
	}
	lines, err := r.HandoffLines(ctx, Query{HandoffID: handoffID, Newest: true, Limit: n + 1})
	if err != nil {
		return nil, false, fmt.Errorf("lines of handoff %d: %w", handoffID, err)
	}
	if len(lines) > n {
		return lines[1:], true, nil
	}
	return lines, false, nil
}

// Lines returns a page of lines, oldest first; q needs a handoff or a
// customer, and a Limit of 1 to MaxPage.
func (s *Service) Lines(ctx context.Context, q Query) ([]bot.HandoffLine, error) {
	if (q.HandoffID < 1 && q.CustomerID < 1) || q.Limit < 1 || q.Limit > MaxPage || (q.BeforeID != 0 && q.AfterID != 0) {
		return nil, fmt.Errorf("%w: a page of lines needs a handoff or customer and 1-%d lines", bot.ErrInvalid, MaxPage)
	}
	lines, err := s.repo.HandoffLines(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("handoff lines: %w", err)
	}
	return lines, nil
}

// Package crm keeps what staff know about a customer beyond their orders:
// free tags ("wholesale", "vip") and a note. Any staff member may change
// them; every change is audited. The admin API and the console call it.
package crm

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/orderbot/orderbot/bot"
)

// Limits on tags and notes: labels and a few lines, not documents.
const (
	maxTags     = 20
	maxTagRunes = 32
	maxNote     = 2000
)

// Note is the staff's note on a customer, with who wrote it last and when.
type Note struct {
	CustomerID int64
	Text       string
	By         string
	At         time.Time
}

// Repo is the storage tags and notes need; the store's transaction Repo
// implements it beside bot.Repo.
type Repo interface {
	// CustomerTags returns the customer's tags, sorted.
	CustomerTags(ctx context.Context, customerID int64) ([]string, error)
	ReplaceCustomerTags(ctx context.Context, customerID int64, tags []string) error
	// CustomerNote returns the note (bot.ErrNotFound when there is none).
	CustomerNote(ctx context.Context, customerID int64) (Note, error)
	SaveCustomerNote(ctx context.Context, n Note) error
}

// Store runs transactions whose Repo also keeps tags and notes.
type Store interface {
	InTx(ctx context.Context, fn func(tx bot.Repo) error) error
}

// Service changes and reads tags and notes.
type Service struct {
	store Store
	clock func() time.Time
}

// New returns the service; clock is time.Now when nil.
func New(store Store, clock func() time.Time) *Service {
	if clock == nil {
		clock = time.Now
	}
	return &Service{store: store, clock: clock}
}

func (s *Service) inTx(ctx context.Context, fn func(tx bot.Repo, r Repo) error) error {
	return s.store.InTx(ctx, func(tx bot.Repo) error {
		r, ok := tx.(Repo)
		if !ok {
			return fmt.Errorf("crm: storage %T keeps no tags or notes", tx)
		}
		return fn(tx, r)
	})
}

func staffOnly(staff bot.Staff) error {
	if !staff.Role.AtLeast(bot.Agent) {
		return fmt.Errorf("%w: only staff change tags and notes", bot.ErrForbidden)
	}
	return nil
}

// CleanTags trims tags, drops empty ones and repeats (ignoring case), and
// sorts them; a tag too long, with control characters or commas, or too
// many tags, is bot.ErrInvalid.
func CleanTags(tags []string) ([]string, error) {
	seen := map[string]bool{}
	out := []string{}
	for _, t := range tags {
		t = strings.TrimSpace(t)
		switch {
		case t == "" || seen[strings.ToLower(t)]:
			continue
		case !utf8.ValidString(t) || utf8.RuneCountInString(t) > maxTagRunes:
			return nil, fmt.Errorf("%w: a tag is 1-%d characters", bot.ErrInvalid, maxTagRunes)
		case strings.ContainsFunc(t, func(r rune) bool { return unicode.IsControl(r) || r == ',' }):
			return nil, fmt.Errorf("%w: tag %q has a comma or a control character", bot.ErrInvalid, t)
		}
		seen[strings.ToLower(t)] = true
		out = append(out, t)
	}
	if len(out) > maxTags {
		return nil, fmt.Errorf("%w: at most %d tags", bot.ErrInvalid, maxTags)
	}
	slices.Sort(out)
	return out, nil
}

// Tags returns the customer's tags, sorted.
func (s *Service) Tags(ctx context.Context, customerID int64) ([]string, error) {
	var tags []string
	err := s.inTx(ctx, func(_ bot.Repo, r Repo) error {
		var err error
		tags, err = r.CustomerTags(ctx, customerID)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("tags of customer %d: %w", customerID, err)
	}
	return tags, nil
}

// SetTags replaces the customer's tags and audits the change.
func (s *Service) SetTags(ctx context.Context, staff bot.Staff, customerID int64, tags []string) error {
	if err := staffOnly(staff); err != nil {
		return err
	}
	clean, err := CleanTags(tags)
	if err != nil {
		return err
	}
	err = s.inTx(ctx, func(tx bot.Repo, r Repo) error {
		if _, err := tx.Customer(ctx, customerID); err != nil {
			return err
		}
		old, err := r.CustomerTags(ctx, customerID)
		if err != nil || slices.Equal(old, clean) {
			return err
		}
		if err := r.ReplaceCustomerTags(ctx, customerID, clean); err != nil {
			return err
		}
		return tx.AddAudit(ctx, bot.AuditEntry{
			Actor: staff.Actor(), Entity: "customer", Ref: strconv.FormatInt(customerID, 10), Action: "tags",
			From: fit(strings.Join(old, ", ")), To: fit(strings.Join(clean, ", ")), At: s.clock().UTC(),
		})
	})
	if err != nil {
		return fmt.Errorf("tags of customer %d: %w", customerID, err)
	}
	return nil
}

// fit shortens a value to what an audit column holds (255 bytes), cutting
// between characters.
func fit(s string) string {
	if len(s) <= 255 {
		return s
	}
	cut := 252
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// Note returns the staff's note on the customer; an empty Note when none.
func (s *Service) Note(ctx context.Context, customerID int64) (Note, error) {
	var n Note
	err := s.inTx(ctx, func(_ bot.Repo, r Repo) error {
		var err error
		n, err = r.CustomerNote(ctx, customerID)
		if errors.Is(err, bot.ErrNotFound) {
			n, err = Note{CustomerID: customerID}, nil
		}
		return err
	})
	if err != nil {
		return Note{}, fmt.Errorf("note on customer %d: %w", customerID, err)
	}
	return n, nil
}

// SetNote replaces the note on the customer and audits it, the whole text
// in the audit entry, so that every earlier version can be read back.
func (s *Service) SetNote(ctx context.Context, staff bot.Staff, customerID int64, text string) error {
	if err := staffOnly(staff); err != nil {
		return err
	}
	text = strings.TrimSpace(text)
	if !utf8.ValidString(text) || utf8.RuneCountInString(text) > maxNote {
		return fmt.Errorf("%w: a note is at most %d characters", bot.ErrInvalid, maxNote)
	}
	now := s.clock().UTC()
	err := s.inTx(ctx, func(tx bot.Repo, r Repo) error {
		if _, err := tx.Customer(ctx, customerID); err != nil {
			return err
		}
		if err := r.SaveCustomerNote(ctx, Note{CustomerID: customerID, Text: text, By: staff.Actor(), At: now}); err != nil {
			return err
		}
		return tx.AddAudit(ctx, bot.AuditEntry{
			Actor: staff.Actor(), Entity: "customer", Ref: strconv.FormatInt(customerID, 10), Action: "note",
			Note: text, At: now,
		})
	})
	if err != nil {
		return fmt.Errorf("note on customer %d: %w", customerID, err)
	}
	return nil
}

package webchat

import (
	"context"
	"fmt"
	"net/http"
	"strconv"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/handoff"
)

// Transcripts is what the console reads of handoff conversations.
type Transcripts interface {
	// Lines returns a page of lines, oldest first.
	Lines(ctx context.Context, q handoff.Query) ([]bot.HandoffLine, error)
}

// Page sizes of conversations: the customer page shows the end of each
// handoff, the transcripts page a longer stretch.
const (
	handoffTail     = 20
	transcriptsPage = 100
)

// handoffLines loads the end of a handoff's conversation for the customer
// page; earlier reports that it has more.
func (h *Handler) handoffLines(ctx context.Context, handoffID int64) (lines []bot.HandoffLine, earlier bool, err error) {
	if h.opts.Transcripts == nil {
		return nil, false, nil
	}
	lines, err = h.opts.Transcripts.Lines(ctx, handoff.Query{HandoffID: handoffID, Newest: true, Limit: handoffTail + 1})
	if err != nil {
		return nil, false, fmt.Errorf("lines of handoff %d: %w", handoffID, err)
	}
	if len(lines) > handoffTail {
		return lines[1:], true, nil
	}
	return lines, false, nil
}

type transcriptLine struct {
	bot.HandoffLine
	// NewHandoff marks the first line shown of a handoff.
	NewHandoff bool
}

type transcriptsPageData struct {
	V        *viewer
	Customer bot.Customer
	Name     string
	Lines    []transcriptLine
	Earlier  string
	Later    string
}

// transcriptsPage shows every handoff conversation of a customer, paged by
// line: the newest by default, from one handoff on with ?handoff= (the
// link on staff cards), and the lines before or after a page with
// ?before= or ?after=.
func (h *Handler) transcriptsPage(r *http.Request, vw *viewer) (string, any, error) {
	v, err := query(r)
	if err != nil {
		return "", nil, err
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 || h.opts.Transcripts == nil {
		return "", nil, errNoPage
	}
	q := handoff.Query{CustomerID: id, Newest: true, Limit: transcriptsPage + 1}
	for _, p := range []struct {
		name string
		dst  *int64
	}{{"handoff", &q.FromHandoff}, {"before", &q.BeforeID}, {"after", &q.AfterID}} {
		s := v.Get(p.name)
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 1 {
			return "", nil, invalidParam("%s must be the number of a page link", p.name)
		}
		*p.dst = n
	}
	if q.AfterID > 0 && q.BeforeID > 0 {
		return "", nil, invalidParam("before and after cannot both be given")
	}
	q.Newest = q.FromHandoff == 0 && q.AfterID == 0
	ctx := r.Context()
	cs, err := h.opts.Records.CustomersByID(ctx, []int64{id})
	if err != nil {
		return "", nil, fmt.Errorf("customer %d: %w", id, err)
	}
	if len(cs) == 0 {
		return "", nil, errNoPage
	}
	lines, err := h.opts.Transcripts.Lines(ctx, q)
	if err != nil {
		return "", nil, fmt.Errorf("transcripts of customer %d: %w", id, err)
	}
	page := transcriptsPageData{V: vw, Customer: cs[0], Name: customerName(cs[0], nil)}
	more := len(lines) > transcriptsPage
	if more && q.Newest {
		lines = lines[1:]
	} else if more {
		lines = lines[:transcriptsPage]
	}
	if len(lines) > 0 {
		base := fmt.Sprintf("/staff/customers/%d/transcripts", id)
		if (q.Newest && more) || (!q.Newest && (q.AfterID > 0 || q.FromHandoff > 0)) {
			page.Earlier = fmt.Sprintf("%s?before=%d", base, lines[0].ID)
		}
		if (!q.Newest && more) || q.BeforeID > 0 {
			page.Later = fmt.Sprintf("%s?after=%d", base, lines[len(lines)-1].ID)
		}
	}
	for i, l := range lines {
		page.Lines = append(page.Lines, transcriptLine{HandoffLine: l, NewHandoff: i == 0 || lines[i-1].HandoffID != l.HandoffID})
	}
	return "transcripts", page, nil
}

// LineAuthor is who wrote a line, as staff read it.
func (v *viewer) LineAuthor(l bot.HandoffLine) string {
	if l.Author == bot.LineStaff {
		return v.Actor(l.Actor)
	}
	return v.T("Customer")
}

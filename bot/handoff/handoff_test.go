package handoff_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/handoff"
)

// fakeRepo keeps lines in memory; it is a bot.Repo only by its embedded
// nil interface, which the service never calls.
type fakeRepo struct {
	bot.Repo
	lines []bot.HandoffLine
}

func (f *fakeRepo) AddHandoffLine(_ context.Context, l *bot.HandoffLine) error {
	l.ID = int64(len(f.lines) + 1)
	f.lines = append(f.lines, *l)
	return nil
}

func (f *fakeRepo) HandoffLines(_ context.Context, q handoff.Query) ([]bot.HandoffLine, error) {
	var out []bot.HandoffLine
	for _, l := range f.lines {
		if l.HandoffID == q.HandoffID {
			out = append(out, l)
		}
	}
	if q.Newest && len(out) > q.Limit {
		out = out[len(out)-q.Limit:]
	}
	return out, nil
}

func TestAddLineChecksAndClips(t *testing.T) {
	ctx := context.Background()
	repo := &fakeRepo{}
	s := handoff.New(repo)
	for _, tt := range []struct {
		name string
		line bot.HandoffLine
	}{
		{"no handoff", bot.HandoffLine{CustomerID: 1, Author: bot.LineCustomer, Text: "hi"}},
		{"unknown author", bot.HandoffLine{HandoffID: 1, CustomerID: 1, Author: "bot", Text: "hi"}},
		{"empty", bot.HandoffLine{HandoffID: 1, CustomerID: 1, Author: bot.LineStaff, Text: "  "}},
	} {
		if err := s.AddLine(ctx, repo, &tt.line); !errors.Is(err, bot.ErrInvalid) {
			t.Errorf("%s: %v", tt.name, err)
		}
	}
	photo := bot.HandoffLine{HandoffID: 1, CustomerID: 1, Author: bot.LineCustomer, Photos: 1}
	long := bot.HandoffLine{HandoffID: 1, CustomerID: 1, Author: bot.LineCustomer, Text: strings.Repeat("茶", 5000)}
	for _, l := range []*bot.HandoffLine{&photo, &long} {
		if err := s.AddLine(ctx, repo, l); err != nil {
			t.Fatal(err)
		}
	}
	if len(repo.lines) != 2 || utf8.RuneCountInString(repo.lines[1].Text) != 4000 || !strings.HasSuffix(repo.lines[1].Text, "…") {
		t.Fatalf("kept %d lines, the long one %d characters", len(repo.lines), utf8.RuneCountInString(long.Text))
	}
	lines, earlier, err := s.LastLines(ctx, repo, 1, 1)
	if err != nil || len(lines) != 1 || !earlier || lines[0].ID != 2 {
		t.Fatalf("last line %+v, earlier %v, %v", lines, earlier, err)
	}
	if _, _, err := s.LastLines(ctx, struct{ bot.Repo }{}, 1, 1); err == nil {
		t.Fatal("a storage without transcripts was used")
	}
}

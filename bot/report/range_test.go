package report

import (
	"errors"
	"testing"
	"time"
)

func TestParseRange(t *testing.T) {
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	// 2026-03-10 17:00 UTC is already the 11th in Shanghai: yesterday is the 10th.
	now := time.Date(2026, 3, 10, 17, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		from, to         string
		wantFrom, wantTo string
		wantFlag         string
	}{
		{"", "", "2026-03-10", "2026-03-10", ""},
		{"2026-03-01", "", "2026-03-01", "2026-03-01", ""},
		{"", "2026-03-05", "2026-03-05", "2026-03-05", ""},
		{"2025-03-01", "2026-03-01", "2025-03-01", "2026-03-01", ""}, // 366 days
		{"2025-02-28", "2026-03-01", "", "", "to"},                   // 367 days
		{"2026-03-02", "2026-03-01", "", "", "from"},
		{"2026-3-1", "", "", "", "from"},
		{"", "yesterday", "", "", "to"},
		{"2026-02-30", "", "", "", "from"},
	} {
		r, err := ParseRange(tc.from, tc.to, loc, now)
		var fe *FlagError
		switch {
		case tc.wantFlag != "":
			if !errors.As(err, &fe) || fe.Flag != tc.wantFlag {
				t.Errorf("ParseRange(%q, %q) err = %v, want one naming %s", tc.from, tc.to, err, tc.wantFlag)
			}
		case err != nil:
			t.Errorf("ParseRange(%q, %q): %v", tc.from, tc.to, err)
		case r.From.String() != tc.wantFrom || r.To.String() != tc.wantTo:
			t.Errorf("ParseRange(%q, %q) = %s..%s, want %s..%s", tc.from, tc.to, r.From, r.To, tc.wantFrom, tc.wantTo)
		}
	}
}

func TestRangeBoundsFollowDST(t *testing.T) {
	loc, err := time.LoadLocation("Europe/London")
	if err != nil {
		t.Fatal(err)
	}
	// 2026-03-29 has 23 hours in London.
	r := Day(Date{2026, 3, 29}, loc)
	if got := r.End().Sub(r.Start()); got != 23*time.Hour {
		t.Errorf("day length = %v, want 23h", got)
	}
	if !r.Start().Equal(time.Date(2026, 3, 29, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("start = %v", r.Start())
	}
}

package care_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/orderbot/orderbot/bot/report"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestReportSatisfaction(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st, 0)
		ctx := context.Background()
		day := report.DateOf(s.clock.Now(), s.clock.Now().Location())
		rng := report.Range{From: day, To: day, Loc: s.clock.Now().Location()}
		rep, err := report.Compute(ctx, st, rng)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Summary.CSATAverage != nil || rep.Summary.CSATResponseRate != nil {
			t.Fatalf("no surveys, yet %v %v", rep.Summary.CSATAverage, rep.Summary.CSATResponseRate)
		}
		// Three customers surveyed: scores 5 and 2, one silent.
		for i, score := range []int{5, 2, 0} {
			user := fmt.Sprintf("u%d", i)
			_, o := s.order(user)
			s.press(user, "consent_no")
			s.deliver(o)
			if s.sendDue() != 1 {
				t.Fatal("no survey")
			}
			if score > 0 {
				s.press(user, fmt.Sprintf("survey:%d:%d", surveyID(t, s.surveys(user)[0]), score))
			}
		}
		if rep, err = report.Compute(ctx, st, rng); err != nil {
			t.Fatal(err)
		}
		sum, web := rep.Summary, rep.ByChannel["webchat"]
		for _, got := range []report.Summary{sum, web} {
			if got.CSATAverage == nil || *got.CSATAverage != 3.5 || got.CSATResponseRate == nil || *got.CSATResponseRate != 0.6667 {
				t.Fatalf("csat %v %v", got.CSATAverage, got.CSATResponseRate)
			}
		}
	})
}

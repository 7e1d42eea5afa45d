package care_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// unhappy takes a customer from an order to a score of 1 and returns the
// survey's id.
func (s *shop) unhappy(user string) int64 {
	s.t.Helper()
	_, o := s.order(user)
	s.press(user, "consent_no")
	s.deliver(o)
	if n := s.sendDue(); n != 1 {
		s.t.Fatalf("%d surveys for %s", n, user)
	}
	id := surveyID(s.t, s.surveys(user)[0])
	s.press(user, fmt.Sprintf("survey:%d:1", id))
	return id
}

// TestUnhappyCardsInWorkQueue reloads the staff work queue the way the
// console does (the store's pages, then the core's cards) and finds each
// open unhappy customer's card once, oldest first, counted, across pages;
// a happy customer gives none, and a closed card leaves the queue.
func TestUnhappyCardsInWorkQueue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newShop(t, st, 0)
		var ids []int64
		for i := range 3 {
			ids = append(ids, s.unhappy(fmt.Sprint("sad", i)))
			s.clock.Add(time.Minute)
		}
		_, o := s.order("glad")
		s.press("glad", "consent_no")
		s.deliver(o)
		s.sendDue()
		s.press("glad", fmt.Sprintf("survey:%d:5", surveyID(t, s.surveys("glad")[0])))

		counts, err := st.WorkCounts(ctx)
		if err != nil || counts[bot.WorkSurvey] != 3 {
			t.Fatalf("counts %v, %v", counts, err)
		}
		var got []int64
		q := bot.WorkQuery{Kind: bot.WorkSurvey, Limit: 2}
		for range 3 {
			page, err := st.WorkQueue(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			cards, err := s.svc.WorkCards(ctx, page)
			if err != nil {
				t.Fatal(err)
			}
			for i, c := range cards {
				if c.Ref != fmt.Sprintf("survey:%d", page[i].ID) || field(c.Card, "Score") != "1 / 5" ||
					!strings.HasPrefix(c.Title, "Unhappy customer") || len(c.Actions) != 1 || c.CustomerID == 0 {
					t.Fatalf("card of %+v: %+v", page[i], c)
				}
				got = append(got, page[i].ID)
			}
			if len(page) < q.Limit {
				break
			}
			q.After = &page[len(page)-1]
		}
		if fmt.Sprint(got) != fmt.Sprint(ids) {
			t.Fatalf("queue holds surveys %v, want %v", got, ids)
		}
		// Every kind together still holds them.
		all, err := st.WorkQueue(ctx, bot.WorkQuery{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, it := range all {
			if it.Kind == bot.WorkSurvey {
				n++
			}
		}
		if n != 3 {
			t.Fatalf("%d survey items among all work %v", n, all)
		}

		if _, err := s.act(agent, fmt.Sprintf("survey:%d", ids[0]), bot.ActClose, 0); err != nil {
			t.Fatal(err)
		}
		page, err := st.WorkQueue(ctx, bot.WorkQuery{Kind: bot.WorkSurvey, Limit: 10})
		if err != nil || len(page) != 2 || page[0].ID != ids[1] {
			t.Fatalf("after closing %d: %v, %v", ids[0], page, err)
		}
	})
}

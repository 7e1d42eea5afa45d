package care_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/care"
	"github.com/orderbot/orderbot/conversation"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// surveyID is the id in the survey question's first option.
func surveyID(t *testing.T, m *bot.Message) int64 {
	t.Helper()
	id, _, ok := conversation.SurveyButton(m.Options[0].Key)
	if !ok {
		t.Fatalf("option %q", m.Options[0].Key)
	}
	return id
}

func TestSurveySentOnceAfterTheDelay(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st, 24*time.Hour)
		_, o := s.order("u1")
		s.press("u1", "consent_no")
		if n := s.sendDue(); n != 0 {
			t.Fatalf("%d surveys before delivery", n)
		}
		s.deliver(o)
		s.clock.Add(23 * time.Hour)
		if n := s.sendDue(); n != 0 {
			t.Fatalf("%d surveys before the delay passed", n)
		}
		s.clock.Add(time.Hour)
		if n := s.sendDue(); n != 1 {
			t.Fatalf("%d surveys after the delay", n)
		}
		// A second run, as another replica's, sends nothing more.
		if n, n2 := s.sendDue(), len(s.surveys("u1")); n != 0 || n2 != 1 {
			t.Fatalf("second run sent %d, %d questions queued", n, n2)
		}
		q := s.surveys("u1")[0]
		if !strings.Contains(q.Text, o.Number) || q.Options[4].Label != "Great" {
			t.Fatalf("question %q %+v", q.Text, q.Options)
		}
		id := surveyID(t, q)
		if got := s.press("u1", fmt.Sprintf("survey:%d:5", id)); !strings.Contains(got, "Thank you for rating us") {
			t.Fatalf("press 5: %q", got)
		}
		if got := s.say("u1", "Lovely tea, fast delivery"); !strings.Contains(got, "passed your comments on") {
			t.Fatalf("comment: %q", got)
		}
		// A late press of the old question counts once.
		if got := s.press("u1", fmt.Sprintf("survey:%d:1", id)); !strings.Contains(got, "already have your rating") {
			t.Fatalf("second press: %q", got)
		}
		sv := s.survey(id)
		if sv.Score != 5 || sv.Comment != "Lovely tea, fast delivery" || sv.CardOpen || sv.Stage != care.StageDone {
			t.Fatalf("survey %+v", sv)
		}
		if _, n := s.lastCard(fmt.Sprintf("survey:%d", id)); n != 0 {
			t.Fatalf("a happy customer got %d cards", n)
		}
		// The menu works as before once the survey is done.
		if got := s.say("u1", "5"); strings.Contains(got, "rating") {
			t.Fatalf("5 after the survey: %q", got)
		}
	})
}

func TestSurveyTypedAnswers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st, 0)
		_, o := s.order("u1")
		s.press("u1", "consent_no")
		s.say("u1", "中文")
		s.deliver(o)
		if n := s.sendDue(); n != 1 {
			t.Fatalf("%d surveys with no delay", n)
		}
		q := s.surveys("u1")[0]
		id := surveyID(t, q)
		if !strings.Contains(q.Text, "请为我们打分") || q.Options[0].Label != "很不满意" {
			t.Fatalf("question %q %+v", q.Text, q.Options)
		}
		for _, bad := range []string{"0", "6"} {
			if got := s.say("u1", bad); !strings.Contains(got, "请回复 1 到 5") {
				t.Fatalf("%s answered %q", bad, got)
			}
			if sv := s.survey(id); sv.Score != 0 {
				t.Fatalf("%s changed the survey: %+v", bad, sv)
			}
		}
		if got := s.say("u1", "不满意"); !strings.Contains(got, "很抱歉") {
			t.Fatalf("不满意 answered %q", got)
		}
		ref := fmt.Sprintf("survey:%d", id)
		card, n := s.lastCard(ref)
		if n != 1 || field(card, "Score") != "2 / 5" || field(card, "Order") != o.Number || len(card.Actions) != 1 {
			t.Fatalf("card %+v (%d)", card, n)
		}
		s.say("u1", "茶叶受潮了")
		if card, _ = s.lastCard(ref); field(card, "Comment") != "茶叶受潮了" {
			t.Fatalf("card after comment %+v", card)
		}
		res, err := s.act(agent, ref, bot.ActClose, 0)
		if err != nil || len(res.Card.Actions) != 0 || !strings.Contains(res.Card.Status, "Closed by ann") {
			t.Fatalf("close: %+v, %v", res, err)
		}
		var decided *bot.DecidedError
		if _, err := s.act(approver, ref, bot.ActClose, 0); !errors.As(err, &decided) || !strings.Contains(decided.By, "ann") {
			t.Fatalf("second close: %v", err)
		}
		if sv := s.survey(id); sv.Score != 2 || sv.CardOpen || sv.ClosedBy == "" {
			t.Fatalf("survey %+v", sv)
		}
	})
}

func TestSurveyWordsThenMovingOn(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st, 0)
		_, o := s.order("u1")
		s.press("u1", "consent_no")
		s.deliver(o)
		s.sendDue()
		id := surveyID(t, s.surveys("u1")[0])
		// Words that are not a score get the question's hint once; then
		// the conversation has the customer back.
		if got := s.say("u1", "where is my other parcel"); !strings.Contains(got, "number from 1") {
			t.Fatalf("words answered %q", got)
		}
		if got := s.say("u1", "orders"); strings.Contains(got, "rating") {
			t.Fatalf("orders answered %q", got)
		}
		if got := s.say("u1", "4"); strings.Contains(got, "rating") {
			t.Fatalf("4 counted after moving on: %q", got)
		}
		// The buttons still count.
		if got := s.press("u1", fmt.Sprintf("survey:%d:4", id)); !strings.Contains(got, "Thank you for rating") {
			t.Fatalf("late press %q", got)
		}
		if got := s.press("u1", fmt.Sprintf("survey:%d:skip", id)); !strings.Contains(got, "Thank you for your feedback") {
			t.Fatalf("skip %q", got)
		}
		// Someone else's survey button is a stale button.
		s.say("u2", "hi")
		if got := s.press("u2", fmt.Sprintf("survey:%d:1", id)); !strings.Contains(got, "no longer active") {
			t.Fatalf("u2 pressed %q", got)
		}
		if sv := s.survey(id); sv.Score != 4 {
			t.Fatalf("survey %+v", sv)
		}
	})
}

func TestSurveyAfterResolvedRequest(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st, 24*time.Hour)
		ctx := context.Background()
		_, o := s.order("u1")
		s.press("u1", "consent_no")
		s.deliver(o)
		s.say("u1", "menu")
		s.press("u1", "aftersales")
		s.press("u1", "order:"+o.Number)
		s.press("u1", "type:refund")
		s.say("u1", "It is not what I ordered.")
		s.press("u1", "done")
		s.press("u1", "submit")
		rs, err := st.AfterSalesByOrder(ctx, o.ID)
		if err != nil || len(rs) != 1 {
			t.Fatalf("requests %+v %v", rs, err)
		}
		ref := fmt.Sprintf("after_sales:%d", rs[0].ID)
		if _, err := s.act(approver, ref, bot.ActApprove, rs[0].Version); err != nil {
			t.Fatal(err)
		}
		r, _ := st.AfterSales(ctx, rs[0].ID)
		if _, err := s.act(agent, ref, bot.ActResolve, r.Version); err != nil {
			t.Fatal(err)
		}
		// The request's survey goes at once; the order's waits for its delay.
		if n := s.sendDue(); n != 1 {
			t.Fatalf("%d surveys", n)
		}
		q := s.surveys("u1")[0]
		if !strings.Contains(q.Text, rs[0].Number) {
			t.Fatalf("question %q", q.Text)
		}
	})
}

// TestSurveyOnceAcrossReplicas runs the due job of two replicas at once:
// the item's unique survey makes one of them send it.
func TestSurveyOnceAcrossReplicas(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st, 0)
		var orders []*bot.Order
		for _, u := range []string{"u1", "u2", "u3"} {
			_, o := s.order(u)
			s.press(u, "consent_no")
			s.deliver(o)
			orders = append(orders, o)
		}
		other := care.New(st, quiet(), care.Config{StaffChannels: []string{bot.WebChat}, Clock: s.clock.Now}, nil)
		sent := make(chan int, 2)
		for _, c := range []*care.Service{s.care, other} {
			go func() {
				n, err := c.SendDue(context.Background())
				if err != nil {
					t.Error(err)
				}
				sent <- n
			}()
		}
		if total := <-sent + <-sent; total != len(orders) {
			t.Fatalf("replicas sent %d surveys for %d orders", total, len(orders))
		}
		for _, u := range []string{"u1", "u2", "u3"} {
			if n := len(s.surveys(u)); n != 1 {
				t.Fatalf("%s got %d questions", u, n)
			}
		}
	})
}

// TestSurveyLeavesTypingAlone: a customer asked for a quantity when the
// survey comes keeps their number for the quantity; buttons still count.
func TestSurveyLeavesTypingAlone(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st, 0)
		_, o := s.order("u1")
		s.press("u1", "consent_no")
		s.deliver(o)
		s.say("u1", "menu")
		for _, k := range []string{"browse", "cat:Tea", "sku:TEA", "add"} {
			s.press("u1", k)
		}
		s.sendDue()
		id := surveyID(t, s.surveys("u1")[0])
		if got := s.say("u1", "3"); !strings.Contains(got, "Added 3") {
			t.Fatalf("3 was not the quantity: %q", got)
		}
		if sv := s.survey(id); sv.Score != 0 {
			t.Fatalf("survey %+v", sv)
		}
		if got := s.press("u1", fmt.Sprintf("survey:%d:3", id)); !strings.Contains(got, "Thank you for rating") {
			t.Fatalf("button: %q", got)
		}
	})
}

// TestUnhappyCardInStaffLanguage: the card reads in the shop's staff
// language with the time in the shop's zone, and names the customer and
// their channel, never their platform id.
func TestUnhappyCardInStaffLanguage(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		shanghai := time.FixedZone("CST", 8*3600)
		s := newShopWith(t, st, care.Config{StaffLang: bot.StaffLangZH, Location: shanghai})
		_, o := s.order("u1")
		s.press("u1", "consent_no")
		s.deliver(o)
		if n := s.sendDue(); n != 1 {
			t.Fatalf("%d surveys sent", n)
		}
		id := surveyID(t, s.surveys("u1")[0])
		s.say("u1", "1")
		card, _ := s.lastCard(fmt.Sprintf("survey:%d", id))
		if !strings.HasPrefix(card.Title, "顾客不满意：") || strings.Contains(card.Title, "u1") ||
			!strings.Contains(card.Status, "11月23日 18:00（UTC+8）") || field(card, "评分") != "1 / 5" || card.Actions[0].Label != "结束跟进" {
			t.Fatalf("card %+v", card)
		}
	})
}

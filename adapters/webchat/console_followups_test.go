package webchat

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/care"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// careEnv is the web chat with customer care on the core and the
// follow-up rules page, and an admin, ada, beside alice and bob.
func careEnv(t *testing.T, st *store.Store) (*testEnv, *care.Service) {
	t.Helper()
	cs := care.New(st, slog.New(slog.DiscardHandler), care.Config{StaffChannels: []string{bot.WebChat}}, nil)
	e := newEnvCore(t, st, Options{Lang: "en", Location: shanghai, FollowUps: cs}, func(cfg *bot.Config, _ *slog.Logger) { cfg.Care = cs })
	if err := st.SaveStaff(t.Context(), bot.Staff{Channel: bot.WebChat, UserID: "ada", Name: "Ada", Role: bot.Admin,
		PasswordHash: testHashes()["alice"]}); err != nil {
		t.Fatal(err)
	}
	return e, cs
}

// TestConsoleFollowUpRules adds, edits and removes follow-up rules from
// the console: an admin changes them, an approver reads them, an agent has
// no page; a rule the API would refuse (no text, days out of range, an
// unknown tier, a name used twice) is refused with the reason and changes
// nothing, and every form needs its CSRF token.
func TestConsoleFollowUpRules(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, cs := careEnv(t, st)
		ctx := t.Context()
		ada := e.client()
		token := e.login(ada, "ada", alicePassword)
		contains(t, e.get(ada, "/staff/follow-up-rules"), "No follow-up rules.", `href="/staff/follow-up-rules"`, `action="/staff/follow-up-rules"`)

		add := url.Values{"csrf": {token}, "name": {"tea check"}, "days": {"7"}, "tier": {""},
			"text_zh": {"茶叶喝着还好吗？"}, "text_en": {"How is the tea?"}}
		if res := e.postForm(ada, "/staff/follow-up-rules", add); res.status != http.StatusSeeOther || res.header.Get("Location") != "/staff/follow-up-rules" {
			t.Fatalf("add: %d to %q", res.status, res.header.Get("Location"))
		}
		rules := followUpRules(t, cs)
		if len(rules) != 1 || rules[0].Days != 7 || rules[0].TextZH != "茶叶喝着还好吗？" || rules[0].Tier != "" {
			t.Fatalf("rules after add: %+v", rules)
		}
		id := rules[0].ID
		contains(t, e.get(ada, "/staff/follow-up-rules"), "tea check", "茶叶喝着还好吗？", fmt.Sprintf(`action="/staff/follow-up-rules/%d"`, id))

		for _, bad := range []struct {
			form url.Values
			why  string
		}{
			{with(add, "name", "no text", "text_en", " "), "text_en needs 1 to 1000 characters"},
			{with(add, "name", "too late", "days", "400"), "days must be 1 to 365"},
			{with(add, "name", "not a number", "days", "seven"), "days: want a whole number"},
			{with(add, "name", "vip", "tier", "platinum"), `no tier \"platinum\"`},
			{add, "the name is used twice"},
		} {
			res := e.postForm(ada, "/staff/follow-up-rules", bad.form)
			problem, _ := url.ParseQuery(strings.TrimPrefix(res.header.Get("Location"), "/staff/follow-up-rules?"))
			if res.status != http.StatusSeeOther || !strings.Contains(problem.Get("problem"), strings.ReplaceAll(bad.why, `\"`, `"`)) {
				t.Fatalf("%s: %d to %q", bad.form.Get("name"), res.status, res.header.Get("Location"))
			}
		}
		if got := followUpRules(t, cs); len(got) != 1 || got[0] != rules[0] {
			t.Fatalf("refused forms changed the rules: %+v", got)
		}

		edit := url.Values{"csrf": {token}, "name": {"renamed"}, "days": {"14"}, "tier": {""}, "text_zh": {"用得怎么样？"}, "text_en": {"How is it going?"}}
		if res := e.postForm(ada, fmt.Sprintf("/staff/follow-up-rules/%d", id), edit); res.status != http.StatusSeeOther {
			t.Fatalf("edit: %d %s", res.status, res.body)
		}
		// The name stays, and with it the rule's id, so visits it sent
		// are not sent again.
		if got := followUpRules(t, cs); len(got) != 1 || got[0].ID != id || got[0].Name != "tea check" || got[0].Days != 14 || got[0].TextEN != "How is it going?" {
			t.Fatalf("rules after edit: %+v", got)
		}

		alice := e.client()
		aliceToken := e.login(alice, "alice", alicePassword)
		page := e.get(alice, "/staff/follow-up-rules")
		contains(t, page, "tea check", "用得怎么样？", "Only an admin can change the rules.")
		lacks(t, page, `action="/staff/follow-up-rules"`, "/delete")
		if res := e.postForm(alice, fmt.Sprintf("/staff/follow-up-rules/%d/delete", id), url.Values{"csrf": {aliceToken}}); res.status != http.StatusForbidden {
			t.Fatalf("approver removes: %d", res.status)
		}
		bob := e.client()
		e.login(bob, "bob", bobPassword)
		if res := e.get(bob, "/staff/follow-up-rules"); res.status != http.StatusNotFound {
			t.Fatalf("agent's page: %d", res.status)
		}
		lacks(t, e.get(bob, "/staff/orders"), `href="/staff/follow-up-rules"`)
		if res := e.postForm(ada, fmt.Sprintf("/staff/follow-up-rules/%d/delete", id), url.Values{}); res.status != http.StatusForbidden {
			t.Fatalf("remove without CSRF: %d", res.status)
		}
		if res := e.postForm(ada, "/staff/follow-up-rules/999999/delete", url.Values{"csrf": {token}}); !strings.Contains(res.header.Get("Location"), "problem=") {
			t.Fatalf("remove an unknown rule: %d to %q", res.status, res.header.Get("Location"))
		}
		if got := followUpRules(t, cs); len(got) != 1 {
			t.Fatalf("refused removals changed the rules: %+v", got)
		}
		if res := e.postForm(ada, fmt.Sprintf("/staff/follow-up-rules/%d/delete", id), url.Values{"csrf": {token}}); res.status != http.StatusSeeOther {
			t.Fatalf("remove: %d", res.status)
		}
		if got := followUpRules(t, cs); len(got) != 0 {
			t.Fatalf("rules after remove: %+v", got)
		}
		audit, err := st.Audit(ctx, "follow_up_rules", "follow_up_rules")
		if err != nil || len(audit) != 3 || !strings.Contains(audit[0].Actor, "Ada") {
			t.Fatalf("audit: %+v, %v", audit, err)
		}
	})
}

func followUpRules(t *testing.T, cs *care.Service) []care.FollowUpRule {
	t.Helper()
	rs, err := cs.FollowUpRules(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return rs
}

// with is form with some fields set, given as name, value pairs.
func with(form url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, v := range form {
		out[k] = append([]string(nil), v...)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

// TestConsoleQueueUnhappyCustomers finds an unhappy customer's card in the
// work queue after a reload, in its own tab and counted, linked to the
// customer's page; once closed it leaves the queue.
func TestConsoleQueueUnhappyCustomers(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		e, _ := careEnv(t, st)
		ctx := t.Context()
		c := e.client()
		token := e.login(c, "alice", alicePassword)
		o := e.placeOrder(e.customer(e.client()))
		at := time.Now().UTC().Truncate(time.Second)
		sv := care.Survey{CustomerID: o.CustomerID, Kind: care.KindOrder, ItemID: o.ID, OrderNumber: o.Number,
			Channel: bot.WebChat, SentAt: at, Stage: care.StageAsked}
		if err := st.CreateSurvey(ctx, &sv); err != nil {
			t.Fatal(err)
		}
		sv.Score, sv.Comment, sv.AnsweredAt, sv.Stage, sv.CardOpen = 1, "茶叶受潮了", at, care.StageDone, true
		if err := st.UpdateSurvey(ctx, sv); err != nil {
			t.Fatal(err)
		}
		ref := fmt.Sprintf("survey:%d", sv.ID)
		var all, tab queueResponse
		e.get(c, "/staff/api/cards").json(t, &all)
		e.get(c, "/staff/api/cards?kind=survey").json(t, &tab)
		if tab.Counts["survey"] != 1 || len(tab.Cards) != 1 || tab.Cards[0].Ref != ref ||
			tab.Links[ref] != fmt.Sprintf("/staff/customers/%d", o.CustomerID) {
			t.Fatalf("survey tab: %+v", tab)
		}
		found := false
		for _, card := range all.Cards {
			found = found || (card.Ref == ref && strings.Contains(card.Title, "顾客不满意"))
		}
		if len(all.Cards) != 2 || !found || all.Counts["survey"] != 1 || all.Counts["new"] != 1 {
			t.Fatalf("queue: %+v", all)
		}
		contains(t, e.get(c, "/staff?kind=survey"), "Unhappy customers")
		res := e.postJSON(c, "/staff/api/action", map[string]any{"ref": ref, "action": bot.ActClose}, map[string]string{csrfHeader: token})
		if res.status != http.StatusOK {
			t.Fatalf("close: %d %s", res.status, res.body)
		}
		e.get(c, "/staff/api/cards?kind=survey").json(t, &tab)
		if tab.Counts["survey"] != 0 || len(tab.Cards) != 0 {
			t.Fatalf("survey tab after close: %+v", tab)
		}
		if res := e.get(c, "/staff/api/cards?kind=surveys"); res.status != http.StatusBadRequest || !strings.Contains(res.errorText(t), "survey") {
			t.Fatalf("unknown kind: %d %s", res.status, res.body)
		}
	})
}

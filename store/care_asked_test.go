package store_test

import (
	"context"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/care"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestCareLatestAsked: one statement returns a customer's newest survey
// and most recently sent visit, each whole, nil when there is none, and
// never another customer's.
func TestCareLatestAsked(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		at := ms(t0)
		alice, bob := customer(t, s, "alice").ID, customer(t, s, "bob").ID
		var statements atomic.Int64
		s.OnStatement(func(string) { statements.Add(1) })
		latest := func(id int64) care.Asked {
			t.Helper()
			before := statements.Load()
			got, err := s.LatestAsked(ctx, id)
			must(t, err)
			if n := statements.Load() - before; n != 1 {
				t.Errorf("LatestAsked ran %d statements, want 1", n)
			}
			return got
		}
		check := func(step string, got care.Asked, sv *care.Survey, f *care.FollowUp) {
			t.Helper()
			if !reflect.DeepEqual(got.Survey, sv) {
				t.Errorf("%s: survey\n got %+v\nwant %+v", step, got.Survey, sv)
			}
			if !reflect.DeepEqual(got.FollowUp, f) {
				t.Errorf("%s: visit\n got %+v\nwant %+v", step, got.FollowUp, f)
			}
		}

		check("no rows", latest(alice), nil, nil)

		// Every column set, so a column read wrong or not at all shows.
		older := addSurvey(t, s, alice, 1, at, true)
		check("only a survey", latest(alice), &older, nil)
		check("another customer's survey", latest(bob), nil, nil)

		// A visit scheduled for later was not sent: it is not asked yet.
		scheduled := care.FollowUp{CustomerID: alice, Key: "staff:later", TextZH: "稍后", TextEN: "later",
			DueAt: at.Add(time.Hour), CreatedBy: "ann"}
		must(t, s.CreateFollowUp(ctx, &scheduled))
		check("a visit not sent", latest(alice), &older, nil)

		visit := addFollowUp(t, s, bob, "rule:1:order:1", at, true)
		check("only a visit", latest(bob), nil, &visit)
		bobs := addSurvey(t, s, bob, 9, at, false)
		check("both", latest(bob), &bobs, &visit)

		// The newest survey wins even without focus; the visit sent last
		// wins over one made later but sent earlier, and over one sent at
		// the same time but made earlier.
		newer := addSurvey(t, s, alice, 2, at.Add(-time.Hour), false)
		sentLast := addFollowUp(t, s, alice, "rule:1:order:2", at.Add(2*time.Hour), false)
		addFollowUp(t, s, alice, "rule:1:order:3", at.Add(time.Hour), true)
		check("latest wins", latest(alice), &newer, &sentLast)
		sameTime := addFollowUp(t, s, alice, "rule:1:order:4", at.Add(2*time.Hour), true)
		check("same time, later id", latest(alice), &newer, &sameTime)

		// A scheduled visit that goes out now is the latest from then on.
		ok, err := s.ClaimFollowUp(ctx, scheduled.ID, at.Add(3*time.Hour))
		must(t, err)
		if !ok {
			t.Fatal("scheduled visit not claimed")
		}
		scheduled.SentAt, scheduled.Focus = at.Add(3*time.Hour), true
		check("scheduled visit sent", latest(alice), &newer, &scheduled)
		check("bob unchanged", latest(bob), &bobs, &visit)
	})
}

// addSurvey stores an answered survey of an order with every field set.
func addSurvey(t *testing.T, s *store.Store, customerID, item int64, at time.Time, focus bool) care.Survey {
	t.Helper()
	sv := care.Survey{
		CustomerID: customerID, Kind: care.KindOrder, ItemID: item, OrderNumber: fmt.Sprintf("10000%d", item),
		Request: "R1", Channel: bot.Telegram, SentAt: at, Stage: care.StageComment, Focus: focus, Score: 2,
		AnsweredAt: at.Add(time.Minute), Comment: "stale", CardOpen: true, ClosedBy: "ann", ClosedAt: at.Add(time.Hour),
	}
	must(t, s.CreateSurvey(context.Background(), &sv))
	return sv
}

// addFollowUp stores a visit sent at sent, answered, with every field set.
func addFollowUp(t *testing.T, s *store.Store, customerID int64, key string, sent time.Time, focus bool) care.FollowUp {
	t.Helper()
	ctx := context.Background()
	f := care.FollowUp{
		CustomerID: customerID, Key: key, RuleID: 1, OrderNumber: "100001", TextZH: "还好吗", TextEN: "All well?",
		DueAt: sent, SentAt: sent, CreatedBy: "rule:r1", Focus: true,
	}
	must(t, s.CreateFollowUp(ctx, &f))
	f.Focus, f.Answer, f.AnsweredAt = focus, "fine "+key, sent.Add(time.Minute)
	must(t, s.UpdateFollowUp(ctx, f))
	return f
}

// TestCareLatestAskedPlan: the read every typed message costs finds each
// latest row by the index on customer_id and fetches it by primary key,
// scanning no table, on every backend.
func TestCareLatestAskedPlan(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		at := ms(t0)
		var ids []int64
		for i := range 4 {
			ids = append(ids, customer(t, s, fmt.Sprint("u", i)).ID)
		}
		for i := range 20 {
			c := ids[i%len(ids)]
			addSurvey(t, s, c, int64(i+1), at, i%3 == 0)
			addFollowUp(t, s, c, fmt.Sprint("rule:1:order:", i), at.Add(time.Duration(i)*time.Minute), i%2 == 0)
		}
		plan, err := store.ExplainLatestAsked(ctx, s, ids[1])
		must(t, err)
		var bad []string
		switch {
		case s.Dialect() == "sqlite":
			bad = append(bad, missing(plan, "SEARCH ls USING COVERING INDEX idx_care_surveys_customer (customer_id=?)",
				"SEARCH lf USING INDEX idx_care_follow_ups_customer (customer_id=?)",
				"SEARCH s USING INTEGER PRIMARY KEY", "SEARCH f USING INTEGER PRIMARY KEY")...)
			if m := regexp.MustCompile(`SCAN (s|f|ls|lf)\b`).FindString(plan); m != "" {
				bad = append(bad, m)
			}
		case s.TiDB():
			// TiDB runs the uncorrelated subqueries while it plans: its
			// plan shows the rows they found, theirs follow.
			bad = append(bad, missing(plan, "Point_Get", "table:care_surveys", "table:care_follow_ups",
				"index:idx_care_surveys_customer", "index:idx_care_follow_ups_customer")...)
			if strings.Contains(plan, "FullScan") {
				bad = append(bad, "a full scan")
			}
		default:
			bad = append(bad, mysqlKeys(plan, map[string]string{
				"s": "PRIMARY", "f": "PRIMARY", "ls": "idx_care_surveys_customer", "lf": "idx_care_follow_ups_customer",
			})...)
		}
		if len(bad) > 0 {
			t.Errorf("plan of LatestAsked: %s\n%s", strings.Join(bad, "; "), plan)
		}
	})
}

// missing returns the parts the plan lacks.
func missing(plan string, parts ...string) []string {
	var out []string
	for _, p := range parts {
		if !strings.Contains(plan, p) {
			out = append(out, "no "+p)
		}
	}
	return out
}

// mysqlKeys checks MySQL's EXPLAIN: each table of want read by that key,
// and none by a full scan (type ALL).
func mysqlKeys(plan string, want map[string]string) []string {
	var out []string
	lines := strings.Split(strings.TrimSpace(plan), "\n")
	cols := map[string]int{}
	for i, c := range strings.Split(lines[0], " | ") {
		cols[c] = i
	}
	seen := map[string]bool{}
	for _, line := range lines[1:] {
		cells := strings.Split(line, " | ")
		table, typ, key := cells[cols["table"]], cells[cols["type"]], cells[cols["key"]]
		if typ == "ALL" {
			out = append(out, "full scan of "+table)
		}
		if k, ok := want[table]; ok {
			seen[table] = true
			if key != k {
				out = append(out, fmt.Sprintf("%s read by %s, want %s", table, key, k))
			}
		}
	}
	for table := range want {
		if !seen[table] {
			out = append(out, "no step for "+table)
		}
	}
	return out
}

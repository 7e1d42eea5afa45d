package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/store/storetest"
)

// postForm posts a console form as the logged-in user, with the page's
// CSRF token unless csrf is false.
func (u *user) postForm(path string, form url.Values, csrf bool, want int) []byte {
	u.s.t.Helper()
	if csrf {
		form.Set("csrf", u.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, u.s.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return u.do(req, want)
}

// TestConsoleEditsTagsNoteAndTier changes a customer's record on their
// console page, with the API's roles and checks, and audited.
func TestConsoleEditsTagsNoteAndTier(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	s := startServer(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DEMO": "true"})
	if out, err := cli(t, dsn, "agent-pass-1\n", "staff", "add", "--channel", "webchat", "--user", "wu", "--role", "agent"); err != nil {
		t.Fatalf("staff add: %q, %v", out, err)
	}
	shopper := s.newUser()
	shopper.order("TEA-LJ-250", 1, "Li Lei", "13800138000", "88 Wensan Road, Hangzhou")
	demo := s.newUser()
	demo.login("demo", "demo")
	list := string(demo.get("/api/v1/customers?q=13800138000", http.StatusOK))
	id := regexpFind(t, `"id":(\d+)`, list)
	page := "/staff/customers/" + id

	demo.postForm(page+"/profile", url.Values{"tags": {"vip, 批发 ,vip"}, "note": {"Prefers <morning> delivery"}}, false, http.StatusForbidden)
	demo.postForm(page+"/profile", url.Values{"tags": {"vip, 批发 ,vip"}, "note": {"Prefers <morning> delivery"}}, true, http.StatusSeeOther)
	demo.postForm(page+"/tier", url.Values{"pinned_tier": {"gold"}}, true, http.StatusSeeOther)
	demo.postForm(page+"/tier", url.Values{"pinned_tier": {"diamond"}}, true, http.StatusUnprocessableEntity)
	demo.postForm(page+"/profile", url.Values{"tags": {strings.Repeat("x", 40)}, "note": {"gone"}}, true, http.StatusUnprocessableEntity)
	body := string(demo.get(page, http.StatusOK))
	for _, want := range []string{`<span class="tag">vip</span>`, `<span class="tag">批发</span>`, "Prefers &lt;morning&gt; delivery", `class="tier-form"`, `value="gold" selected`} {
		if !strings.Contains(body, want) {
			t.Errorf("customer page lacks %q", want)
		}
	}
	cust := string(demo.get("/api/v1/customers/"+id, http.StatusOK))
	if !strings.Contains(cust, `"pinned_tier":"gold"`) || !strings.Contains(cust, `"tags":["vip","批发"]`) || !strings.Contains(cust, `"note":"Prefers \u003cmorning\u003e delivery"`) {
		t.Fatalf("customer after the forms: %s", cust)
	}

	// An agent edits tags and notes but may not pin: no form, and a
	// forged one is refused with nothing changed.
	wu := s.newUser()
	wu.login("wu", "agent-pass-1")
	if body := string(wu.get(page, http.StatusOK)); strings.Contains(body, `class="tier-form"`) || !strings.Contains(body, `class="profile-form"`) {
		t.Fatalf("agent's page:\n%s", body)
	}
	wu.postForm(page+"/tier", url.Values{"pinned_tier": {""}}, true, http.StatusForbidden)
	wu.postForm(page+"/profile", url.Values{"tags": {"vip"}, "note": {""}}, true, http.StatusSeeOther)
	cust = string(demo.get("/api/v1/customers/"+id, http.StatusOK))
	if !strings.Contains(cust, `"pinned_tier":"gold"`) || !strings.Contains(cust, `"tags":["vip"]`) || !strings.Contains(cust, `"note":""`) {
		t.Fatalf("customer after the agent: %s", cust)
	}
	if err := s.stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

func regexpFind(t *testing.T, expr, s string) string {
	t.Helper()
	m := regexp.MustCompile(expr).FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("no %s in %s", expr, s)
	}
	return m[1]
}

// TestConsoleMergesCustomers merges two web chat shoppers from the kept
// one's console page: an approver only, confirmed, and once.
func TestConsoleMergesCustomers(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	s := startServer(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DEMO": "true"})
	if out, err := cli(t, dsn, "agent-pass-1\n", "staff", "add", "--channel", "webchat", "--user", "wu", "--role", "agent"); err != nil {
		t.Fatalf("staff add: %q, %v", out, err)
	}
	a, b := s.newUser(), s.newUser()
	a.order("TEA-LJ-250", 1, "Li Lei", "13800138000", "88 Wensan Road, Hangzhou")
	b.order("TEA-LJ-250", 2, "Li Lei", "13900139000", "88 Wensan Road, Hangzhou")
	demo := s.newUser()
	demo.login("demo", "demo")
	keep := regexpFind(t, `"id":(\d+)`, string(demo.get("/api/v1/customers?q=13800138000", http.StatusOK)))
	other := regexpFind(t, `"id":(\d+)`, string(demo.get("/api/v1/customers?q=13900139000", http.StatusOK)))
	page := "/staff/customers/" + keep
	if body := string(demo.get(page, http.StatusOK)); !strings.Contains(body, `class="merge-form"`) {
		t.Fatal("approver's page has no merge form")
	}
	wu := s.newUser()
	wu.login("wu", "agent-pass-1")
	if body := string(wu.get(page, http.StatusOK)); strings.Contains(body, `class="merge-form"`) {
		t.Fatal("agent's page offers a merge")
	}
	wu.postForm(page+"/merge", url.Values{"other_id": {other}, "confirm": {"yes"}}, true, http.StatusForbidden)
	demo.postForm(page+"/merge", url.Values{"other_id": {other}}, true, http.StatusBadRequest)
	demo.postForm(page+"/merge", url.Values{"other_id": {keep}, "confirm": {"yes"}}, true, http.StatusUnprocessableEntity)
	demo.postForm(page+"/merge", url.Values{"other_id": {"99999"}, "confirm": {"yes"}}, true, http.StatusNotFound)
	demo.postForm(page+"/merge", url.Values{"other_id": {other}, "confirm": {"yes"}}, false, http.StatusForbidden)
	demo.get("/staff/customers/"+other, http.StatusOK) // nothing changed so far

	demo.postForm(page+"/merge", url.Values{"other_id": {other}, "confirm": {"yes"}}, true, http.StatusSeeOther)
	body := string(demo.get(page, http.StatusOK))
	if !strings.Contains(body, `class="order-count">2<`) || strings.Count(body, "网页访客") < 2 {
		t.Fatalf("kept customer's page after the merge:\n%s", body)
	}
	demo.get("/staff/customers/"+other, http.StatusNotFound)
	demo.postForm(page+"/merge", url.Values{"other_id": {other}, "confirm": {"yes"}}, true, http.StatusSeeOther) // again: nothing to do
	// The merged shopper's next order belongs to the kept customer.
	b.order("TEA-LJ-250", 1, "Li Lei", "13900139000", "88 Wensan Road, Hangzhou")
	if body := string(demo.get(page, http.StatusOK)); !strings.Contains(body, `class="order-count">3<`) {
		t.Fatal("the merged shopper's new order is not on the kept customer")
	}
	if err := s.stop(); err != nil {
		t.Fatalf("shutdown: %v", err)
	}
}

package webchat

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/privacy"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestConsoleEraseAndExport: an admin downloads a customer's data and
// erases it after typing the customer's number; without the number, or
// without the CSRF token, nothing changes; an approver sees no buttons and
// is refused.
func TestConsoleEraseAndExport(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		log := slog.New(slog.DiscardHandler)
		p := privacy.New(st, bot.NewService(st, log, bot.Config{StaffChannels: []string{bot.WebChat}}, nil), log, privacy.Options{})
		e := newEnvOn(t, st, Options{Lang: "en", Privacy: p})
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(st.SaveStaff(t.Context(), bot.Staff{Channel: bot.WebChat, UserID: "carol", Name: "Carol", Role: bot.Admin, PasswordHash: testHashes()["alice"]}))
		o := e.placeOrder(e.customer(e.client()))
		base := fmt.Sprintf("/staff/customers/%d", o.CustomerID)

		approver := e.client()
		approverCSRF := e.login(approver, "alice", alicePassword)
		lacks(t, e.get(approver, base), "erase-customer", "export-customer")
		for _, res := range []response{
			e.get(approver, base+"/export"),
			e.get(approver, base+"/erase"),
			e.postForm(approver, base+"/erase", url.Values{"csrf": {approverCSRF}, "confirm": {fmt.Sprint(o.CustomerID)}}),
		} {
			if res.status != http.StatusForbidden {
				t.Errorf("approver: %d %s", res.status, res.body)
			}
		}

		admin := e.client()
		csrf := e.login(admin, "carol", alicePassword)
		contains(t, e.get(admin, base), "erase-customer", "export-customer")
		ex := e.get(admin, base+"/export")
		if ex.status != http.StatusOK || !strings.Contains(ex.header.Get("Content-Disposition"), "attachment") || !strings.Contains(string(ex.body), "13800000000") {
			t.Fatalf("export: %d %v %s", ex.status, ex.header, ex.body)
		}
		contains(t, e.get(admin, base+"/erase"), `name="confirm"`, "cannot be undone")
		for _, form := range []url.Values{
			{"csrf": {csrf}},
			{"csrf": {csrf}, "confirm": {"999"}},
			{"confirm": {fmt.Sprint(o.CustomerID)}},
		} {
			if res := e.postForm(admin, base+"/erase", form); res.status != http.StatusBadRequest && res.status != http.StatusForbidden {
				t.Errorf("erase with %v: %d", form, res.status)
			}
		}
		if got := e.order(o.ID); got.Contact.Phone != "13800000000" {
			t.Fatalf("a refused erase changed the order: %+v", got.Contact)
		}
		res := e.postForm(admin, base+"/erase", url.Values{"csrf": {csrf}, "confirm": {fmt.Sprint(o.CustomerID)}})
		contains(t, res, "personal data was erased")
		if got := e.order(o.ID); got.Contact != (bot.Contact{}) || got.Total != o.Total {
			t.Fatalf("order after erase: %+v", got)
		}
		res = e.postForm(admin, base+"/erase", url.Values{"csrf": {csrf}, "confirm": {fmt.Sprint(o.CustomerID)}})
		contains(t, res, "erased already")
		if res := e.get(admin, "/staff/customers/99999/export"); res.status != http.StatusNotFound {
			t.Errorf("export of an unknown customer: %d", res.status)
		}
	})
}

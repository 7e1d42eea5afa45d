package api

import (
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/privacy"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func eachPrivacyEnv(t *testing.T, fn func(t *testing.T, e *testEnv)) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		log := slog.New(slog.DiscardHandler)
		core := bot.NewService(st, log, bot.Config{StaffChannels: []string{bot.WebChat}}, nil)
		p := privacy.New(st, core, log, privacy.Options{})
		fn(t, newEnvWith(t, st, Options{Currency: "CNY", Privacy: p}))
	})
}

// TestEraseAndExportThroughTheAPI: an admin exports a customer's data and
// erases it, twice with the same answer; the export then holds no contact;
// other roles get 403 and change nothing; an unknown id is 404.
func TestEraseAndExportThroughTheAPI(t *testing.T) {
	eachPrivacyEnv(t, func(t *testing.T, e *testEnv) {
		c := e.customer("telegram", "5550001", "Han Meimei", "13700001111")
		o := e.order(c, 2, t0)
		base := "/api/v1/customers/" + strconv.FormatInt(c.ID, 10)

		e.do(http.MethodPost, base+"/erase", e.sync, nil).fails(t, http.StatusForbidden, "forbidden", "admin role")
		e.do(http.MethodGet, base+"/export", e.agent, nil).fails(t, http.StatusForbidden, "forbidden", "admin role")
		var ex privacy.Export
		e.do(http.MethodGet, base+"/export", e.admin, nil).ok(t, &ex)
		if ex.Customer.Phone != "13700001111" || len(ex.Orders) != 1 || ex.Orders[0].Number != o.Number {
			t.Fatalf("export %+v", ex)
		}

		var first, again eraseJSON
		e.do(http.MethodPost, base+"/erase", e.admin, nil).ok(t, &first)
		if first.AlreadyErased || first.Erased.Orders != 1 || first.ErasedAt == "" {
			t.Fatalf("erase %+v", first)
		}
		e.do(http.MethodPost, base+"/erase", e.admin, nil).ok(t, &again)
		if !again.AlreadyErased || again.ErasedAt != first.ErasedAt {
			t.Fatalf("second erase %+v, first %+v", again, first)
		}
		res := e.do(http.MethodGet, base+"/export", e.admin, nil)
		if strings.Contains(string(res.body), "13700001111") || strings.Contains(string(res.body), "Han Meimei") {
			t.Fatalf("export after erase: %s", res.body)
		}
		var order struct {
			Total   int64 `json:"total"`
			Contact struct {
				Phone string `json:"phone"`
			} `json:"contact"`
		}
		e.do(http.MethodGet, "/api/v1/orders/"+o.Number, e.admin, nil).ok(t, &order)
		if order.Total != o.Total || order.Contact.Phone != "" {
			t.Fatalf("order after erase %+v", order)
		}
		audit, err := e.st.Audit(t.Context(), "customer", strconv.FormatInt(c.ID, 10))
		must(t, err)
		if len(audit) != 1 || audit[0].Action != "erase" || audit[0].Actor != "ops-admin (api)" {
			t.Fatalf("audit %+v", audit)
		}

		e.do(http.MethodPost, "/api/v1/customers/999999/erase", e.admin, nil).fails(t, http.StatusNotFound, "not_found", "")
		e.do(http.MethodGet, "/api/v1/customers/x/export", e.admin, nil).fails(t, http.StatusNotFound, "not_found", "")
	})
}

package webchat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/privacy"
)

// Privacy erases and exports one customer's personal data.
type Privacy interface {
	Erase(ctx context.Context, actor string, customerID int64) (privacy.Result, error)
	Export(ctx context.Context, customerID int64) (privacy.Export, error)
}

// privacyRoutes mounts the customer page's erase (a confirmation page, then
// the form's POST) and export, for admins.
func (h *Handler) privacyRoutes() {
	page := h.consolePage(h.erasePage)
	confirm := h.requireStaff(func(w http.ResponseWriter, r *http.Request, s staffRequest) {
		if vw := h.viewerOf(r, s); !vw.IsAdmin() {
			h.renderProblem(w, http.StatusForbidden, vw, vw.T(adminOnly))
			return
		}
		page(w, r, s)
	})
	erase := h.requireStaff(h.requireCSRF(h.erase))
	h.mux.Handle("/staff/customers/{id}/erase", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodGet, http.MethodHead:
			confirm.ServeHTTP(w, r)
		case http.MethodPost:
			erase.ServeHTTP(w, r)
		default:
			w.Header().Set("Allow", "GET, POST")
			writeError(w, http.StatusMethodNotAllowed, "method not allowed")
		}
	}))
	h.mux.Handle("/staff/customers/{id}/export", only(http.MethodGet, h.requireStaff(h.export)))
}

// errNotAdmin is a console request for what only admins may do.
var errNotAdmin = errors.New("admin role needed")

// adminOnly is what a staff member who is not an admin is told.
const adminOnly = "Only an admin can erase or export a customer's data."

// privacyTarget is the customer an erase or export is for, once the viewer
// is known to be an admin and the service to be there.
func (h *Handler) privacyTarget(r *http.Request, role bot.Role) (int64, error) {
	if !role.AtLeast(bot.Admin) {
		return 0, errNotAdmin
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 || h.opts.Privacy == nil {
		return 0, errNoPage
	}
	return id, nil
}

type erasePage struct {
	V        *viewer
	Customer bot.Customer
	Name     string
	Problem  string
}

// erasePage asks an admin to confirm by typing the customer's id.
func (h *Handler) erasePage(r *http.Request, vw *viewer) (string, any, error) {
	if _, err := query(r); err != nil {
		return "", nil, err
	}
	id, err := h.privacyTarget(r, vw.Role)
	if err != nil {
		return "", nil, err
	}
	cs, err := h.opts.Records.CustomersByID(r.Context(), []int64{id})
	if err != nil || len(cs) == 0 {
		return "", nil, errors.Join(errNoPage, err)
	}
	return "erase", erasePage{V: vw, Customer: cs[0], Name: customerName(cs[0], nil)}, nil
}

// erase erases the customer once the admin typed their id, and shows what
// it did.
func (h *Handler) erase(w http.ResponseWriter, r *http.Request, s staffRequest) {
	vw := h.viewerOf(r, s)
	id, err := h.privacyTarget(r, vw.Role)
	switch {
	case errors.Is(err, errNotAdmin):
		h.renderProblem(w, http.StatusForbidden, vw, vw.T(adminOnly))
		return
	case err != nil:
		h.renderProblem(w, http.StatusNotFound, vw, vw.T("Nothing has this number."))
		return
	}
	if strings.TrimSpace(r.PostForm.Get("confirm")) != strconv.FormatInt(id, 10) {
		h.render(w, http.StatusBadRequest, "erase", erasePage{V: vw, Customer: bot.Customer{ID: id},
			Problem: vw.T("Type the customer's number to confirm.")})
		return
	}
	res, err := h.opts.Privacy.Erase(r.Context(), s.staff.Actor(), id)
	switch {
	case errors.Is(err, bot.ErrNotFound):
		h.renderProblem(w, http.StatusNotFound, vw, vw.T("Nothing has this number."))
		return
	case err != nil:
		h.log.Error("webchat: erase customer", "customer", id, "err", err)
		h.renderProblem(w, http.StatusInternalServerError, vw, vw.T("Something went wrong, please try again."))
		return
	}
	msg := fmt.Sprintf(vw.T("Customer %d's personal data was erased. Orders keep their items and amounts."), id)
	if res.AlreadyErased {
		msg = fmt.Sprintf(vw.T("Customer %d's personal data had been erased already; nothing changed."), id)
	}
	h.render(w, http.StatusOK, "erased", problemPage{V: vw, Message: msg})
}

// export downloads the customer's data as a JSON file.
func (h *Handler) export(w http.ResponseWriter, r *http.Request, s staffRequest) {
	vw := h.viewerOf(r, s)
	id, err := h.privacyTarget(r, vw.Role)
	if errors.Is(err, errNotAdmin) {
		h.renderProblem(w, http.StatusForbidden, vw, vw.T(adminOnly))
		return
	}
	var ex privacy.Export
	if err == nil {
		ex, err = h.opts.Privacy.Export(r.Context(), id)
	}
	switch {
	case errors.Is(err, errNoPage), errors.Is(err, bot.ErrNotFound):
		h.renderProblem(w, http.StatusNotFound, vw, vw.T("Nothing has this number."))
		return
	case err != nil:
		h.log.Error("webchat: export customer", "customer", id, "err", err)
		h.renderProblem(w, http.StatusInternalServerError, vw, vw.T("Something went wrong, please try again."))
		return
	}
	h.log.Info("webchat: customer exported", "customer", id, "by", s.staff.UserID)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="customer-%d.json"`, id))
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(ex)
}

// IsAdmin reports whether the viewer may erase and export customers' data.
func (v *viewer) IsAdmin() bool { return v.Role.AtLeast(bot.Admin) }

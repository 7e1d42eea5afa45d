package webchat

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/care"
	"github.com/orderbot/orderbot/bot/tier"
)

// FollowUpRules is the shop's follow-up visit rules (回访) as the console
// edits them, one at a time. Customer care (bot/care) checks the role
// (admin) and every rule, as it does for the admin API.
type FollowUpRules interface {
	FollowUpRules(ctx context.Context) ([]care.FollowUpRule, error)
	// ChangeFollowUpRules replaces the rules by what change makes of
	// them, in one transaction; tiers are the shop's tier names.
	ChangeFollowUpRules(ctx context.Context, staff bot.Staff, tiers []string, change func([]care.FollowUpRule) ([]care.FollowUpRule, error)) error
}

type followUpsPage struct {
	V     *viewer
	Rules []care.FollowUpRule
	Tiers []tier.Tier
	// CanEdit shows the forms: only an admin may change the rules.
	CanEdit bool
	// Problem is why the last change was refused, shown above the forms.
	Problem string
}

// errNoRule is an edit or removal of a rule that is not there (any more).
var errNoRule = errors.New("no such rule")

// followUpRoutes mounts the follow-up rules page (approver role to read)
// and its forms: add, edit and remove one rule (admin role; the service
// checks it again).
func (h *Handler) followUpRoutes() {
	h.mux.Handle("/staff/follow-up-rules", h.requireStaff(func(w http.ResponseWriter, r *http.Request, s staffRequest) {
		if r.Method == http.MethodPost {
			h.requireCSRF(h.addFollowUpRule)(w, r, s)
			return
		}
		h.consolePage(h.followUpsList)(w, r, s)
	}))
	h.mux.Handle("/staff/follow-up-rules/{id}", only(http.MethodPost, h.requireStaff(h.requireCSRF(h.editFollowUpRule))))
	h.mux.Handle("/staff/follow-up-rules/{id}/delete", only(http.MethodPost, h.requireStaff(h.requireCSRF(h.deleteFollowUpRule))))
}

func (h *Handler) followUpsList(r *http.Request, v *viewer) (string, any, error) {
	q, err := query(r)
	if err != nil {
		return "", nil, err
	}
	if h.opts.FollowUps == nil || !v.Role.AtLeast(bot.Approver) {
		return "", nil, errNoPage
	}
	rs, err := h.opts.FollowUps.FollowUpRules(r.Context())
	if err != nil {
		return "", nil, err
	}
	ts, err := h.shopTiers(r.Context())
	if err != nil {
		return "", nil, err
	}
	return "followups", followUpsPage{V: v, Rules: rs, Tiers: ts, CanEdit: v.Role.AtLeast(bot.Admin), Problem: q.Get("problem")}, nil
}

// shopTiers is the shop's tier ladder, none without the CRM.
func (h *Handler) shopTiers(ctx context.Context) ([]tier.Tier, error) {
	if h.opts.CRM == nil {
		return nil, nil
	}
	ts, err := h.opts.CRM.Tiers(ctx)
	if err != nil {
		return nil, fmt.Errorf("tiers: %w", err)
	}
	return ts, nil
}

// followUpForm reads a rule's days, tier and texts; name is read only
// when adding, since the name is what keeps a rule's visits from going
// out twice.
func followUpForm(f url.Values) (care.FollowUpRule, error) {
	rule := care.FollowUpRule{
		Name: strings.TrimSpace(f.Get("name")), Tier: strings.TrimSpace(f.Get("tier")),
		TextZH: strings.TrimSpace(f.Get("text_zh")), TextEN: strings.TrimSpace(f.Get("text_en")),
	}
	days, err := strconv.Atoi(strings.TrimSpace(f.Get("days")))
	if err != nil {
		return rule, invalidParam("days: want a whole number from 1 to 365")
	}
	rule.Days = days
	return rule, nil
}

func (h *Handler) addFollowUpRule(w http.ResponseWriter, r *http.Request, s staffRequest) {
	rule, err := followUpForm(r.PostForm)
	h.changeFollowUps(w, r, s, "added", err, func(rs []care.FollowUpRule) ([]care.FollowUpRule, error) {
		return append(rs, rule), nil
	})
}

func (h *Handler) editFollowUpRule(w http.ResponseWriter, r *http.Request, s staffRequest) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	rule, err := followUpForm(r.PostForm)
	h.changeFollowUps(w, r, s, "changed", err, func(rs []care.FollowUpRule) ([]care.FollowUpRule, error) {
		i := slices.IndexFunc(rs, func(x care.FollowUpRule) bool { return x.ID == id })
		if i < 0 {
			return nil, errNoRule
		}
		rule.Name = rs[i].Name
		out := slices.Clone(rs)
		out[i] = rule
		return out, nil
	})
}

func (h *Handler) deleteFollowUpRule(w http.ResponseWriter, r *http.Request, s staffRequest) {
	id, _ := strconv.ParseInt(r.PathValue("id"), 10, 64)
	h.changeFollowUps(w, r, s, "removed", nil, func(rs []care.FollowUpRule) ([]care.FollowUpRule, error) {
		out := slices.DeleteFunc(slices.Clone(rs), func(x care.FollowUpRule) bool { return x.ID == id })
		if len(out) == len(rs) {
			return nil, errNoRule
		}
		return out, nil
	})
}

// changeFollowUps makes one change to the rules unless the form was
// already refused (formErr), and goes back to the page, with the reason
// when the change was refused.
func (h *Handler) changeFollowUps(w http.ResponseWriter, r *http.Request, s staffRequest, what string, formErr error,
	change func([]care.FollowUpRule) ([]care.FollowUpRule, error)) {
	if h.opts.FollowUps == nil {
		writeError(w, http.StatusNotFound, "follow-up visits are not set up")
		return
	}
	err := formErr
	if err == nil {
		err = h.saveFollowUps(r.Context(), s.staff, change)
	}
	problem := ""
	var bad *badRequest
	switch {
	case err == nil:
		h.log.Info("webchat: follow-up rule "+what, "user", s.staff.UserID)
	case errors.Is(err, bot.ErrForbidden):
		writeError(w, http.StatusForbidden, "your role cannot do this")
		return
	case errors.As(err, &bad):
		problem = bad.msg
	case errors.Is(err, errNoRule):
		problem = "this rule is no longer there; the list below is the current one"
	case errors.Is(err, bot.ErrInvalid):
		problem = bot.InvalidDetail(err)
	default:
		h.log.Error("webchat: follow-up rules", "err", err)
		problem = "something went wrong, please try again"
	}
	to := "/staff/follow-up-rules"
	if problem != "" {
		to += "?problem=" + url.QueryEscape(problem)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

func (h *Handler) saveFollowUps(ctx context.Context, staff bot.Staff, change func([]care.FollowUpRule) ([]care.FollowUpRule, error)) error {
	ts, err := h.shopTiers(ctx)
	if err != nil {
		return err
	}
	names := make([]string, len(ts))
	for i, t := range ts {
		names[i] = t.Name
	}
	return h.opts.FollowUps.ChangeFollowUpRules(ctx, staff, names, change)
}

// followUpsZH is the Chinese of the follow-up rules page.
func followUpsZH() map[string]string {
	return map[string]string{
		"Follow-up rules": "回访规则", "Rule name": "规则名称", "Days after completion": "完成后天数", "Every tier": "所有等级",
		"Message (Chinese)": "中文内容", "Message (English)": "英文内容", "No follow-up rules.": "还没有回访规则。",
		"New rule": "新建规则", "Add": "添加", "Save": "保存", "Remove": "删除",
		"Only an admin can change the rules.": "只有管理员可以修改回访规则。",
		"Customers of the tier get the message in their language this many days after their order is completed.": "订单完成满这些天后，该等级的顾客会收到对应语言的回访消息。",
	}
}

package bot

import (
	"fmt"
	"strings"
	"time"

	"github.com/orderbot/orderbot/conversation"
)

// StaffLangZH and StaffLangEN are the languages staff text is written in
// (Config.StaffLang).
const (
	StaffLangZH = "zh"
	StaffLangEN = "en"
)

// StaffWords words what staff read (cards, the note after an action, why
// an action did nothing) in the shop's staff language, with times in the
// shop's zone. Staff read order and request numbers, customer names and
// words, never the core's refs or raw status values. The packages beside
// the core that post cards of their own (care, broadcasts) word them with
// it too.
type StaffWords struct {
	zh       bool
	loc      *time.Location
	now      time.Time
	currency string
}

// NewStaffWords returns the words of staff who read lang (StaffLangEN, or
// Chinese otherwise), in the zone loc (UTC when nil) at the time now, with
// amounts in currency.
func NewStaffWords(lang string, loc *time.Location, currency string, now time.Time) StaffWords {
	if loc == nil {
		loc = time.UTC
	}
	return StaffWords{zh: lang != StaffLangEN, loc: loc, now: now, currency: currency}
}

func (s *Service) words() StaffWords {
	return NewStaffWords(s.cfg.StaffLang, s.cfg.Location, s.cfg.Currency, s.now())
}

// Say is the text in the staff language: en or zh.
func (w StaffWords) Say(en, zh string) string {
	if w.zh {
		return zh
	}
	return en
}

// Chinese reports whether staff read Chinese.
func (w StaffWords) Chinese() bool { return w.zh }

// Sayf is Say with Sprintf's arguments.
func (w StaffWords) Sayf(en, zh string, args ...any) string {
	return fmt.Sprintf(w.Say(en, zh), args...)
}

// Money is an amount in minor units, formatted for the staff's language.
func (w StaffWords) Money(minor int64) string {
	lang := conversation.English
	if w.zh {
		lang = conversation.Chinese
	}
	return conversation.FormatMoneyFor(lang, w.currency, minor)
}

// When is a time in the shop's zone with the date and the zone, since a
// card is read from anywhere and for days: "11月30日 10:32（UTC+8）",
// "30 Nov 10:32 (UTC+8)"; the year is added when it is not this one.
func (w StaffWords) When(t time.Time) string {
	t = t.In(w.loc)
	zone := zoneLabel(t)
	sameYear := t.Year() == w.now.In(w.loc).Year()
	switch {
	case w.zh && sameYear:
		return t.Format("1月2日 15:04") + "（" + zone + "）"
	case w.zh:
		return t.Format("2006年1月2日 15:04") + "（" + zone + "）"
	case sameYear:
		return t.Format("2 Jan 15:04") + " (" + zone + ")"
	}
	return t.Format("2 Jan 2006 15:04") + " (" + zone + ")"
}

// zoneLabel names a time's zone by its offset: abbreviations such as CST
// mean different zones to different readers.
func zoneLabel(t time.Time) string {
	_, off := t.Zone()
	if off == 0 {
		return "UTC"
	}
	sign := "+"
	if off < 0 {
		sign, off = "-", -off
	}
	label := fmt.Sprintf("UTC%s%d", sign, off/3600)
	if m := off % 3600 / 60; m != 0 {
		label += fmt.Sprintf(":%02d", m)
	}
	return label
}

// orderStatus is an order's status in words.
func (w StaffWords) orderStatus(st OrderStatus) string {
	switch st {
	case Pending:
		return w.Say("Awaiting approval", "待确认")
	case Confirmed:
		return w.Say("Confirmed", "已确认")
	case Rejected:
		return w.Say("Rejected", "已拒绝")
	case Cancelled:
		return w.Say("Cancelled", "已取消")
	case Shipped:
		return w.Say("Shipped", "已发货")
	case Delivered:
		return w.Say("Delivered", "已送达")
	case Completed:
		return w.Say("Completed", "已完成")
	}
	return string(st)
}

// requestStatus is an after-sales request's status in words.
func (w StaffWords) requestStatus(st RequestStatus) string {
	switch st {
	case Submitted:
		return w.Say("Awaiting decision", "待处理")
	case Approved:
		return w.Say("Approved", "已批准")
	case Declined:
		return w.Say("Rejected", "已拒绝")
	case Resolved:
		return w.Say("Resolved", "已解决")
	}
	return string(st)
}

// requestType is an after-sales type as shops name it.
func (w StaffWords) requestType(t AfterSalesType) string {
	switch t {
	case Return:
		return w.Say("Return and refund", "退货退款")
	case Refund:
		return w.Say("Refund only", "仅退款")
	case Exchange:
		return w.Say("Exchange", "换货")
	case Repair:
		return w.Say("Repair", "维修")
	case Complaint:
		return w.Say("Complaint", "投诉")
	}
	return string(t)
}

// Channel is where a customer writes from.
func (w StaffWords) Channel(ch string) string {
	switch ch {
	case WeChat:
		return w.Say("WeChat", "微信")
	case Telegram:
		return "Telegram"
	case Slack:
		return "Slack"
	case WebChat:
		return w.Say("Web chat", "网页聊天")
	case APIChannel:
		return "API"
	}
	return ch
}

// staffChannel is where a staff member acted from: staff on the web work
// in the console, not the chat.
func (w StaffWords) staffChannel(ch string) string {
	if ch == WebChat {
		return w.Say("staff console", "网页后台")
	}
	return w.Channel(ch)
}

// paren puts s in brackets after a name, full-width in Chinese.
func (w StaffWords) paren(s string) string {
	return w.Say(" ("+s+")", "（"+s+"）")
}

// actor names who made a change: the customer by the word, a rule by its
// name, staff by name and where they acted ("张三（网页后台）").
func (w StaffWords) actor(a string) string {
	switch {
	case strings.HasPrefix(a, "customer "), a == "the customer":
		return w.Say("the customer", "客户")
	case strings.HasPrefix(a, ruleActorPrefix):
		return w.Sayf("rule “%s”", "规则「%s」", strings.TrimPrefix(a, ruleActorPrefix))
	}
	if name, ch, ok := strings.Cut(a, " ("); ok && strings.HasSuffix(ch, ")") {
		return name + w.paren(w.staffChannel(strings.TrimSuffix(ch, ")")))
	}
	return a
}

// change is what a step to a status was, as a verb: "Approved", "批准".
func (w StaffWords) change(to string) string {
	switch to {
	case string(Pending):
		return w.Say("Placed", "下单")
	case string(Confirmed), string(Approved):
		return w.Say("Approved", "批准")
	case string(Rejected):
		return w.Say("Rejected", "拒绝")
	case string(Cancelled):
		return w.Say("Cancelled", "取消")
	case string(Shipped):
		return w.Say("Marked shipped", "标记为已发货")
	case string(Delivered):
		return w.Say("Marked delivered", "标记为已送达")
	case string(Completed):
		return w.Say("Completed", "完成")
	case "cancel_requested":
		return w.Say("Cancel requested", "申请取消")
	case "cancel_rejected":
		return w.Say("Cancel request refused", "拒绝取消申请")
	case string(Submitted):
		return w.Say("Submitted", "提交")
	case string(Resolved):
		return w.Say("Marked resolved", "标记为已解决")
	case "ended":
		return w.Say("Ended", "结束")
	case "":
		return w.Say("Changed", "更改")
	}
	return strings.ReplaceAll(to, "_", " ")
}

// byAt says who did what when: "由 张三（网页后台）于 11月30日 10:32（UTC+8）批准",
// "Approved by alice (staff console) at 30 Nov 10:32 (UTC+8)".
func (w StaffWords) byAt(to, actor string, at time.Time) string {
	if w.zh {
		who := w.actor(actor)
		if who == "客户" {
			return zhJoin("客户于", w.When(at), w.change(to))
		}
		return zhJoin("由", who, "于", w.When(at), w.change(to))
	}
	return fmt.Sprintf("%s by %s at %s", w.change(to), w.actor(actor), w.When(at))
}

// zhJoin joins the parts of a Chinese sentence with the spaces that set
// off names, numbers and times, but none after a full-width bracket,
// which has its own space.
func zhJoin(parts ...string) string {
	var b strings.Builder
	for i, p := range parts {
		if i > 0 && !strings.HasSuffix(parts[i-1], "）") && !strings.HasSuffix(parts[i-1], "」") {
			b.WriteByte(' ')
		}
		b.WriteString(p)
	}
	return b.String()
}

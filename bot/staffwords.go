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

// staffWords words what staff read from the core (cards, the note after an
// action, why an action did nothing) in the shop's staff language, with
// times in the shop's zone. Staff read order and request numbers, customer
// names and words, never the core's refs or raw status values.
type staffWords struct {
	zh       bool
	loc      *time.Location
	now      time.Time
	currency string
}

func (s *Service) words() staffWords {
	return staffWords{zh: s.cfg.StaffLang != StaffLangEN, loc: s.cfg.Location, now: s.now(), currency: s.cfg.Currency}
}

// say is the text in the staff language: en or zh.
func (w staffWords) say(en, zh string) string {
	if w.zh {
		return zh
	}
	return en
}

func (w staffWords) sayf(en, zh string, args ...any) string {
	return fmt.Sprintf(w.say(en, zh), args...)
}

func (w staffWords) money(minor int64) string {
	lang := conversation.English
	if w.zh {
		lang = conversation.Chinese
	}
	return conversation.FormatMoneyFor(lang, w.currency, minor)
}

// when is a time in the shop's zone with the date and the zone, since a
// card is read from anywhere and for days: "11月30日 10:32（UTC+8）",
// "30 Nov 10:32 (UTC+8)"; the year is added when it is not this one.
func (w staffWords) when(t time.Time) string {
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
func (w staffWords) orderStatus(st OrderStatus) string {
	switch st {
	case Pending:
		return w.say("Awaiting approval", "待确认")
	case Confirmed:
		return w.say("Confirmed", "已确认")
	case Rejected:
		return w.say("Rejected", "已拒绝")
	case Cancelled:
		return w.say("Cancelled", "已取消")
	case Shipped:
		return w.say("Shipped", "已发货")
	case Delivered:
		return w.say("Delivered", "已送达")
	case Completed:
		return w.say("Completed", "已完成")
	}
	return string(st)
}

// requestStatus is an after-sales request's status in words.
func (w staffWords) requestStatus(st RequestStatus) string {
	switch st {
	case Submitted:
		return w.say("Awaiting decision", "待处理")
	case Approved:
		return w.say("Approved", "已批准")
	case Declined:
		return w.say("Rejected", "已拒绝")
	case Resolved:
		return w.say("Resolved", "已解决")
	}
	return string(st)
}

// requestType is an after-sales type as shops name it.
func (w staffWords) requestType(t AfterSalesType) string {
	switch t {
	case Return:
		return w.say("Return and refund", "退货退款")
	case Refund:
		return w.say("Refund only", "仅退款")
	case Exchange:
		return w.say("Exchange", "换货")
	case Repair:
		return w.say("Repair", "维修")
	case Complaint:
		return w.say("Complaint", "投诉")
	}
	return string(t)
}

// channel is where a customer writes from.
func (w staffWords) channel(ch string) string {
	switch ch {
	case WeChat:
		return w.say("WeChat", "微信")
	case Telegram:
		return "Telegram"
	case Slack:
		return "Slack"
	case WebChat:
		return w.say("Web chat", "网页聊天")
	case APIChannel:
		return "API"
	}
	return ch
}

// staffChannel is where a staff member acted from: staff on the web work
// in the console, not the chat.
func (w staffWords) staffChannel(ch string) string {
	if ch == WebChat {
		return w.say("staff console", "网页后台")
	}
	return w.channel(ch)
}

// paren puts s in brackets after a name, full-width in Chinese.
func (w staffWords) paren(s string) string {
	return w.say(" ("+s+")", "（"+s+"）")
}

// actor names who made a change: the customer by the word, a rule by its
// name, staff by name and where they acted ("张三（网页后台）").
func (w staffWords) actor(a string) string {
	switch {
	case strings.HasPrefix(a, "customer "), a == "the customer":
		return w.say("the customer", "客户")
	case strings.HasPrefix(a, ruleActorPrefix):
		return w.sayf("rule “%s”", "规则「%s」", strings.TrimPrefix(a, ruleActorPrefix))
	}
	if name, ch, ok := strings.Cut(a, " ("); ok && strings.HasSuffix(ch, ")") {
		return name + w.paren(w.staffChannel(strings.TrimSuffix(ch, ")")))
	}
	return a
}

// change is what a step to a status was, as a verb: "Approved", "批准".
func (w staffWords) change(to string) string {
	switch to {
	case string(Pending):
		return w.say("Placed", "下单")
	case string(Confirmed), string(Approved):
		return w.say("Approved", "批准")
	case string(Rejected):
		return w.say("Rejected", "拒绝")
	case string(Cancelled):
		return w.say("Cancelled", "取消")
	case string(Shipped):
		return w.say("Marked shipped", "标记为已发货")
	case string(Delivered):
		return w.say("Marked delivered", "标记为已送达")
	case string(Completed):
		return w.say("Completed", "完成")
	case "cancel_requested":
		return w.say("Cancel requested", "申请取消")
	case "cancel_rejected":
		return w.say("Cancel request refused", "拒绝取消申请")
	case string(Submitted):
		return w.say("Submitted", "提交")
	case string(Resolved):
		return w.say("Marked resolved", "标记为已解决")
	case "ended":
		return w.say("Ended", "结束")
	case "":
		return w.say("Changed", "更改")
	}
	return strings.ReplaceAll(to, "_", " ")
}

// byAt says who did what when: "由 张三（网页后台）于 11月30日 10:32（UTC+8）批准",
// "Approved by alice (staff console) at 30 Nov 10:32 (UTC+8)".
func (w staffWords) byAt(to, actor string, at time.Time) string {
	if w.zh {
		who := w.actor(actor)
		if who == "客户" {
			return zhJoin("客户于", w.when(at), w.change(to))
		}
		return zhJoin("由", who, "于", w.when(at), w.change(to))
	}
	return fmt.Sprintf("%s by %s at %s", w.change(to), w.actor(actor), w.when(at))
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

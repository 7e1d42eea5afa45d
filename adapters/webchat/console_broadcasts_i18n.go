package webchat

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/broadcast"
)

// What the create form could not read, in the words of its labels.
const (
	msgBadSendAt    = "Send at: want a date and time such as 2026-12-01 09:30."
	msgBadAfter     = "Last order on or after: want a date such as 2026-01-31."
	msgBadBefore    = "Last order before: want a date such as 2026-01-31."
	msgBadMinSpend  = "Spent at least: want an amount such as 100.00."
	msgBadMaxSpend  = "Spent at most: want an amount such as 100.00."
	msgEveryoneOpts = "everyone who agreed to promotions"
)

// broadcastsZH is the Chinese of the broadcast pages.
func broadcastsZH() map[string]string {
	return map[string]string{
		"Broadcasts": "营销消息", "New broadcast": "新建营销消息", "Broadcast": "营销消息",
		"No broadcasts.": "还没有营销消息。", "Created by": "创建人", "Audience": "人数", "Sends": "发送时间",
		"Sent / failed / skipped": "已送达 / 失败 / 跳过", "at once when approved": "批准后立即发送",
		"Chinese text": "中文内容", "English text": "英文内容", "Picture (web address)": "图片（网址）",
		"Coupon code": "优惠码", "Send at (empty: as soon as approved)": "发送时间（留空则批准后立即发送）",
		"Who gets it": "发送对象", "Channels": "渠道", "Languages": "语言", "Tiers": "会员等级",
		"Tags": "标签", " (comma-separated)": "（用逗号分隔）", "Channels:": "渠道：", "Languages:": "语言：", "Last order on or after": "最近下单不早于",
		"Last order before": "最近下单早于", "Spent at least": "累计消费不低于", "Spent at most": "累计消费不高于",
		"Only customers who agreed to promotions get it. Nothing ticked means all.": "只发给同意接收优惠消息的顾客。不勾选即为全部。",
		"Save as draft": "保存草稿", "Preview audience": "预览人数", "The shop's tiers:": "本店会员等级：",
		"As the customer reads it": "顾客看到的内容", "Segment": "发送对象",
		"Audience when submitted": "提交时人数", "Audience now": "当前人数",
		"Created": "创建时间", "Submitted": "提交时间", "Decided by": "处理人", "Decided": "处理时间",
		"Started": "开始发送", "Finished": "发送完毕", "Delivery report": "发送报告",
		"Targeted": "目标顾客", "Queued": "已排队", "Sent": "已送达", "Failed": "失败",
		"Skipped": "跳过", "Unsubscribed since it was sent": "发送后退订",
		"Submit for approval": "提交审批", "Approve": "批准", "Reject": "拒绝", "Cancel the broadcast": "取消发送",
		"The shop requires two people: someone other than who wrote a broadcast approves it.": "本店要求两人审核：营销消息须由创建人以外的人批准。",
		"The broadcast has changed meanwhile; this no longer applies.":                        "该营销消息刚刚有变动，此操作已不适用。",
		"Your role does not allow this.":                                                      "您的角色无权执行此操作。",
		"Outside WeChat's 48-hour window":                                                     "超出微信 48 小时客服窗口",
		msgBadSendAt:                                                                          "发送时间：请填写日期和时间，例如 2026-12-01 09:30。",
		msgBadAfter:                                                                           "最近下单不早于：请填写日期，例如 2026-01-31。",
		msgBadBefore:                                                                          "最近下单早于：请填写日期，例如 2026-01-31。",
		msgBadMinSpend:                                                                        "累计消费不低于：请填写金额，例如 100.00。",
		msgBadMaxSpend:                                                                        "累计消费不高于：请填写金额，例如 100.00。",
		msgEveryoneOpts:                                                                       "所有同意接收优惠消息的顾客",
	}
}

// BroadcastStatus is a broadcast's status in words.
func (v *viewer) BroadcastStatus(s broadcast.Status) string {
	w := map[broadcast.Status][2]string{
		broadcast.Draft: {"Draft", "草稿"}, broadcast.Pending: {"Waiting for approval", "等待审批"},
		broadcast.Approved: {"Approved, waiting to send", "已批准，等待发送"}, broadcast.Sending: {"Sending", "发送中"},
		broadcast.Sent: {"Sent", "已发送"}, broadcast.Rejected: {"Rejected", "已拒绝"}, broadcast.Cancelled: {"Cancelled", "已取消"},
	}
	return v.pick(w[s], string(s))
}

// BroadcastAction is an audit entry's action on a broadcast in words.
func (v *viewer) BroadcastAction(a string) string {
	w := map[string][2]string{
		"create": {"wrote it", "创建"}, broadcast.ActSubmit: {"submitted it for approval", "提交审批"},
		broadcast.ActApprove: {"approved", "批准"}, broadcast.ActReject: {"rejected", "拒绝"},
		broadcast.ActCancel: {"cancelled it", "取消发送"},
	}
	return v.pick(w[a], a)
}

// Agreed counts customers who agreed to promotions, in words.
func (v *viewer) Agreed(n int) string {
	switch {
	case v.Lang == "zh":
		return fmt.Sprintf("%d 位同意接收优惠消息的顾客", n)
	case n == 1:
		return "1 customer who agreed to promotions"
	}
	return fmt.Sprintf("%d customers who agreed to promotions", n)
}

// SkipReason is why customers got no message, in words.
func (v *viewer) SkipReason(r string) string {
	if r == broadcast.SkipOutsideWindow {
		return v.T("Outside WeChat's 48-hour window")
	}
	return r
}

// Segment words whom a broadcast is for.
func (v *viewer) Segment(s broadcast.Segment) string {
	var parts []string
	list := func(label string, vs []string, word func(string) string) {
		if len(vs) == 0 {
			return
		}
		ws := make([]string, len(vs))
		for i, x := range vs {
			ws[i] = word(x)
		}
		parts = append(parts, v.T(label)+v.pick([2]string{": ", "："}, ": ")+strings.Join(ws, v.pick([2]string{", ", "、"}, ", ")))
	}
	same := func(s string) string { return s }
	list("Channels", s.Channels, v.ChannelName)
	list("Languages", s.Langs, v.LangName)
	list("Tiers", s.Tiers, same)
	list("Tags", s.Tags, same)
	if !s.LastOrderAfter.IsZero() {
		parts = append(parts, v.T("Last order on or after")+" "+s.LastOrderAfter.In(v.loc).Format(time.DateOnly))
	}
	if !s.LastOrderBefore.IsZero() {
		parts = append(parts, v.T("Last order before")+" "+s.LastOrderBefore.In(v.loc).Format(time.DateOnly))
	}
	if s.MinSpent != nil {
		parts = append(parts, v.T("Spent at least")+" "+v.Money(*s.MinSpent))
	}
	if s.MaxSpent != nil {
		parts = append(parts, v.T("Spent at most")+" "+v.Money(*s.MaxSpent))
	}
	if len(parts) == 0 {
		return v.T(msgEveryoneOpts)
	}
	return strings.Join(parts, v.pick([2]string{"; ", "；"}, "; "))
}

// Decided says who decided a broadcast first, and when.
func (v *viewer) Decided(e *bot.DecidedError) string {
	verbs := map[string][2]string{"approved": {"approved", "批准"}, "rejected": {"rejected", "拒绝"}, "cancelled": {"cancelled", "取消"}}
	verb := v.pick(verbs[e.Verb()], e.Verb())
	if v.Lang == "zh" {
		return fmt.Sprintf("该营销消息已由 %s 于 %s %s。", v.Actor(e.By), v.Time(e.At), verb)
	}
	return fmt.Sprintf("The broadcast was already %s by %s at %s.", verb, v.Actor(e.By), v.Time(e.At))
}

// broadcastProblem is one of the service's refusals of a broadcast, worded
// for the console.
type broadcastProblem struct {
	re     *regexp.Regexp
	en, zh string
}

// broadcastProblems words the service's refusals for the console: the
// service words them for the API, with its field names. Only a refusal
// compiles them.
func broadcastProblems() []broadcastProblem {
	return []broadcastProblem{
		{regexp.MustCompile(`^Slack is a staff channel`), "Slack is a staff channel, never a customer's.", "Slack 是员工渠道，不能发给顾客。"},
		{regexp.MustCompile(`^unknown channel "(.*)"`), "Unknown channel %s.", "未知渠道 %s。"},
		{regexp.MustCompile(`^unknown language "(.*)"`), "Unknown language %s (Chinese or English only).", "未知语言 %s（仅支持中文或英文）。"},
		{regexp.MustCompile(`^unknown tier "(.*)"`), "There is no tier %s.", "没有会员等级 %s。"},
		{regexp.MustCompile(`^a tag is empty`), "A tag is empty.", "有一个标签是空的。"},
		{regexp.MustCompile(`^last_order_after must be before`), "“Last order on or after” must be earlier than “Last order before”.", "“最近下单不早于”的日期须早于“最近下单早于”的日期。"},
		{regexp.MustCompile(`^spend bounds cannot be negative`), "Amounts spent cannot be negative.", "消费金额不能为负数。"},
		{regexp.MustCompile(`^min_spent is above max_spent`), "“Spent at least” is more than “Spent at most”.", "“累计消费不低于”的金额高于“累计消费不高于”。"},
		{regexp.MustCompile(`^the segment includes customers who read (zh|en)`), "Some of these customers read %s, but the %[1]s text is empty.", "发送对象中有阅读%s的顾客，但%[1]s内容为空。"},
		{regexp.MustCompile(`^a text is longer than (\d+)`), "A text is longer than %s characters.", "内容超过 %s 个字。"},
		{regexp.MustCompile(`^image_url must be`), "The picture must be an http or https address.", "图片须为 http 或 https 网址。"},
		{regexp.MustCompile(`^send_at is in the past`), "The send time has already passed.", "发送时间已经过去。"},
		{regexp.MustCompile(`^there is no coupon (.*)`), "There is no coupon %s.", "没有优惠码 %s。"},
		{regexp.MustCompile(`^coupon (.*) can no longer be used`), "Coupon %s can no longer be used.", "优惠码 %s 已无法使用。"},
		{regexp.MustCompile(`^the segment matches nobody`), "Nobody in this audience agreed to promotions.", "发送对象中没有同意接收优惠消息的顾客。"},
	}
}

// BroadcastProblem is the service's refusal in the viewer's words; one it
// does not know is shown as the service says it.
func (v *viewer) BroadcastProblem(detail string) string {
	for _, p := range broadcastProblems() {
		m := p.re.FindStringSubmatch(detail)
		if m == nil {
			continue
		}
		format := v.pick([2]string{p.en, p.zh}, p.en)
		if len(m) < 2 {
			return format
		}
		arg := m[1]
		if arg == broadcast.LangZH || arg == broadcast.LangEN {
			arg = v.pick(map[string][2]string{"zh": {"Chinese", "中文"}, "en": {"English", "英文"}}[arg], arg)
		}
		return fmt.Sprintf(format, arg)
	}
	return detail
}

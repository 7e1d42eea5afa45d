package webchat

import (
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/orderbot/orderbot/bot"
)

// zh is the console's Chinese text, keyed by the English. Text missing here
// is shown in English.
func zh() map[string]string {
	return map[string]string{
		"Work queue": "待办", "Orders": "订单", "Customers": "客户", "After-sales": "售后",
		"Log out": "退出", "Search": "搜索", "Next page": "下一页", "All": "全部",
		"Order number, name or phone": "订单号、姓名或电话", "Name, phone or channel user": "姓名、电话或渠道用户",
		"Request or order number": "售后单号或订单号",
		"Status":                  "状态", "Channel": "渠道", "From": "从", "To": "到", "Type": "类型",
		"Order": "订单", "Customer": "客户", "Total": "合计", "Placed": "下单时间", "Contact": "联系人",
		"Items": "商品", "Qty": "数量", "Unit price": "单价", "Subtotal": "小计",
		"Payment": "付款", "Mark paid": "确认收款", "Refund": "退款", "Refunded": "已退款", "Reference": "付款凭证号",
		"Discount": "优惠", "Shipping": "运费", "To pay": "应付", "Coupon": "优惠券", "Pay by": "付款截止",
		"Coupons": "优惠券", "Code": "券码", "Minimum spend": "最低消费", "Tier": "会员等级", "Valid": "有效期",
		"Uses": "已用", "per customer": "每人", "Disabled": "已停用", "Active": "可用", "Enable": "启用",
		"Disable": "停用", "No coupons.": "还没有优惠券。", "New coupon": "新建优惠券", "Amount off": "减金额",
		"Percent off": "打折（减百分比）", "Total uses": "总次数", "Uses per customer": "每人次数", "Create": "创建",
		"Name": "姓名", "Phone": "电话", "Address": "地址", "Language": "语言",
		"Timeline": "状态时间线", "Audit trail": "操作记录", "Who": "操作人", "What": "操作", "When": "时间",
		"Note": "备注", "Actions": "操作", "Request": "售后单", "Reason": "原因", "Filed": "提交时间",
		"Decision reason": "处理说明", "Identities": "渠道身份", "First order": "首单", "Last order": "最近一单",
		"Order count": "订单数", "Total spend": "消费总额", "Average order value": "平均客单价",
		"Handoffs": "人工客服记录", "Opened": "开始", "Closed": "结束", "Closed by": "结束人", "Open": "进行中",
		"Nothing found.": "没有找到。", "No after-sales requests.": "没有售后申请。", "No orders.": "没有订单。",
		"No handoffs.": "没有人工客服记录。", "Customer since": "首次联系",
		"This page does not exist.": "此页面不存在。", "Nothing has this number.": "找不到这个编号。",
		"Something went wrong, please try again.": "出错了，请重试。", "Back to the work queue": "返回待办",
		"Times are in": "时间为", "the customer": "客户", "rule": "规则",
		"New orders": "新订单", "To ship or deliver": "待发货/送达", "Cancel requests": "取消申请",
		"Handoffs waiting": "等待人工", "Unhappy customers": "差评待跟进", "No open work. New orders and requests appear here by themselves.": "没有待办。新订单和申请会自动出现在这里。",
		"Reconnecting…": "正在重新连接…", "Working…": "处理中…", "Done.": "完成。",
		"Approve": "批准", "Reject": "拒绝", "Mark shipped": "标记已发货", "Mark delivered": "标记已送达",
		"Complete": "完成", "Mark resolved": "标记已解决", "Approve cancel": "同意取消", "Reject cancel": "拒绝取消",
		"Cancel": "取消", "Carrier": "快递公司", "Tracking number": "运单号",
		"Reason (shown to the customer)": "原因（客户可见）", "Note to the customer (next steps, return address)": "给客户的说明（下一步、退货地址等）", "Message to the customer": "给客户的消息",
		"Web chat visitor": "网页访客", "Cancel requested": "已申请取消", "Language of the console": "控制台语言",
		"Only the latest handoffs are shown:":                  "仅显示最近的人工客服记录：",
		"Personal data":                                        "个人信息",
		"Download all data (JSON)":                             "下载全部数据（JSON）",
		"Erase personal data…":                                 "删除个人信息…",
		"Erase personal data":                                  "删除个人信息",
		"Only an admin can erase or export a customer's data.": "只有管理员可以删除或导出客户的个人信息。",
		"Type the customer's number to confirm.":               "请输入客户编号以确认。",
		"Customer %d's personal data was erased. Orders keep their items and amounts.": "客户 %d 的个人信息已删除。订单的商品和金额保留。",
		"Customer %d's personal data had been erased already; nothing changed.":        "客户 %d 的个人信息此前已删除，本次未作任何更改。",
		"This erases the customer's name, phone, address, conversation, messages, photos, after-sales reasons, notes and tags everywhere, and blanks the contact of their orders. Orders keep their items and amounts; the audit trail records that you erased them. Staff cards already posted in Slack or Telegram are edited. This cannot be undone.": "此操作将删除该客户在所有位置的姓名、电话、地址、对话、消息、照片、售后原因、备注和标签，并清空其订单中的联系人信息。订单的商品和金额保留；审计记录会记下由您执行了删除。已发到 Slack 或 Telegram 的员工卡片会被更新。此操作无法撤销。",
		"Customer number":      "客户编号",
		"Back to the customer": "返回客户页面",
	}
}

// reportsZH is the Chinese of the reports dashboard; the KPIs' own names
// come from bot/report, worded as in the daily report.
func reportsZH() map[string]string {
	return map[string]string{
		"Reports": "报表", "Show": "查看", "KPI": "指标", "Yesterday": "昨天", "Last 7 days": "近 7 天",
		"Last 30 days": "近 30 天", "Top products": "畅销商品", "Revenue": "收入", "Downloads": "下载",
		"Orders and revenue per day": "每日订单与收入",
		"The chart shows every channel, over the range or the 30 days ending with it when the range is shorter.":              "图表含全部渠道，显示所选日期范围；不足 30 天时显示截至结束日的 30 天。",
		"Orders have one row per item; customers are those who ordered in the range; CSV opens in Excel with Chinese intact.": "订单每个商品一行；客户为该期间下过单的客户；CSV 可直接用 Excel 打开，中文不会乱码。",
		"Downloads hold customers' personal data: they take the approver role.":                                               "下载文件含客户个人信息，需要审批员及以上角色。",
		"“From” must be a date like 2026-01-31.":                                                                              "“从”应为日期，例如 2026-01-31。",
		"“To” must be a date like 2026-01-31.":                                                                                "“到”应为日期，例如 2026-01-31。",
		"“From” must not be after “To”.":                                                                                      "“从”不能晚于“到”。",
		"A range may have at most %d days.":                                                                                   "日期范围最多 %d 天。",
		"Channel must be one of the list.":                                                                                    "渠道须从列表中选择。",
	}
}

// T is the viewer's text for the English s.
func (v *viewer) T(s string) string {
	if v.Lang == "zh" {
		if t, ok := v.zh()[s]; ok {
			return t
		}
	}
	return s
}

func (v *viewer) zh() map[string]string {
	if v.dict == nil {
		v.dict = zh()
		for k, t := range careZH() {
			v.dict[k] = t
		}
		maps.Copy(v.dict, reportsZH())
		maps.Copy(v.dict, zhBackoffice())
		maps.Copy(v.dict, followUpsZH())
		maps.Copy(v.dict, broadcastsZH())
	}
	return v.dict
}

// OrderStatus is an order status in words.
// PaymentStatus is where an order's money is, in words, with how it is paid.
func (v *viewer) PaymentStatus(o *bot.Order) string {
	w := map[bot.PaymentStatus][2]string{
		bot.Unpaid: {"Unpaid", "待付款"}, bot.Paid: {"Paid", "已付款"},
		bot.PartiallyRefunded: {"Partly refunded", "部分退款"}, bot.Refunded: {"Refunded", "已退款"},
	}
	m := map[bot.PayMethod][2]string{bot.PayCOD: {"cash on delivery", "货到付款"}, bot.PayTransfer: {"transfer", "转账"}}
	return v.pick(w[o.PaymentStatus], string(o.PaymentStatus)) + " · " + v.pick(m[o.PayMethod], string(o.PayMethod))
}

func (v *viewer) OrderStatus(s bot.OrderStatus) string {
	en := map[bot.OrderStatus][2]string{
		bot.Pending: {"Awaiting approval", "待确认"}, bot.Confirmed: {"Confirmed", "已确认"},
		bot.Rejected: {"Rejected", "已拒绝"}, bot.Cancelled: {"Cancelled", "已取消"},
		bot.Shipped: {"Shipped", "已发货"}, bot.Delivered: {"Delivered", "已送达"},
		bot.Completed: {"Completed", "已完成"},
	}
	return v.pick(en[s], string(s))
}

// RequestStatus is an after-sales status in words.
func (v *viewer) RequestStatus(s bot.RequestStatus) string {
	w := map[bot.RequestStatus][2]string{
		bot.Submitted: {"Awaiting decision", "待处理"}, bot.Approved: {"Approved", "已批准"},
		bot.Declined: {"Rejected", "已拒绝"}, bot.Resolved: {"Resolved", "已解决"},
	}
	return v.pick(w[s], string(s))
}

// RequestType is an after-sales type in words.
func (v *viewer) RequestType(t bot.AfterSalesType) string {
	w := map[bot.AfterSalesType][2]string{
		bot.Return: {"Return", "退货"}, bot.Refund: {"Refund", "退款"}, bot.Exchange: {"Exchange", "换货"},
		bot.Repair: {"Repair", "维修"}, bot.Complaint: {"Complaint", "投诉"},
	}
	return v.pick(w[t], string(t))
}

// StepWord is a history step's status (an order's or a request's) in words.
func (v *viewer) StepWord(s string) string {
	switch s {
	case "cancel_requested":
		return v.T("Cancel requested")
	case string(bot.Submitted), string(bot.Approved), string(bot.Resolved):
		return v.RequestStatus(bot.RequestStatus(s))
	case "open":
		return v.T("Open")
	case "closed":
		return v.T("Closed")
	case "":
		return ""
	}
	return v.OrderStatus(bot.OrderStatus(s))
}

// ChannelName is a channel's label.
func (v *viewer) ChannelName(ch string) string {
	w := map[string][2]string{
		bot.WebChat: {"Web chat", "网页聊天"}, bot.Telegram: {"Telegram", "Telegram"},
		bot.Slack: {"Slack", "Slack"}, bot.WeChat: {"WeChat", "微信"}, bot.APIChannel: {"API", "API"},
	}
	return v.pick(w[ch], ch)
}

func (v *viewer) pick(w [2]string, fallback string) string {
	switch {
	case w[0] == "":
		return fallback
	case v.Lang == "zh":
		return w[1]
	}
	return w[0]
}

// Actor names who made a change the way staff read it: a customer by the
// word, not by their platform id; staff by name and channel label.
func (v *viewer) Actor(a string) string {
	switch {
	case strings.HasPrefix(a, "customer "):
		return v.T("the customer")
	case strings.HasPrefix(a, "rule:"):
		return v.T("rule") + " " + strings.TrimPrefix(a, "rule:")
	}
	if name, ch, ok := strings.Cut(a, " ("); ok && strings.HasSuffix(ch, ")") {
		return name + " (" + v.ChannelName(strings.TrimSuffix(ch, ")")) + ")"
	}
	return a
}

// Time is t in the shop's zone.
func (v *viewer) Time(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.In(v.loc).Format("2006-01-02 15:04")
}

// Money is an amount in minor units with the shop's currency.
func (v *viewer) Money(minor int64) string {
	sign := ""
	if minor < 0 {
		sign, minor = "-", -minor
	}
	return fmt.Sprintf("%s%s%d.%02d", sign, v.cur, minor/100, minor%100)
}

// LangName is a customer language code in words.
func (v *viewer) LangName(code string) string {
	switch code {
	case "zh":
		return "中文"
	case "en":
		return "English"
	}
	return code
}

// RoleName is the viewer's role in words.
func (v *viewer) RoleName() string {
	w := map[bot.Role][2]string{bot.Agent: {"agent", "客服"}, bot.Approver: {"approver", "审批员"}, bot.Admin: {"admin", "管理员"}}
	return v.pick(w[v.Role], string(v.Role))
}

// ActionWord is an audit entry's action in words; an action this does not
// know is shown as it is recorded.
func (v *viewer) ActionWord(a string) string {
	w := map[string][2]string{
		"place": {"placed the order", "下单"}, "cancel": {"cancelled the order", "取消订单"},
		"request cancel": {"asked to cancel", "申请取消"},
		"order approve":  {"approved the order", "批准订单"}, "order reject": {"rejected the order", "拒绝订单"},
		"order ship": {"marked shipped", "标记已发货"}, "order deliver": {"marked delivered", "标记已送达"},
		"order complete": {"completed the order", "完成订单"},
		"cancel approve": {"approved the cancel request", "同意取消"}, "cancel reject": {"refused the cancel request", "拒绝取消"},
		"approve": {"approved", "批准"}, "reject": {"rejected", "拒绝"}, "resolve": {"marked resolved", "标记已解决"},
		"request": {"asked for a person", "请求人工"}, "leave": {"left the conversation", "离开对话"},
		"reply": {"replied", "回复"}, "close": {"ended the conversation", "结束对话"},
	}
	if t, ok := strings.CutPrefix(a, "file "); ok {
		return v.pick([2]string{"filed a request", "提交售后申请"}, a) + ": " + v.RequestType(bot.AfterSalesType(t))
	}
	return v.pick(w[a], a)
}

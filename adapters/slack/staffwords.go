package slack

import (
	"time"

	"github.com/orderbot/orderbot/bot"
)

// staffText is the language of what the adapter itself says to staff
// (forms, private answers, the /orders command): Chinese unless the shop's
// staff read English (Config.StaffLang "en"). Cards and the notes after an
// action come worded from the core.
type staffText struct{ bot.StaffWords }

func newStaffText(lang string) staffText {
	return staffText{bot.NewStaffWords(lang, nil, "", time.Time{})}
}

func (w staffText) notAllowed() string {
	return w.Say("You don't have permission to do that.", "你没有权限执行此操作。")
}

func (w staffText) failed() string {
	return w.Say("Something went wrong; please try again.", "出错了，请重试。")
}

func (w staffText) outOfDate() string {
	return w.Say("This card is out of date; it has been refreshed.", "这张卡片已过期，已刷新为最新状态。")
}

func (w staffText) usage() string {
	return w.Say("Usage: `/orders pending` (what awaits a decision), `/orders <number>` (an order and its timeline), `/orders today` (today's orders and revenue).",
		"用法：`/orders pending`（待处理的事项）、`/orders <订单号>`（订单详情和时间线）、`/orders today`（今日订单和收入）。")
}

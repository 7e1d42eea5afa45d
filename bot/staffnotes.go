package bot

import (
	"errors"
)

// done is what an action did, for the note to the staff member who took
// it: "已批准", "approved".
func (w StaffWords) done(to string) string {
	switch to {
	case string(Confirmed), string(Approved):
		return w.Say("approved", "已批准")
	case string(Rejected):
		return w.Say("rejected", "已拒绝")
	case string(Cancelled):
		return w.Say("cancelled", "已取消")
	case string(Shipped):
		return w.Say("marked shipped", "已标记为已发货")
	case string(Delivered):
		return w.Say("marked delivered", "已标记为已送达")
	case string(Completed):
		return w.Say("completed", "已完成")
	case "cancel_rejected":
		return w.Say("cancel request refused", "已拒绝取消申请")
	case string(Resolved):
		return w.Say("marked resolved", "已标记为已解决")
	}
	return w.change(to)
}

func (w StaffWords) orderNote(number, to string) string {
	return w.Sayf("Order %s %s.", "订单 %s %s。", number, w.done(to))
}

func (w StaffWords) requestNote(number, to string) string {
	return w.Sayf("After-sales %s %s.", "售后 %s %s。", number, w.done(to))
}

// refusal says why a staff action did nothing, for the staff member who
// took it; "" for a repeat of an event already handled (it was answered
// the first time) and for failures that are no one's input (the caller
// logs them and may try again).
func (w StaffWords) refusal(err error) string {
	var decided *DecidedError
	var state *StateError
	switch {
	case err == nil, errors.Is(err, ErrDuplicate):
		return ""
	case errors.Is(err, ErrForbidden):
		return w.Say("You don't have permission to do that.", "你没有权限执行此操作。")
	case errors.As(err, &decided) && decided.Status == "ended":
		return w.Sayf("This conversation was already ended by %s at %s.", "这次对话已由 %s 于 %s 结束。",
			w.actor(decided.By), w.When(decided.At))
	case errors.As(err, &decided):
		return w.Say("Already decided: ", "已处理：") + w.byAt(decided.Status, decided.By, decided.At) + w.Say(".", "。")
	case errors.As(err, &state), errors.Is(err, ErrConflict):
		return w.Say("This card is out of date; please use the current one.", "这张卡片已过期，请按最新的卡片操作。")
	case errors.Is(err, ErrNotFound):
		return w.Say("This item no longer exists.", "找不到这一项，可能已被删除。")
	case errors.Is(err, errNoReason):
		return w.Say("Not done: a reject needs a reason.", "未执行：拒绝需要填写原因。")
	case errors.Is(err, errNoShipping):
		return w.Say("Not done: enter the carrier and the tracking number.", "未执行：请填写快递公司和运单号。")
	case errors.Is(err, errReplyLength):
		return w.Say("Not sent: a reply must be 1 to 1000 characters.", "未发送：回复需为 1 到 1000 个字。")
	case errors.Is(err, ErrInvalid):
		return w.Say("Not done: that is not valid here.", "未执行：此操作在这里无效。")
	}
	return ""
}

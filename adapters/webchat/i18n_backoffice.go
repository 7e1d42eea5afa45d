package webchat

// zhBackoffice is the Chinese of the console's customer records:
// conversations with staff, tags, notes, tiers and merging.
func zhBackoffice() map[string]string {
	return map[string]string{
		"All conversations with staff": "全部人工客服对话", "Conversations with staff": "人工客服对话",
		"Earlier messages": "更早的消息", "Later messages": "更新的消息", "Handoff": "人工客服",
		"photos": "图片", "Nothing was written.": "没有对话内容。",
		"Tier": "会员等级", "pinned": "手动指定", "Tags": "标签", "Staff note": "员工备注",
		"comma-separated, e.g. vip, wholesale": "用逗号分隔，例如 vip, 批发",
		"Save tags and note":                   "保存标签和备注", "Pinned tier": "指定等级", "Not pinned (computed)": "不指定（自动计算）",
		"Merge another customer into this one (the same person on another channel): customer number": "将另一位客户合并到此客户（同一人在其他渠道）：客户编号",
		"Find the customer": "查找客户", "Customer number": "客户编号", "Merge": "合并",
		"Their identities, orders, requests, conversations, tags and notes move here; the other record is gone. This cannot be undone.": "对方的渠道身份、订单、售后申请、对话、标签和备注都将移到这里，对方记录随之消失。此操作无法撤销。",
		"Save tier": "保存等级", "Your role does not allow this.": "您的角色无权执行此操作。", "Not saved:": "未保存：",
	}
}

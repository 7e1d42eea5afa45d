package webchat

// zhBackoffice is the Chinese of the console's customer records:
// conversations with staff, tags, notes, tiers and merging.
func zhBackoffice() map[string]string {
	return map[string]string{
		"All conversations with staff": "全部人工客服对话", "Conversations with staff": "人工客服对话",
		"Earlier messages": "更早的消息", "Later messages": "更新的消息", "Handoff": "人工客服",
		"photos": "图片", "Nothing was written.": "没有对话内容。",
	}
}

package telegram

import (
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/orderbot/orderbot/bot"
)

// staffText is the language of what the bot says in the staff group:
// Chinese unless the shop's staff read English (Config.StaffLang "en").
type staffText struct{ bot.StaffWords }

func newStaffText(lang string) staffText {
	return staffText{bot.NewStaffWords(lang, nil, "", time.Time{})}
}

// Notes for staff that the core does not word itself.
func (w staffText) notAllowed() string {
	return w.Say("You don't have permission to do that.", "你没有权限执行此操作。")
}
func (w staffText) outOfDate() string {
	return w.Say("This card is out of date.", "这张卡片已过期。")
}
func (w staffText) badButton() string {
	return w.Say("This button is no longer valid.", "这个按钮已失效。")
}
func (w staffText) replyBelow() string {
	return w.Say("Reply to my message below.", "请回复下面这条消息。")
}
func (w staffText) promptExpired() string {
	return w.Say("This question has expired. Press the button on the card again.", "这个提问已过期，请在卡片上重新点按钮。")
}
func (w staffText) promptNotYours() string {
	return w.Say("This question was for another staff member.", "这个提问是给另一位同事的。")
}
func (w staffText) promptAnswered() string {
	return w.Say("This question was already answered.", "这个提问已经有人回复过了。")
}
func (w staffText) needText() string {
	return w.Say("Please reply with text.", "请用文字回复。")
}
func (w staffText) tooLong() string {
	return w.Sayf("That is too long (at most %d characters).", "内容太长了（最多 %d 个字）。", maxStaffText)
}
func (w staffText) shippingHelp() string {
	return w.Say(`Reply with the carrier and the tracking number, e.g. "SF Express SF1234567890" or "Royal Mail RM123456785GB".`,
		"请回复快递公司和运单号，例如“顺丰 SF1234567890”或“Royal Mail RM123456785GB”。")
}
func (w staffText) photos(n int) string {
	return w.Sayf("Photos: %d", "图片：%d 张", n)
}

// prompt asks for what an action needs, naming the item by its number:
// "@alice 拒绝订单 100001 的原因是什么？请直接回复这条消息（客户会看到）。"
func (w staffText) prompt(input, subject string) string {
	if w.Chinese() {
		subject = spaced(subject)
	}
	switch input {
	case "reason":
		return w.Sayf("Why reject %s? Reply to this message with the reason (the customer sees it).",
			"拒绝%s的原因是什么？请直接回复这条消息（客户会看到）。", subject)
	case "shipping":
		return w.Sayf(`Carrier and tracking number for %s? Reply to this message, e.g. "SF Express SF1234567890".`,
			"%s的快递公司和运单号是什么？请直接回复这条消息，例如“顺丰 SF1234567890”。", subject)
	case "note":
		return w.Sayf("Approving %s: what should the customer do next? Reply to this message with the note (the customer sees it).",
			"批准%s：请直接回复这条消息，告诉客户下一步怎么做（客户会看到）。", subject)
	}
	return w.Sayf("Your message to %s? Reply to this message with it.",
		"要发给%s的消息是什么？请直接回复这条消息。", subject)
}

// placeholder is the hint in the staff member's input field.
func (w staffText) placeholder(input string) string {
	switch input {
	case "reason":
		return w.Say("Reason", "原因")
	case "shipping":
		return w.Say("CARRIER TRACKING-NUMBER", "快递公司 运单号")
	case "note":
		return w.Say("Note to the customer", "给客户的说明")
	}
	return w.Say("Message", "消息")
}

// spaced sets off a Chinese phrase's trailing number from the word after
// it: "订单 100001 的", but "张三（微信）的".
func spaced(s string) string {
	if s == "" {
		return s
	}
	last := rune(s[len(s)-1])
	if last < utf8.RuneSelf && (unicode.IsLetter(last) || unicode.IsDigit(last)) {
		return s + " "
	}
	return s
}

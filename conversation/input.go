package conversation

import (
	"regexp"
	"strings"
	"unicode"
)

// normalize folds what a customer typed for comparison with words and
// labels: fullwidth forms (common with Chinese input methods) become ASCII,
// case and runs of spaces (the ideographic space too) are ignored, and
// trailing punctuation is dropped.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 0xFF01 && r <= 0xFF5E {
			r -= 0xFEE0
		}
		b.WriteRune(unicode.ToLower(r))
	}
	folded := strings.Join(strings.Fields(b.String()), " ")
	return strings.TrimRight(folded, ".!?。！？")
}

// globalKind is a word that works in every stage.
type globalKind int

const (
	gMenu globalKind = iota + 1
	gHelp
	gOrders
	gOrder
	gAfterSales
	gCancel
	gHuman
	gEnglish
	gChinese
	gBrowse
	gEndChat
	gSubscribe
	gUnsubscribe
)

// global is a global word and its order number, if one was given.
type global struct {
	kind globalKind
	arg  string
}

// parseGlobal recognises the words customers may type in any stage. A
// leading slash is allowed because Telegram clients send /start and /help.
func parseGlobal(norm string) (global, bool) {
	w := strings.TrimPrefix(norm, "/")
	if k, ok := bareWord(w); ok {
		return global{kind: k}, true
	}
	for _, p := range argWords() {
		rest, found := strings.CutPrefix(w, p.word)
		if !found {
			continue
		}
		if num, ok := orderArg(rest); ok {
			return global{kind: p.kind, arg: num}, true
		}
	}
	return global{}, false
}

// bareWord is the global word w that takes no order number. A switch, not
// a map literal: it is asked on every typed message, and a map would be
// built for each.
func bareWord(w string) (globalKind, bool) {
	switch w {
	case "menu", "菜单", "主菜单", "start":
		return gMenu, true
	case "help", "帮助":
		return gHelp, true
	case "orders", "my orders", "我的订单", "order", "订单":
		return gOrders, true
	case "after-sales", "aftersales", "after sales", "after-sale", "售后", "售后服务":
		return gAfterSales, true
	case "cancel", "取消", "取消订单":
		return gCancel, true
	case "end chat", "end", "结束人工", "结束对话", "退出人工":
		return gEndChat, true
	case "human", "人工", "人工客服", "转人工":
		return gHuman, true
	case "english", "en":
		return gEnglish, true
	case "中文", "chinese", "zh", "简体中文":
		return gChinese, true
	// Not in the contract's list, but what a menu button (WeChat's
	// 商品目录) or a customer naturally sends to see the products.
	case "catalog", "browse", "products", "商品目录", "商品", "浏览商品":
		return gBrowse, true
	// Consent to promotions, which must be withdrawable with one word.
	case "subscribe", "订阅":
		return gSubscribe, true
	case "unsubscribe", "退订", "取消订阅":
		return gUnsubscribe, true
	}
	return 0, false
}

type argWord struct {
	word string
	kind globalKind
}

// argWords are the global words followed by an order number, longest first
// so that 订单号 is not read as 订单 followed by 号.
func argWords() []argWord {
	return []argWord{
		{"after-sales", gAfterSales}, {"after sales", gAfterSales}, {"aftersales", gAfterSales},
		{"after-sale", gAfterSales}, {"售后服务", gAfterSales}, {"售后", gAfterSales},
		{"取消订单", gCancel}, {"cancel", gCancel}, {"取消", gCancel},
		{"订单号", gOrder}, {"订单", gOrder}, {"order", gOrder},
	}
}

// orderArg reads an order number after a global word, tolerating "#", ":",
// "no." and the word "order" in between ("cancel order #100023").
func orderArg(rest string) (string, bool) {
	for {
		trimmed := strings.TrimLeft(rest, " #:：.,，№")
		for _, filler := range []string{"order", "订单号", "订单", "number", "no", "号"} {
			if s, ok := strings.CutPrefix(trimmed, filler); ok && s != "" {
				trimmed = s
				break
			}
		}
		if trimmed == rest {
			break
		}
		rest = trimmed
	}
	return rest, orderNumberLike(rest)
}

// requestNumber reads an after-sales request number ("S100008", "s100008")
// and returns it as the shop writes it; normalize has lower-cased it.
func requestNumber(s string) (string, bool) {
	if !requestNumberRE.MatchString(s) {
		return "", false
	}
	return strings.ToUpper(s), true
}

// requestNumberRE is an after-sales request number: S and six to ten digits.
var requestNumberRE = regexp.MustCompile(`^[sS][0-9]{6,10}$`)

// orderNumberLike accepts one token of letters, digits and dashes with at
// least one digit, so "orders" or "cancel this" are not read as numbers.
func orderNumberLike(s string) bool {
	digit := false
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digit = true
		case r >= 'a' && r <= 'z', r == '-':
		default:
			return false
		}
	}
	return digit && len(s) <= 32
}

// consent reports whether the word gives or withdraws consent to
// promotions, which works even while a person is chatting with the customer.
func (k globalKind) consent() bool { return k == gSubscribe || k == gUnsubscribe }

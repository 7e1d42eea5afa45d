package conversation

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"
)

// meaning is what a customer's free text is taken to ask for when it is
// neither a global word nor one of the options shown.
type meaning int

const (
	mGreeting   meaning = iota + 1
	mThanks             // 谢谢, thanks
	mHuman              // 客服, customer service
	mAfterSales         // 我要退货, I want a refund: opens after-sales with the type chosen
	mTrack              // 查物流, track my order: the latest order's shipping
	mBuy                // 下单, I want to buy
	mCart               // 购物车, my cart
	mBack               // 返回, back
	mOrders             // 查订单, where is my order
)

// phrase is one way customers say something. A phrase matches when the
// folded text contains it (for English, as whole words); whole phrases must
// be all the text, for short words that are too common inside sentences.
type phrase struct {
	text  string
	means meaning
	as    AfterSalesType // for mAfterSales
	whole bool
}

// phrases is the table of what customers type, in both languages. It is
// data on purpose: adding a shop's own words is adding rows, and the table
// test in understand_test.go covers every family.
func phrases() []phrase {
	return []phrase{
		// Greetings: answered, then the current options again.
		{text: "你好", means: mGreeting}, {text: "您好", means: mGreeting}, {text: "在吗", means: mGreeting},
		{text: "在不在", means: mGreeting}, {text: "哈喽", means: mGreeting}, {text: "嗨", means: mGreeting, whole: true},
		{text: "hi", means: mGreeting, whole: true}, {text: "hello", means: mGreeting}, {text: "hey", means: mGreeting, whole: true},
		{text: "good morning", means: mGreeting}, {text: "good afternoon", means: mGreeting}, {text: "good evening", means: mGreeting},
		// Thanks.
		{text: "谢谢", means: mThanks}, {text: "多谢", means: mThanks}, {text: "感谢", means: mThanks}, {text: "谢了", means: mThanks},
		{text: "thanks", means: mThanks}, {text: "thank you", means: mThanks}, {text: "thx", means: mThanks, whole: true},
		{text: "cheers", means: mThanks, whole: true},
		// A person.
		{text: "客服", means: mHuman}, {text: "找人工", means: mHuman}, {text: "真人", means: mHuman},
		{text: "customer service", means: mHuman}, {text: "agent", means: mHuman}, {text: "real person", means: mHuman},
		{text: "talk to a person", means: mHuman}, {text: "talk to someone", means: mHuman}, {text: "speak to someone", means: mHuman},
		{text: "support", means: mHuman, whole: true},
		// After-sales, as shoppers name the kinds.
		{text: "退货退款", means: mAfterSales, as: Return}, {text: "退货", means: mAfterSales, as: Return},
		{text: "仅退款", means: mAfterSales, as: Refund}, {text: "退款", means: mAfterSales, as: Refund}, {text: "退钱", means: mAfterSales, as: Refund},
		{text: "换货", means: mAfterSales, as: Exchange}, {text: "换一个", means: mAfterSales, as: Exchange},
		{text: "维修", means: mAfterSales, as: Repair}, {text: "修理", means: mAfterSales, as: Repair}, {text: "坏了", means: mAfterSales, as: Repair},
		{text: "投诉", means: mAfterSales, as: Complaint},
		{text: "return", means: mAfterSales, as: Return}, {text: "send it back", means: mAfterSales, as: Return},
		{text: "refund", means: mAfterSales, as: Refund}, {text: "money back", means: mAfterSales, as: Refund},
		{text: "exchange", means: mAfterSales, as: Exchange}, {text: "swap", means: mAfterSales, as: Exchange},
		{text: "repair", means: mAfterSales, as: Repair}, {text: "broken", means: mAfterSales, as: Repair},
		{text: "complaint", means: mAfterSales, as: Complaint}, {text: "complain", means: mAfterSales, as: Complaint},
		// Where the parcel is.
		{text: "查物流", means: mTrack}, {text: "物流", means: mTrack}, {text: "查快递", means: mTrack}, {text: "快递", means: mTrack},
		{text: "到哪了", means: mTrack}, {text: "发货了吗", means: mTrack}, {text: "什么时候发货", means: mTrack}, {text: "运单", means: mTrack},
		{text: "track", means: mTrack}, {text: "tracking", means: mTrack}, {text: "where is my order", means: mTrack},
		{text: "shipping status", means: mTrack}, {text: "delivery status", means: mTrack}, {text: "shipped yet", means: mTrack},
		// Buying.
		{text: "下单", means: mBuy}, {text: "我要买", means: mBuy}, {text: "想买", means: mBuy}, {text: "购买", means: mBuy},
		{text: "买东西", means: mBuy}, {text: "看看商品", means: mBuy}, {text: "有什么卖", means: mBuy},
		{text: "i want to buy", means: mBuy}, {text: "buy", means: mBuy, whole: true}, {text: "shop", means: mBuy, whole: true},
		{text: "place an order", means: mBuy}, {text: "what do you sell", means: mBuy}, {text: "menu please", means: mBuy},
		// The cart.
		{text: "购物车", means: mCart}, {text: "我的购物车", means: mCart}, {text: "cart", means: mCart}, {text: "my cart", means: mCart},
		{text: "basket", means: mCart},
		// Back.
		{text: "返回", means: mBack, whole: true}, {text: "返回上一步", means: mBack, whole: true}, {text: "上一步", means: mBack, whole: true},
		{text: "back", means: mBack, whole: true}, {text: "go back", means: mBack, whole: true},
		// Orders.
		{text: "查订单", means: mOrders}, {text: "查询订单", means: mOrders}, {text: "订单状态", means: mOrders},
		{text: "order status", means: mOrders}, {text: "check my order", means: mOrders},
	}
}

// understood is the reading of a customer's free text.
type understood struct {
	means  meaning
	as     AfterSalesType
	number string // an order or request number found in the text
}

// orderNumberInText finds an order number written inside a sentence
// ("查询订单100001", "where is 100001?"). Order numbers have six to ten
// digits: quantities, prices and option numbers are shorter, and phone
// numbers (eleven digits in China) longer.
var orderNumberInText = regexp.MustCompile(`(?:^|[^0-9a-z+])([0-9]{6,10})(?:$|[^0-9a-z])`)

// requestNumberInText finds an after-sales request number ("s100008"
// after folding) inside a sentence such as "查一下售后S100008".
var requestNumberInText = regexp.MustCompile(`(?:^|[^0-9a-z])(s[0-9]{6,10})(?:$|[^0-9a-z])`)

// understand reads free text by the phrase table. The longest matching
// phrase wins, so 退货退款 is a return, not a refund, and 仅退款 a refund.
func understand(norm string) (understood, bool) {
	var u understood
	if m := orderNumberInText.FindStringSubmatch(norm); m != nil {
		u.number = m[1]
	} else if m := requestNumberInText.FindStringSubmatch(norm); m != nil {
		u.number = m[1]
	}
	best := 0
	for _, p := range phrases() {
		if n := utf8.RuneCountInString(p.text); n > best && phraseIn(norm, p) {
			best, u.means, u.as = n, p.means, p.as
		}
	}
	if u.means == 0 && u.number != "" {
		u.means = mOrders
	}
	return u, u.means != 0
}

// phraseIn reports whether the phrase is in the folded text: the whole
// text for whole phrases, anywhere for Chinese, as whole words for English.
func phraseIn(norm string, p phrase) bool {
	if p.whole {
		return strings.TrimRight(norm, ",，~") == p.text
	}
	if !isASCII(p.text) {
		return strings.Contains(norm, p.text)
	}
	for i := 0; ; {
		j := strings.Index(norm[i:], p.text)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(p.text)
		if wordEdge(norm, start-1) && wordEdge(norm, end) {
			return true
		}
		i = start + 1
	}
}

// wordEdge reports whether byte i of s is outside the text or not a
// letter or digit, so "refund" is found in "a refund?" but "shop" is not
// in "shopping".
func wordEdge(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(s[i:])
	if r == utf8.RuneError {
		r, _ = utf8.DecodeLastRuneInString(s[:i+1])
	}
	return !unicode.IsLetter(r) && !unicode.IsDigit(r) || r > unicode.MaxASCII
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] > unicode.MaxASCII {
			return false
		}
	}
	return true
}

// takesText reports whether a stage reads free text as its answer (a name,
// a quantity, a reason, a message to staff), where the phrase table and
// product search must stay out of the way.
func (st Stage) takesText() bool {
	switch st {
	case stageQty, stageCartQty, stageName, stagePhone, stageAddress, stageASReason, stageASPhotos, stageHuman:
		return true
	}
	return false
}

// asksContact reports whether a stage asks for a contact detail.
func (st Stage) asksContact() bool {
	return st == stageName || st == stagePhone || st == stageAddress
}

// interpret answers free text that matched no option: a phrase from the
// table, an order number inside a sentence, or a product's name. It
// reports false when it found no meaning, and the stage says it did not
// understand.
func (t *turn) interpret(a answer) (Result, bool) {
	if u, ok := understand(a.norm); ok {
		return t.act(u), true
	}
	if hits := searchProducts(t.index(), a.norm); len(hits) > 0 {
		return t.showSearch(a.norm, hits), true
	}
	return Result{}, false
}

// act carries out what the free text asked for.
func (t *turn) act(u understood) Result {
	switch u.means {
	case mGreeting:
		t.say(msgGreeting)
		return t.show()
	case mThanks:
		t.say(msgThanks)
		return t.show()
	case mHuman:
		return t.intend(RequestHuman{})
	case mBack:
		if key := t.view().byKey(keyBack); key != "" {
			return t.stage().handle(t, answer{key: key})
		}
		return t.goTo(stageMenu)
	}
	t.s = t.s.restart()
	switch u.means {
	case mAfterSales:
		return t.afterSalesOf(u.number, u.as)
	case mTrack:
		return t.track(u.number)
	case mBuy:
		return t.goTo(stageCategories)
	case mCart:
		return t.goTo(stageCart)
	}
	if u.number != "" {
		return t.openOrder(u.number)
	}
	return t.goTo(stageOrders)
}

// afterSalesOf opens after-sales with the kind the customer named: for the
// order they named, for their only eligible order, or after they pick one.
func (t *turn) afterSalesOf(number string, kind AfterSalesType) Result {
	if number == "" {
		if list := t.ordersWhere(eligible); len(list) == 1 {
			number = list[0].Number
		}
	}
	return t.startAfterSalesAs(number, kind)
}

// track shows where an order is: the one named, or the latest one.
func (t *turn) track(number string) Result {
	if number != "" {
		return t.openOrder(number)
	}
	if len(t.orders()) == 0 {
		t.say(msgNoOrders)
		return t.goTo(stageMenu)
	}
	return t.openOrder(t.orders()[0].Number)
}

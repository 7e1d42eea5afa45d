package wechat

import (
	"context"

	"github.com/silenceper/wechat/v2/officialaccount/menu"
)

// The custom menu's CLICK keys. A click arrives as an event carrying the
// key; each stands for a word the conversation takes in every state, so a
// click does what typing the word does.
const (
	keyCatalog    = "CATALOG"
	keyOrders     = "ORDERS"
	keyAfterSales = "AFTER_SALES"
	keyHuman      = "HUMAN"
	keyHelp       = "HELP"
)

// menuWords are the menu's labels by key. Each label is also the word its
// click sends, and the label of the same option in the chat's own menu
// (浏览商品, 我的订单, 售后服务, 人工客服, 帮助), so customers meet one
// name for each thing and typing what the menu shows does the same.
func menuWords() map[string]string {
	return map[string]string{
		keyCatalog: "浏览商品", keyOrders: "我的订单", keyAfterSales: "售后服务",
		keyHuman: "人工客服", keyHelp: "帮助",
	}
}

// clickWord is the word a menu key stands for.
func clickWord(key string) (string, bool) {
	w, ok := menuWords()[key]
	return w, ok
}

// PublishMenu replaces the account's custom menu with the shop's:
// 浏览商品, 我的订单, and 售后与客服 with after-sales, a person and help.
func (a *Adapter) PublishMenu(ctx context.Context) error {
	w := menuWords()
	click := func(key string) *menu.Button { return menu.NewClickButton(w[key], key) }
	buttons := []*menu.Button{
		click(keyCatalog),
		click(keyOrders),
		menu.NewSubButton("售后与客服", []*menu.Button{click(keyAfterSales), click(keyHuman), click(keyHelp)}),
	}
	return a.call(ctx, "publish menu", func() error { return a.menu.SetMenu(buttons) })
}

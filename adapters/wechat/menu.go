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

// clickWord is the word a menu key stands for.
func clickWord(key string) (string, bool) {
	switch key {
	case keyCatalog:
		return "商品目录", true
	case keyOrders:
		return "我的订单", true
	case keyAfterSales:
		return "售后", true
	case keyHuman:
		return "人工", true
	case keyHelp:
		return "帮助", true
	}
	return "", false
}

// PublishMenu replaces the account's custom menu with the shop's:
// 商品目录, 我的订单, and 售后与客服 with after-sales, a person and help.
func (a *Adapter) PublishMenu(ctx context.Context) error {
	buttons := []*menu.Button{
		menu.NewClickButton("商品目录", keyCatalog),
		menu.NewClickButton("我的订单", keyOrders),
		menu.NewSubButton("售后与客服", []*menu.Button{
			menu.NewClickButton("申请售后", keyAfterSales),
			menu.NewClickButton("人工客服", keyHuman),
			menu.NewClickButton("使用帮助", keyHelp),
		}),
	}
	return a.call(ctx, "publish menu", func() error { return a.menu.SetMenu(buttons) })
}

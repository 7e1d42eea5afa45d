package main

import (
	"math/rand/v2"
	"strings"
)

// step is one thing a simulated customer does: type text, press the
// button whose key starts with press, or type the number of the option
// whose label holds choose (anyItem: of any item offered) where options
// are numbered lines (WeChat).
type step struct {
	text   string
	press  string
	choose string
}

// journey is what a shopper does in one visit: browse, look at a product,
// add it to the cart, go through checkout (and leave before confirming, so
// the demo stock lasts any run), then look up their orders.
var journey = []step{
	{text: "menu"},
	{press: "browse"},
	{press: "cat:"},
	{press: "sku:"},
	{press: "add"},
	{text: "1"},
	{press: "checkout"},
	{text: "Load Tester"},
	{text: "13800138000"},
	{text: "1 Load Street, Hangzhou"},
	{text: "menu"},
	{text: "orders"},
}

// wechatJourney is the same visit in WeChat, which has no buttons: the
// follower types the menu's word and the numbers of the options offered,
// in Chinese, the account's language.
var wechatJourney = []step{
	{text: "菜单"},
	{choose: "浏览商品"},
	{choose: anyItem}, // a category
	{choose: anyItem}, // a product
	{choose: "加入购物车"},
	{text: "1"},
	{choose: "去结算"},
	{text: "李雷"},
	{text: "13800138000"},
	{text: "浙江省杭州市文三路88号"},
	{text: "菜单"},
	{text: "我的订单"},
}

// journeyOf is the journey of a channel's customers.
func journeyOf(channel string) []step {
	if channel == "wechat" {
		return wechatJourney
	}
	return journey
}

// choose picks the offered key for a press step: a random one of those
// starting with the prefix ("sku:" picks any product), or "" when none is
// offered and the customer should start over.
func choose(prefix string, offered []string, r *rand.Rand) string {
	var fit []string
	for _, k := range offered {
		if strings.HasPrefix(k, prefix) {
			fit = append(fit, k)
		}
	}
	if len(fit) == 0 {
		return ""
	}
	return fit[r.IntN(len(fit))]
}

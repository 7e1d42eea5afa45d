package wechatpay

import (
	"regexp"
	"strings"
)

// numbers maps orderbot's order and after-sales request numbers to WeChat's
// out_trade_no and out_refund_no. Both must be unique per merchant, and one
// merchant may serve several orderbots (a shop's staging and production)
// whose order numbers all start at 100001: a prefix keeps them apart.
type numbers struct{ prefix string }

// validPrefix is what Config.TradePrefix may be: short, since out_trade_no
// takes at most 32 characters.
var validPrefix = regexp.MustCompile(`^[0-9A-Za-z_]{0,8}$`)

// numberPart is what an order or request number may be: what WeChat allows
// in both fields, less the '-' that separates them in out_refund_no.
var numberPart = regexp.MustCompile(`^[0-9A-Za-z_|*@]{1,24}$`)

func (n numbers) trade(order string) string { return n.prefix + order }

// order is the order number of an out_trade_no; false for one that is not
// this orderbot's.
func (n numbers) order(tradeNo string) (string, bool) {
	order, ok := strings.CutPrefix(tradeNo, n.prefix)
	return order, ok && order != ""
}

func (n numbers) refund(order, request string) string { return n.prefix + order + "-" + request }

// splitRefund undoes refund.
func (n numbers) splitRefund(refundNo string) (order, request string, ok bool) {
	rest, ok := strings.CutPrefix(refundNo, n.prefix)
	if !ok {
		return "", "", false
	}
	order, request, ok = strings.Cut(rest, "-")
	return order, request, ok && order != "" && request != ""
}

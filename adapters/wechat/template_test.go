package wechat

import (
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
)

// The template's note field holds 20 characters: an after-sales note gets
// all of them rather than sharing them with the request number, which the
// first line already names.
func TestTemplateNoteField(t *testing.T) {
	a := &Adapter{}
	cases := []struct {
		lang string
		n    conversation.Notice
		want string
	}{
		{"zh", conversation.Notice{Kind: conversation.AfterSalesApproved, OrderNumber: "100023", RequestNumber: "S100008", Reason: "请寄回杭州市西湖区龙井路1号"}, "请寄回杭州市西湖区龙井路1号"},
		{"zh", conversation.Notice{Kind: conversation.AfterSalesResolved, OrderNumber: "100023", RequestNumber: "S100008"}, "售后单 S100008"},
		{"en", conversation.Notice{Kind: conversation.AfterSalesRejected, OrderNumber: "100023", RequestNumber: "S100008"}, "Request S100008"},
		{"zh", conversation.Notice{Kind: conversation.AfterSalesRejected, OrderNumber: "100023", RequestNumber: "S100008", Reason: "商品已超过七天无理由退货期限，无法办理，请谅解"}, "商品已超过七天无理由退货期限，无法办理…"},
		{"zh", conversation.Notice{Kind: conversation.OrderShipped, OrderNumber: "100023", Carrier: "顺丰", Tracking: "SF1234567890"}, "顺丰 SF1234567890"},
	}
	for _, c := range cases {
		n := c.n
		m := &bot.Message{Recipient: "o1", Lang: c.lang, Notice: &n, Text: "first\n\nremark"}
		got := a.templateMessage(m).Data["keyword3"].Value
		if got != c.want {
			t.Errorf("%s %s: keyword3 %q, want %q", c.lang, c.n.Kind, got, c.want)
		}
		if len([]rune(got)) > maxKeyword {
			t.Errorf("%s %s: keyword3 %q is over %d characters", c.lang, c.n.Kind, got, maxKeyword)
		}
	}
}

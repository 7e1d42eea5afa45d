package conversation

import (
	"strings"
	"testing"
)

func TestRenderNotice(t *testing.T) {
	for _, tc := range []struct {
		lang Lang
		n    Notice
		has  []string
	}{
		{English, Notice{Kind: OrderConfirmed, OrderNumber: "100025"}, []string{"confirmed your order 100025", "Type “order 100025”"}},
		{Chinese, Notice{Kind: OrderConfirmed, OrderNumber: "100025"}, []string{"您的订单 100025 商家已确认", "回复“订单 100025”可查看详情"}},
		{English, Notice{Kind: OrderRejected, OrderNumber: "100025", Reason: "Sold out"}, []string{"couldn't accept your order 100025", "Reason: Sold out"}},
		{Chinese, Notice{Kind: OrderRejected, OrderNumber: "100025", Reason: "缺货"}, []string{"商家未能接受您的订单 100025", "原因：缺货"}},
		{English, Notice{Kind: OrderShipped, OrderNumber: "100023", Carrier: "SF Express", Tracking: "SF123"}, []string{"100023 is on its way", "Shipped with SF Express, tracking number SF123"}},
		{Chinese, Notice{Kind: OrderShipped, OrderNumber: "100023", Carrier: "顺丰速运", Tracking: "SF123"}, []string{"已发货", "物流：顺丰速运，运单号 SF123"}},
		{English, Notice{Kind: OrderShipped, OrderNumber: "100023", Tracking: "SF123"}, []string{"Tracking number: SF123"}},
		{English, Notice{Kind: OrderDelivered, OrderNumber: "100023"}, []string{"100023 has been delivered"}},
		{Chinese, Notice{Kind: OrderCompleted, OrderNumber: "100023"}, []string{"订单 100023 已完成"}},
		{English, Notice{Kind: OrderCancelled, OrderNumber: "100024"}, []string{"100024 has been cancelled"}},
		{Chinese, Notice{Kind: CancelRejected, OrderNumber: "100024", Reason: "已在打包"}, []string{"商家未同意取消订单 100024", "原因：已在打包"}},
		{English, Notice{Kind: AfterSalesApproved, OrderNumber: "100023", RequestNumber: "AS-1", Reason: "Send it back by post"}, []string{"request AS-1 for order 100023 has been approved", "Note from the shop: Send it back by post"}},
		{English, Notice{Kind: AfterSalesApproved, Type: Return, OrderNumber: "100023", RequestNumber: "S1", Reason: "Post it to 1 Tea Road"}, []string{"your return request S1 for order 100023 has been approved", "Note from the shop: Post it to 1 Tea Road"}},
		{English, Notice{Kind: AfterSalesApproved, Type: Complaint, OrderNumber: "100023", RequestNumber: "S2"}, []string{"looked into your complaint S2 about order 100023"}},
		{Chinese, Notice{Kind: AfterSalesApproved, Type: Refund, OrderNumber: "100023", RequestNumber: "S3"}, []string{"您的退款申请 S3（订单 100023）已通过审核"}},
		{Chinese, Notice{Kind: AfterSalesApproved, Type: Complaint, OrderNumber: "100023", RequestNumber: "S4"}, []string{"您的投诉 S4（订单 100023）我们已经核实"}},
		{Chinese, Notice{Kind: AfterSalesRejected, OrderNumber: "100023", RequestNumber: "AS-1", Reason: "超过七天"}, []string{"售后申请 AS-1（订单 100023）未通过审核", "原因：超过七天"}},
		{English, Notice{Kind: AfterSalesResolved, OrderNumber: "100023", RequestNumber: "AS-1"}, []string{"AS-1 for order 100023 has been resolved"}},
		{Chinese, Notice{Kind: StaffMessage, Text: "您好，已为您补发。"}, []string{"客服回复：\n您好，已为您补发。"}},
		{English, Notice{Kind: HandoffEnded}, []string{"ended the chat", "menu"}},
		{English, Notice{Kind: "new_kind", OrderNumber: "1"}, []string{"update on your order 1"}},
		{"fr", Notice{Kind: "new_kind"}, []string{"update for you"}},
	} {
		r := RenderNotice(tc.lang, tc.n)
		checkReply(t, r)
		for _, h := range tc.has {
			if !strings.Contains(r.Text, h) {
				t.Errorf("%s %s: %q lacks %q", tc.lang, tc.n.Kind, r.Text, h)
			}
		}
	}
}

func TestEveryNoticeKindHasItsOwnText(t *testing.T) {
	kinds := []NoticeKind{OrderConfirmed, OrderRejected, OrderShipped, OrderDelivered, OrderCompleted, OrderCancelled,
		CancelRejected, AfterSalesApproved, AfterSalesRejected, AfterSalesResolved, StaffMessage, HandoffEnded,
		PaymentDue, PaymentReceived, PaymentRefunded, PaymentReminder, PaymentExpired}
	for _, lang := range []Lang{English, Chinese} {
		seen := map[string]NoticeKind{}
		generic := RenderNotice(lang, Notice{Kind: "unknown", OrderNumber: "7"}).Text
		for _, k := range kinds {
			text := RenderNotice(lang, Notice{Kind: k, OrderNumber: "7", RequestNumber: "R", Text: "hi"}).Text
			if text == generic {
				t.Errorf("%s %s: generic text", lang, k)
			}
			if other, dup := seen[text]; dup {
				t.Errorf("%s: %s and %s read the same", lang, k, other)
			}
			seen[text] = k
		}
	}
}

// TestWeChatPayNotice: a WeChat Pay order's notice gives its pay link or
// asks to scan the QR picture, never the shop's transfer instructions.
func TestWeChatPayNotice(t *testing.T) {
	for _, tc := range []struct {
		lang      Lang
		pay       PayInfo
		has, not  string
		wantImage bool
	}{
		{Chinese, PayInfo{Amount: 7600, Method: PayWeChat, Link: "https://shop.example/wechatpay/pay?o=1"}, "点击微信支付：https://shop.example/wechatpay/pay?o=1", "工行", false},
		{English, PayInfo{Amount: 7600, Method: PayWeChat, Image: "https://shop.example/wechatpay/qr?o=1"}, "Scan the QR code below with WeChat", "ICBC", true},
		{Chinese, PayInfo{Amount: 7600, Method: PayTransfer, Instructions: "工行 6222"}, "付款方法：工行 6222", "微信", false},
	} {
		p := tc.pay
		if p.Method == PayWeChat {
			p.Instructions = "工行 ICBC 6222" // set for transfers; not for this order
		}
		r := RenderNotice(tc.lang, Notice{Kind: PaymentDue, OrderNumber: "100001", Pay: &p})
		checkReply(t, r)
		if !strings.Contains(r.Text, tc.has) || strings.Contains(r.Text, tc.not) {
			t.Errorf("%s %s: want %q and not %q in\n%s", tc.lang, p.Method, tc.has, tc.not, r.Text)
		}
		if (r.Image != "") != tc.wantImage {
			t.Errorf("%s %s: image %q", tc.lang, p.Method, r.Image)
		}
	}
}

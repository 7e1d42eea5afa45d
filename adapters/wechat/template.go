package wechat

import (
	"strings"

	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
)

// maxKeyword is the longest value of a template's keyword: WeChat cuts
// "thing" fields at 20 characters and refuses some longer ones.
const maxKeyword = 20

// templateMessage fills the order-status template: keyword1 the order
// number, keyword2 the status, keyword3 a note (tracking number, reason,
// after-sales request); first and remark carry the whole notice for
// templates of the older kind that still show them.
func (a *Adapter) templateMessage(m *bot.Message) *message.TemplateMessage {
	n := m.Notice
	lang := conversation.Chinese
	if m.Lang != "" {
		lang = conversation.ParseLang(m.Lang)
	}
	first, remark, _ := strings.Cut(m.Text, "\n\n")
	return &message.TemplateMessage{
		ToUser:     m.Recipient,
		TemplateID: a.cfg.TemplateOrderStatus,
		Data: map[string]*message.TemplateDataItem{
			"first":    {Value: first},
			"keyword1": {Value: n.OrderNumber},
			"keyword2": {Value: conversation.NoticeStatus(lang, n.Kind)},
			"keyword3": {Value: cut(noticeNote(lang, n), maxKeyword)},
			"remark":   {Value: remark},
		},
	}
}

// noticeNote is what staff entered that the customer needs: the parcel's
// carrier and tracking number, or the reason or note. The field holds 20
// characters, so it carries one thing: an after-sales notice names its
// request only when staff wrote nothing (the first and remark lines carry
// the request number and the whole note anyway).
func noticeNote(lang conversation.Lang, n *conversation.Notice) string {
	switch n.Kind {
	case conversation.OrderShipped:
		return strings.TrimSpace(n.Carrier + " " + n.Tracking)
	case conversation.AfterSalesApproved, conversation.AfterSalesRejected, conversation.AfterSalesResolved:
		if r := strings.TrimSpace(n.Reason); r != "" {
			return r
		}
		if lang == conversation.Chinese {
			return "售后单 " + n.RequestNumber
		}
		return "Request " + n.RequestNumber
	}
	return strings.TrimSpace(n.Reason)
}

// cut shortens s to at most max characters.
func cut(s string, max int) string {
	r := []rune(s)
	if len(r) <= max {
		return s
	}
	return string(r[:max-1]) + "…"
}

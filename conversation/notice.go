package conversation

import "strings"

// RenderNotice writes a message the core sends on its own when staff act.
// Notices carry no options: they arrive outside the flow of the
// conversation, so they point to the words that lead on instead.
func RenderNotice(lang Lang, n Notice) Reply {
	env := Env{Currency: n.Currency}
	if n.Pay != nil {
		// Due comes in the shop's time zone, which dates are shown in.
		env.Currency, env.Now = n.Pay.Currency, n.Pay.Due
	}
	t := newTurn(env, State{Lang: lang}, English)
	parts := []string{t.noticeHead(n)}
	if extra := t.noticeExtra(n); extra != "" {
		parts = append(parts, extra)
	}
	if n.Pay != nil {
		parts = append(parts, t.payText(*n.Pay))
	}
	if n.OrderNumber != "" && n.Kind != StaffMessage && n.Kind != HandoffEnded {
		parts = append(parts, t.tr(msgNoticeHint, n.OrderNumber))
	}
	r := Reply{Text: strings.Join(parts, "\n\n")}
	if n.Pay != nil && n.Pay.Method != PayTelegram {
		r.Image = n.Pay.Image
	}
	return r
}

// payText tells the customer what to pay, how, and by when.
func (t *turn) payText(p PayInfo) string {
	lines := []string{t.tr(msgPayAmount, t.money(p.Amount))}
	if p.Method == PayTelegram {
		lines = append(lines, t.tr(msgPayByInvoice))
		if !p.Due.IsZero() {
			lines = append(lines, t.tr(msgPayDeadline, t.date(p.Due)))
		}
		return strings.Join(lines, "\n")
	}
	if how := t.payHow(p); how != "" {
		lines = append(lines, how)
	}
	if !p.Due.IsZero() {
		lines = append(lines, t.tr(msgPayDeadline, t.date(p.Due)))
	}
	lines = append(lines, t.tr(msgPayConfirmLater))
	return strings.Join(lines, "\n")
}

// payHow is the line saying how to pay: WeChat Pay's link or QR code, or
// the shop's transfer instructions (none when only their QR picture is).
func (t *turn) payHow(p PayInfo) string {
	switch how := strings.TrimSpace(p.Instructions); {
	case p.Method == PayWeChat && p.Link != "":
		return t.tr(msgPayWeChatLink, p.Link)
	case p.Method == PayWeChat && p.Image != "":
		return t.tr(msgPayWeChatScan)
	case p.Method != PayWeChat && how != "":
		return t.tr(msgPayHow, how)
	case p.Image != "" && p.Method != PayWeChat:
		return ""
	}
	return t.tr(msgPayHowDefault)
}

func (t *turn) noticeHead(n Notice) string {
	switch n.Kind {
	case OrderConfirmed:
		return t.tr(msgNoticeConfirmed, n.OrderNumber)
	case OrderRejected:
		return t.tr(msgNoticeRejected, n.OrderNumber)
	case OrderShipped:
		return t.tr(msgNoticeShipped, n.OrderNumber)
	case OrderDelivered:
		return t.tr(msgNoticeDelivered, n.OrderNumber)
	case OrderCompleted:
		return t.tr(msgNoticeCompleted, n.OrderNumber)
	case OrderCancelled:
		return t.tr(msgNoticeCancelled, n.OrderNumber)
	case CancelRejected:
		return t.tr(msgNoticeCancelRejected, n.OrderNumber)
	case AfterSalesApproved:
		// Each kind reads as shoppers know it: a complaint is not
		// "approved", it is looked into.
		if n.Type == Complaint {
			return t.tr(msgNoticeComplaintHandled, n.RequestNumber, n.OrderNumber)
		}
		if k := typeKey(n.Type); k != "" {
			return t.tr(msgNoticeASApprovedKind, strings.ToLower(t.typeWord(n.Type)), n.RequestNumber, n.OrderNumber)
		}
		return t.tr(msgNoticeASApproved, n.RequestNumber, n.OrderNumber)
	case AfterSalesRejected:
		return t.tr(msgNoticeASRejected, n.RequestNumber, n.OrderNumber)
	case AfterSalesResolved:
		return t.tr(msgNoticeASResolved, n.RequestNumber, n.OrderNumber)
	case StaffMessage:
		return t.tr(msgNoticeStaff, strings.TrimSpace(n.Text))
	case HandoffEnded:
		return t.tr(msgNoticeHandoffEnded)
	case PaymentDue:
		return t.tr(msgNoticePayDue, n.OrderNumber)
	case PaymentReceived:
		return t.tr(msgNoticePaid, n.OrderNumber, t.money(n.Amount))
	case PaymentRefunded:
		return t.tr(msgNoticeRefunded, n.OrderNumber, t.money(n.Amount))
	case PaymentReminder:
		return t.tr(msgNoticePayRemind, n.OrderNumber)
	case PaymentExpired:
		return t.tr(msgNoticePayExpired, n.OrderNumber)
	}
	if n.OrderNumber != "" {
		return t.tr(msgNoticeUpdate, n.OrderNumber)
	}
	return t.tr(msgNoticeUpdateGeneral)
}

// noticeExtra adds what staff entered: the reason of a refusal, the
// parcel's carrier and tracking number, a note on an approval.
func (t *turn) noticeExtra(n Notice) string {
	reason := strings.TrimSpace(n.Reason)
	switch n.Kind {
	case OrderShipped:
		return t.shipping(n.Carrier, n.Tracking)
	case OrderRejected, CancelRejected, AfterSalesRejected:
		if reason != "" {
			return t.tr(msgNoticeReason, reason)
		}
	case AfterSalesApproved, AfterSalesResolved:
		if reason != "" {
			return t.tr(msgNoticeNote, reason)
		}
	}
	return ""
}

// NoticeStatus is a notice's new status in a few words, for channels that
// show it in a field of their own (WeChat's template messages).
func NoticeStatus(lang Lang, k NoticeKind) string {
	t := newTurn(Env{}, State{Lang: lang}, English)
	key, ok := map[NoticeKind]msgKey{
		OrderConfirmed:     msgStatusConfirmed,
		OrderRejected:      msgStatusRejected,
		OrderShipped:       msgStatusShipped,
		OrderDelivered:     msgStatusDelivered,
		OrderCompleted:     msgStatusCompleted,
		OrderCancelled:     msgStatusCancelled,
		CancelRejected:     msgNoticeStatusCancelRefused,
		AfterSalesApproved: msgNoticeStatusASApproved,
		AfterSalesRejected: msgNoticeStatusASRejected,
		AfterSalesResolved: msgNoticeStatusASResolved,
	}[k]
	if !ok {
		key = msgNoticeStatusUpdated
	}
	return t.tr(key)
}

// StaleNote is the short note for where a no longer active button was
// pressed (Telegram's answer to the press); the reply says more.
func StaleNote(lang Lang) string {
	return newTurn(Env{}, State{Lang: lang}, English).tr(msgStaleNote)
}

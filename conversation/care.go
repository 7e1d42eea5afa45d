package conversation

// Customer care in the conversation: the words that give and withdraw
// consent to promotions, the question asked once after a first order, and
// the satisfaction survey's texts and how its answers are read.

// SetConsent asks the core to record the customer's consent to promotions.
type SetConsent struct{ Granted bool }

func (SetConsent) intent() {}

// stageConsent asks, once, after the customer's first order whether they
// want to hear about offers; State.Order is the order just placed.
const stageConsent Stage = "consent"

// The consent question's option keys.
const (
	keyConsentYes = "consent_yes"
	keyConsentNo  = "consent_no"
)

// Care texts.
const (
	msgConsentAsk      msgKey = "consent_ask"
	msgOptConsentYes   msgKey = "opt_consent_yes"
	msgOptConsentNo    msgKey = "opt_consent_no"
	msgSubscribed      msgKey = "subscribed"
	msgUnsubscribed    msgKey = "unsubscribed"
	msgConsentDeclined msgKey = "consent_declined"
	msgConsentFailed   msgKey = "consent_failed"
	msgPromoCoupon     msgKey = "promo_coupon"
	msgPromoFooter     msgKey = "promo_footer"
)

func careTextsEN() map[msgKey]string {
	return withTexts(surveyTextsEN(), map[msgKey]string{
		msgConsentAsk:      "One more thing: may we send you news about offers and new arrivals now and then? You can change your mind any time by typing \"subscribe\" or \"unsubscribe\".",
		msgOptConsentYes:   "Yes, keep me posted",
		msgOptConsentNo:    "No, thanks",
		msgSubscribed:      "You're subscribed: we'll send you offers and news now and then. Type \"unsubscribe\" any time to stop them.",
		msgUnsubscribed:    "You're unsubscribed: we won't send you any more promotions. Messages about your orders still reach you. Type \"subscribe\" if you change your mind.",
		msgConsentDeclined: "No problem, we won't send you promotions. Type \"subscribe\" any time if you change your mind.",
		msgConsentFailed:   "Sorry, we couldn't save that just now. Please try again in a moment.",
		msgPromoCoupon:     "Use code %s at checkout.",
		msgPromoFooter:     "Reply \"unsubscribe\" to stop receiving offers from us.",
	})
}

func careTextsZH() map[msgKey]string {
	return withTexts(surveyTextsZH(), map[msgKey]string{
		msgConsentAsk:      "还想问您一句：以后有优惠活动和新品上架时，可以发消息告诉您吗？随时回复“订阅”或“退订”即可更改。",
		msgOptConsentYes:   "好的，通知我",
		msgOptConsentNo:    "不用了，谢谢",
		msgSubscribed:      "订阅成功！有优惠和新品时我们会通知您。不想再收到时，回复“退订”即可。",
		msgUnsubscribed:    "已为您退订，今后不会再给您发送促销消息，订单相关的通知不受影响。想重新订阅时，回复“订阅”即可。",
		msgConsentDeclined: "好的，不会给您发送促销消息。以后想订阅，随时回复“订阅”即可。",
		msgConsentFailed:   "抱歉，暂时没能保存您的设置，请稍后再试。",
		msgPromoCoupon:     "结算时输入优惠码 %s 即可使用。",
		msgPromoFooter:     "回复“退订”即可不再接收优惠消息。",
	})
}

// withTexts adds the texts of more to m.
func withTexts(m, more map[msgKey]string) map[msgKey]string {
	for k, v := range more {
		m[k] = v
	}
	return m
}

func (t *turn) consentView() view {
	return view{
		text: t.tr(msgConsentAsk),
		choices: []choice{
			{key: keyConsentYes, label: t.tr(msgOptConsentYes), alias: []string{"yes", "y", "好", "好的", "是", "可以"}},
			{key: keyConsentNo, label: t.tr(msgOptConsentNo), alias: []string{"no", "n", "不", "不用", "否", "不要"}},
		},
	}
}

func (t *turn) onConsent(a answer) Result {
	switch a.key {
	case keyConsentYes:
		return t.intend(SetConsent{Granted: true})
	case keyConsentNo:
		return t.intend(SetConsent{Granted: false})
	}
	return t.invalid()
}

// resolveConsent confirms the change. Asked after an order, the customer
// goes on to that order's page, where placing it would have taken them.
func (t *turn) resolveConsent(it SetConsent, out Outcome) Result {
	switch {
	case out.Problem != OK:
		t.say(msgConsentFailed)
	case it.Granted:
		t.say(msgSubscribed)
	case t.s.Stage == stageConsent:
		t.say(msgConsentDeclined)
	default:
		t.say(msgUnsubscribed)
	}
	if t.s.Stage == stageConsent {
		if _, ok := t.order(t.s.Order); ok {
			return t.goTo(stageOrder)
		}
		return t.goTo(stageMenu)
	}
	return t.show()
}

// TakesText reports whether the customer is in the middle of typing
// something the conversation asked for (a name, a quantity, a reason, a
// message to staff), so that nothing else reads their next words.
func (s State) TakesText() bool { return s.Stage.takesText() }

package conversation

// Promotion is the text of a broadcast (营销活动) to one customer: the
// shop's message, its coupon code when it has one, and how to stop such
// messages, which every promotion must end with.
func Promotion(lang Lang, text, coupon string) string {
	t := newTurn(Env{}, State{Lang: lang}, English)
	out := text
	if coupon != "" {
		out += "\n\n" + t.tr(msgPromoCoupon, coupon)
	}
	return out + "\n\n" + t.tr(msgPromoFooter)
}

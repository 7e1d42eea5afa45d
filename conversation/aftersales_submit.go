package conversation

import "slices"

func (t *turn) asSummaryView() view {
	if v, ok := t.asGuard(); !ok {
		return v
	}
	d := t.s.AfterSales
	text := t.tr(msgASSummary, t.s.Order, t.typeWord(d.Type), d.Reason, itoa(len(d.Media)))
	return view{text: text, choices: []choice{
		{key: keySubmit, label: t.tr(msgOptSubmit)},
		{key: keyBack, label: t.tr(msgOptBack)},
		{key: keyDiscard, label: t.tr(msgOptDiscard)},
	}}
}

func (t *turn) onASSummary(a answer) Result {
	switch a.key {
	case keySubmit:
		d := t.s.AfterSales
		return t.intend(FileAfterSales{Number: t.s.Order, Type: d.Type, Reason: d.Reason, Media: slices.Clone(d.Media)})
	case keyBack:
		return t.goTo(stageASPhotos)
	case keyDiscard:
		t.s.AfterSales = AfterSalesDraft{}
		t.say(msgASDiscarded)
		return t.goTo(stageMenu)
	}
	return t.invalid()
}

// resolveAfterSales reports a filed request, or why it was not filed. The
// draft is kept only when trying again may help.
func (t *turn) resolveAfterSales(it FileAfterSales, out Outcome) Result {
	t.s.Order = it.Number
	switch out.Problem {
	case OK:
		t.s.AfterSales = AfterSalesDraft{}
		t.say(msgASFiled, out.Number, it.Number)
		return t.goTo(stageMenu)
	case AlreadyOpen:
		t.s.AfterSales = AfterSalesDraft{}
		t.say(msgASAlreadyOpen, it.Number)
		return t.goTo(stageOrder)
	case NotEligible:
		t.s.AfterSales = AfterSalesDraft{}
		t.say(msgNotEligible, it.Number)
		return t.goTo(stageOrder)
	case NotFound:
		t.s.AfterSales = AfterSalesDraft{}
		t.say(msgOrderNotFound, it.Number)
		return t.goTo(stageOrders)
	}
	t.say(msgASFailed)
	return t.goTo(stageASSummary)
}

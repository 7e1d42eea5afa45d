package conversation

import (
	"slices"
	"strings"
)

// maxPhotos is how many photos one request takes; enough to show a
// problem, few enough for a staff card.
const maxPhotos = 9

const (
	keySubmit  = "submit"
	keyDiscard = "discard"
	keyDone    = "done"
)

func eligible(o OrderView) bool { return o.CanAfterSales }

// startAfterSales begins a request: for the order named, or for one picked
// from those that qualify.
func (t *turn) startAfterSales(number string) Result { return t.startAfterSalesAs(number, "") }

// startAfterSalesAs begins a request whose kind the customer may already
// have named ("我要退货"); the kind survives picking the order.
func (t *turn) startAfterSalesAs(number string, kind AfterSalesType) Result {
	t.s.AfterSales = AfterSalesDraft{Type: kind}
	if number == "" {
		return t.goTo(stageASPick)
	}
	if _, ok := t.order(number); !ok {
		t.say(msgOrderNotFound, number)
		return t.goTo(stageASPick)
	}
	return t.beginAfterSales(number)
}

func (t *turn) beginAfterSales(number string) Result {
	if o, ok := t.order(number); ok {
		number = o.Number
	}
	kind := t.s.AfterSales.Type
	t.s.Order, t.s.AfterSales = number, AfterSalesDraft{Type: kind}
	if typeKey(kind) != "" {
		return t.goTo(stageASReason)
	}
	return t.goTo(stageASType)
}

func (t *turn) asPickView() view {
	list := t.ordersWhere(eligible)
	if len(list) == 0 {
		text := t.tr(msgNoEligible)
		// An order whose request is in progress is not "no order": say so.
		if open := t.ordersWhere(func(o OrderView) bool { return o.OpenRequest != "" }); len(open) > 0 {
			text = t.tr(msgASAlreadyOpen, open[0].Number)
		}
		return view{text: text, choices: []choice{
			{key: keyOrders, label: t.tr(msgOptOrders)},
			{key: keyMenu, label: t.tr(msgOptMenu)},
		}}
	}
	choices := make([]choice, 0, len(list)+1)
	for _, o := range list {
		choices = append(choices, t.orderChoice(o))
	}
	choices = append(choices, choice{key: keyMenu, label: t.tr(msgOptMenu)})
	return view{text: t.tr(msgASPick), choices: choices}
}

func (t *turn) onASPick(a answer) Result {
	switch a.key {
	case keyOrders:
		return t.goTo(stageOrders)
	case keyMenu:
		return t.goTo(stageMenu)
	}
	if o, ok := t.chosenOrder(t.ordersWhere(eligible), a.key); ok {
		return t.beginAfterSales(o.Number)
	}
	return t.invalid()
}

// asGuard checks the draft can go on at the current stage; when it cannot,
// it returns the view to show instead and false. Each later stage needs the
// answers of the earlier ones.
func (t *turn) asGuard() (view, bool) {
	o, ok := t.order(t.s.Order)
	d := t.s.AfterSales
	switch {
	case !ok:
		return t.redirect(stageOrders, msgOrderNotFound, t.s.Order), false
	case o.OpenRequest != "" && !o.CanAfterSales:
		return t.redirect(stageOrder, msgASAlreadyOpen, o.Number), false
	case !o.CanAfterSales:
		return t.redirect(stageOrder, msgNotEligible, o.Number), false
	case t.s.Stage == stageASType:
		return view{}, true
	case typeKey(d.Type) == "":
		return t.redirect(stageASType, ""), false
	case t.s.Stage == stageASReason:
		return view{}, true
	case d.Reason == "":
		return t.redirect(stageASReason, ""), false
	}
	return view{}, true
}

func (t *turn) asTypeView() view {
	if v, ok := t.asGuard(); !ok {
		return v
	}
	choices := make([]choice, 0, 6)
	for _, ty := range afterSalesTypes() {
		choices = append(choices, choice{key: "type:" + string(ty), label: t.typeWord(ty)})
	}
	choices = append(choices, choice{key: keyBack, label: t.tr(msgOptBack)})
	return view{text: t.tr(msgASTypePrompt, t.s.Order), choices: choices}
}

func (t *turn) onASType(a answer) Result {
	if a.key == keyBack {
		t.s.AfterSales.Type = "" // the kind is chosen again after the pick
		return t.goTo(stageASPick)
	}
	if ty, ok := strings.CutPrefix(a.key, "type:"); ok {
		t.s.AfterSales.Type = AfterSalesType(ty)
		return t.goTo(stageASReason)
	}
	return t.invalid()
}

func (t *turn) asReasonView() view {
	if v, ok := t.asGuard(); !ok {
		return v
	}
	return view{
		text:    t.tr(msgASReasonPrompt, t.typeWord(t.s.AfterSales.Type), itoa(maxReason)),
		choices: []choice{{key: keyBack, label: t.tr(msgOptBack)}},
	}
}

func (t *turn) onASReason(a answer) Result {
	if a.key == keyBack {
		return t.goTo(stageASType)
	}
	reason, ok := cleanReason(a.text)
	if a.key != "" || !ok {
		t.say(msgASReasonInvalid, itoa(maxReason))
		return t.show()
	}
	t.s.AfterSales.Reason = reason
	return t.goTo(stageASPhotos)
}

func (t *turn) asPhotosView() view {
	if v, ok := t.asGuard(); !ok {
		return v
	}
	// Skip and Done are one option under two names: typing either works.
	skip, done := t.tr(msgOptSkip), t.tr(msgOptDone)
	back := choice{key: keyBack, label: t.tr(msgOptBack)}
	n := len(t.s.AfterSales.Media)
	if n == 0 {
		return view{text: t.tr(msgASPhotosPrompt, itoa(maxPhotos)),
			choices: []choice{{key: keyDone, label: skip, alias: []string{done}}, back}}
	}
	return view{text: t.tr(plural(n, msgASPhotosMoreOne, msgASPhotosMore), itoa(n), itoa(maxPhotos)),
		choices: []choice{{key: keyDone, label: done, alias: []string{skip}}, back}}
}

func (t *turn) onASPhotos(a answer) Result {
	switch {
	case a.key == keyDone:
		return t.goTo(stageASSummary)
	case a.key == keyBack:
		return t.goTo(stageASReason)
	case len(a.media) == 0:
		t.say(msgASPhotosNeedPhoto)
		return t.show()
	}
	media := slices.Clone(t.s.AfterSales.Media)
	for _, m := range a.media {
		if m != "" && len(media) < maxPhotos {
			media = append(media, m)
		}
	}
	if len(media)-len(t.s.AfterSales.Media) < len(a.media) {
		t.say(msgASPhotosLimit, itoa(maxPhotos))
	}
	t.s.AfterSales.Media = media
	return t.show()
}

package conversation

const (
	keyYes = "yes"
	keyNo  = "no"
)

func cancellable(o OrderView) bool { return o.CanCancel }

// shippedOrLater reports whether an order has left the shop, which is why
// it can no longer be cancelled but may get after-sales service.
func shippedOrLater(o OrderView) bool {
	switch o.Status {
	case "shipped", "delivered", "completed":
		return true
	}
	return false
}

// startCancel begins a cancellation: of the order named, or of one picked
// from those that may be cancelled.
func (t *turn) startCancel(number string) Result {
	if number == "" {
		return t.goTo(stageCancelPick)
	}
	o, ok := t.order(number)
	if !ok {
		t.say(msgOrderNotFound, number)
		return t.goTo(stageCancelPick)
	}
	t.s.Order = o.Number
	return t.goTo(stageCancelConfirm)
}

func (t *turn) cancelPickView() view {
	list := t.ordersWhere(cancellable)
	if len(list) == 0 {
		var choices []choice
		if len(t.ordersWhere(eligible)) > 0 {
			choices = append(choices, choice{key: keyAfterSales, label: t.tr(msgOptAfterSales)})
		}
		choices = append(choices, choice{key: keyMenu, label: t.tr(msgOptMenu)})
		return view{text: t.tr(msgNoCancellable), choices: choices}
	}
	choices := make([]choice, 0, len(list)+1)
	for _, o := range list {
		choices = append(choices, t.orderChoice(o))
	}
	choices = append(choices, choice{key: keyMenu, label: t.tr(msgOptMenu)})
	return view{text: t.tr(msgCancelPick), choices: choices}
}

func (t *turn) onCancelPick(a answer) Result {
	switch a.key {
	case keyAfterSales:
		return t.startAfterSales("")
	case keyMenu:
		return t.goTo(stageMenu)
	}
	if o, ok := t.chosenOrder(t.ordersWhere(cancellable), a.key); ok {
		t.s.Order = o.Number
		return t.goTo(stageCancelConfirm)
	}
	return t.invalid()
}

func (t *turn) cancelConfirmView() view {
	o, ok := t.order(t.s.Order)
	switch {
	case !ok:
		return t.redirect(stageOrders, msgOrderNotFound, t.s.Order)
	case o.CancelRequested:
		return t.redirect(stageOrder, msgCancelAlreadyPending, o.Number)
	case !o.CanCancel:
		k, args := t.whyNotCancellable(o)
		return t.redirect(stageOrder, k, args...)
	}
	text := t.tr(msgCancelConfirm, o.Number, t.money(o.Total))
	yes := msgOptYesCancel
	if o.Status != "pending" {
		// The shop has committed stock or work: staff decide.
		text += "\n" + t.tr(msgCancelNeedsApproval)
		yes = msgOptYesRequestCancel
	}
	return view{text: text, choices: []choice{
		{key: keyYes, label: t.tr(yes)},
		{key: keyNo, label: t.tr(msgOptNoKeep)},
	}}
}

func (t *turn) whyNotCancellable(o OrderView) (msgKey, []any) {
	if shippedOrLater(o) {
		return msgNotCancellableShipped, []any{o.Number}
	}
	return msgNotCancellable, []any{o.Number, t.statusWord(o.Status)}
}

func (t *turn) onCancelConfirm(a answer) Result {
	switch a.key {
	case keyYes:
		return t.intend(CancelOrder{Number: t.s.Order})
	case keyNo:
		t.say(msgCancelKept)
		return t.goTo(stageOrder)
	}
	return t.invalid()
}

// resolveCancel reports a cancellation, or why it did not happen, next to
// the order it concerns.
func (t *turn) resolveCancel(it CancelOrder, out Outcome) Result {
	number := it.Number
	if out.Number != "" {
		number = out.Number
	}
	t.s.Order = number
	switch out.Problem {
	case OK:
		k := msgCancelled
		if out.Status == "cancel_requested" {
			k = msgCancelRequested
		}
		t.say(k, number)
		return t.goTo(stageMenu)
	case NotCancellable:
		t.say(msgNotCancellableShipped, number)
	case AlreadyPending:
		t.say(msgCancelAlreadyPending, number)
	case NotFound:
		t.say(msgOrderNotFound, number)
		return t.goTo(stageOrders)
	default:
		t.say(msgCancelFailed)
	}
	return t.goTo(stageOrder)
}

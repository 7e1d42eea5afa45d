package conversation

import "strings"

// maxListed is how many orders a list shows: the recent ones are what
// customers ask about, older ones stay reachable by "order <number>".
const maxListed = 10

const (
	keyCancelOrder = "cancel_order"
	keyRequestAS   = "request_after_sales"
)

// order finds one of the customer's orders by number, ignoring case.
func (t *turn) order(number string) (OrderView, bool) {
	for _, o := range t.orders() {
		if number != "" && strings.EqualFold(o.Number, number) {
			return o, true
		}
	}
	return OrderView{}, false
}

// ordersWhere lists up to maxListed of the customer's orders that pass keep.
func (t *turn) ordersWhere(keep func(OrderView) bool) []OrderView {
	var list []OrderView
	for _, o := range t.orders() {
		if keep(o) && len(list) < maxListed {
			list = append(list, o)
		}
	}
	return list
}

func (t *turn) orderChoice(o OrderView) choice {
	return choice{
		key:   itemKey("order:", o.Number),
		label: t.tr(msgOrderLabel, o.Number, t.day(o.CreatedAt), t.statusWord(o.Status), t.money(o.Total)),
		alias: []string{o.Number},
	}
}

// chosenOrder finds the order whose option has key among list.
func (t *turn) chosenOrder(list []OrderView, key string) (OrderView, bool) {
	for _, o := range list {
		if key != "" && key == itemKey("order:", o.Number) {
			return o, true
		}
	}
	return OrderView{}, false
}

func all(OrderView) bool { return true }

// memberLine says the customer's tier in their language, e.g. "您是金卡会员。",
// or "" when the shop has no tiers.
func (t *turn) memberLine() string {
	tier := t.tier()
	name := tier.NameEN
	if t.s.Lang == Chinese && tier.NameZH != "" {
		name = tier.NameZH
	}
	if name == "" {
		return ""
	}
	return t.tr(msgMemberTier, name) + "\n"
}

func (t *turn) ordersView() view {
	list := t.ordersWhere(all)
	if len(list) == 0 {
		return view{text: t.memberLine() + t.tr(msgNoOrders), choices: []choice{
			{key: keyBrowse, label: t.tr(msgOptBrowse)},
			{key: keyMenu, label: t.tr(msgOptMenu)},
		}}
	}
	choices := make([]choice, 0, len(list)+1)
	for _, o := range list {
		choices = append(choices, t.orderChoice(o))
	}
	choices = append(choices, choice{key: keyMenu, label: t.tr(msgOptMenu)})
	return view{text: t.memberLine() + t.tr(msgOrdersHeading), choices: choices}
}

func (t *turn) onOrders(a answer) Result {
	switch a.key {
	case keyBrowse:
		return t.goTo(stageCategories)
	case keyMenu:
		return t.goTo(stageMenu)
	}
	if o, ok := t.chosenOrder(t.ordersWhere(all), a.key); ok {
		t.s.Order = o.Number
		return t.goTo(stageOrder)
	}
	return t.invalid()
}

// openOrder shows the order a customer asked for by number. The core passes
// only this customer's orders, so another customer's number is simply not
// found.
func (t *turn) openOrder(number string) Result {
	if r, ok := requestNumber(number); ok {
		return t.openRequest(r)
	}
	o, ok := t.order(number)
	if !ok {
		t.say(msgOrderNotFound, number)
		return t.goTo(stageOrders)
	}
	t.s.Order = o.Number
	return t.goTo(stageOrder)
}

func (t *turn) orderView() view {
	o, ok := t.order(t.s.Order)
	if !ok {
		return t.redirect(stageOrders, msgOrderNotFound, t.s.Order)
	}
	var choices []choice
	if o.CanCancel {
		choices = append(choices, choice{key: keyCancelOrder, label: t.tr(msgOptCancelOrder)})
	}
	if o.CanAfterSales {
		choices = append(choices, choice{key: keyRequestAS, label: t.tr(msgOptRequestAS)})
	}
	choices = append(choices, choice{key: keyBack, label: t.tr(msgOptBack)})
	return view{text: t.orderDetail(o), choices: choices}
}

func (t *turn) onOrder(a answer) Result {
	switch a.key {
	case keyCancelOrder:
		return t.goTo(stageCancelConfirm)
	case keyRequestAS:
		return t.beginAfterSales(t.s.Order)
	case keyBack:
		return t.goTo(stageOrders)
	}
	return t.invalid()
}

// openRequest shows the order an after-sales request is about, where the
// request's state and staff's note are; closed requests too, so a customer
// can look up what was decided.
func (t *turn) openRequest(number string) Result {
	for _, o := range t.orders() {
		for _, r := range o.Requests {
			if strings.EqualFold(r.Number, number) {
				t.s.Order = o.Number
				return t.goTo(stageOrder)
			}
		}
	}
	t.say(msgRequestNotFound, number)
	return t.goTo(stageOrders)
}

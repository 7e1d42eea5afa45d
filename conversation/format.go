package conversation

import (
	"strings"
	"time"
)

func (t *turn) money(minor int64) string { return FormatMoneyFor(t.s.Lang, t.env.Currency, minor) }

// zh picks the Chinese name when the customer reads Chinese and there is one.
func (t *turn) zh(name, nameZH string) string {
	if t.s.Lang == Chinese && strings.TrimSpace(nameZH) != "" {
		return nameZH
	}
	if strings.TrimSpace(name) == "" {
		return nameZH
	}
	return name
}

func (t *turn) productName(p Product) string {
	if n := t.zh(p.Name, p.NameZH); n != "" {
		return n
	}
	return p.SKU
}

func (t *turn) itemName(it ItemView) string { return t.zh(it.Name, it.NameZH) }

// skuName names a product by SKU: from the catalog, else from what was
// remembered when it went into the cart, else by the SKU itself.
func (t *turn) skuName(sku string) string {
	if p, ok := t.product(sku); ok {
		return t.productName(p)
	}
	if n, ok := t.s.Names[sku]; ok {
		if name := t.zh(n.Name, n.NameZH); name != "" {
			return name
		}
	}
	return sku
}

// date shows a time in the location of Env.Now, which is the shop's clock.
func (t *turn) date(at time.Time) string {
	return at.In(t.env.Now.Location()).Format("2006-01-02 15:04")
}

func (t *turn) day(at time.Time) string {
	return at.In(t.env.Now.Location()).Format("2006-01-02")
}

// statusWord names an order status; a status this version does not know
// is shown as it is rather than hidden.
func (t *turn) statusWord(status string) string {
	if k, ok := statusKeys()[status]; ok {
		return t.tr(k)
	}
	return status
}

// eventWord names what happened when an order reached a status, for its
// history: "Order placed" rather than "Awaiting confirmation".
func (t *turn) eventWord(status string) string {
	if k, ok := eventKeys()[status]; ok {
		return t.tr(k)
	}
	return t.statusWord(status)
}

func eventKeys() map[string]msgKey {
	return map[string]msgKey{
		"pending":          msgEventPlaced,
		"confirmed":        msgEventConfirmed,
		"rejected":         msgEventRejected,
		"shipped":          msgEventShipped,
		"delivered":        msgEventDelivered,
		"completed":        msgEventCompleted,
		"cancelled":        msgEventCancelled,
		"cancel_requested": msgEventCancelRequested,
		"paid":             msgEventPaid,
		"refunded":         msgEventRefunded,
	}
}

func statusKeys() map[string]msgKey {
	return map[string]msgKey{
		"pending":          msgStatusPending,
		"confirmed":        msgStatusConfirmed,
		"rejected":         msgStatusRejected,
		"shipped":          msgStatusShipped,
		"delivered":        msgStatusDelivered,
		"completed":        msgStatusCompleted,
		"cancelled":        msgStatusCancelled,
		"cancel_requested": msgStatusCancelRequested,
	}
}

// afterSalesTypes lists the types in the order they are offered.
func afterSalesTypes() []AfterSalesType {
	return []AfterSalesType{Return, Refund, Exchange, Repair, Complaint}
}

func typeKey(ty AfterSalesType) msgKey {
	switch ty {
	case Return:
		return msgTypeReturn
	case Refund:
		return msgTypeRefund
	case Exchange:
		return msgTypeExchange
	case Repair:
		return msgTypeRepair
	case Complaint:
		return msgTypeComplaint
	}
	return ""
}

func (t *turn) typeWord(ty AfterSalesType) string {
	if k := typeKey(ty); k != "" {
		return t.tr(k)
	}
	return string(ty)
}

// requestStatusWord names where an after-sales request stands.
func (t *turn) requestStatusWord(status string) string {
	k, ok := map[string]msgKey{
		"submitted": msgRequestSubmitted,
		"approved":  msgRequestApproved,
		"rejected":  msgRequestRejected,
		"resolved":  msgRequestResolved,
	}[status]
	if !ok {
		return status
	}
	return t.tr(k)
}

// bullet lists lines under a heading.
func bullet(lines []string) string {
	return "• " + strings.Join(lines, "\n• ")
}

package conversation

// Invoice is a provider's bill for an order, in the customer's language:
// what a channel that takes payments in the chat (Telegram) shows.
type Invoice struct {
	Title       string
	Description string
	Lines       []InvoiceLine // their amounts add up to the amount to pay
}

// InvoiceLine is one priced line of an invoice; a discount is negative.
type InvoiceLine struct {
	Label  string
	Amount int64
}

// RenderInvoice writes the invoice of order number awaiting payment: the
// items, the coupon's discount and shipping, so the lines sum to p.Amount.
func RenderInvoice(lang Lang, number string, p PayInfo) Invoice {
	t := newTurn(Env{Currency: p.Currency}, State{Lang: lang}, English)
	inv := Invoice{Title: t.tr(msgInvoiceTitle, number), Description: t.tr(msgInvoiceDesc, number)}
	items := p.Subtotal
	if items == 0 {
		items = p.Amount + p.Discount - p.Shipping
	}
	inv.Lines = append(inv.Lines, InvoiceLine{Label: t.tr(msgInvoiceItems), Amount: items})
	if p.Discount > 0 {
		inv.Lines = append(inv.Lines, InvoiceLine{Label: t.tr(msgInvoiceDiscount), Amount: -p.Discount})
	}
	if p.Shipping > 0 {
		inv.Lines = append(inv.Lines, InvoiceLine{Label: t.tr(msgInvoiceShipping), Amount: p.Shipping})
	}
	return inv
}

// PayRefusal is why a provider's payment cannot go ahead.
type PayRefusal int

// The reasons a payment is refused before the customer is charged.
const (
	RefusedNotOurs    PayRefusal = iota // forged or unknown invoice
	RefusedNotPayable                   // cancelled, timed out or paid
	RefusedAmount                       // the amount or currency differs
)

// PayRefusalText is what the customer reads when their payment is refused
// before they are charged.
func PayRefusalText(lang Lang, r PayRefusal) string {
	t := newTurn(Env{}, State{Lang: lang}, English)
	switch r {
	case RefusedNotPayable:
		return t.tr(msgPayRefusedGone)
	case RefusedAmount:
		return t.tr(msgPayRefusedAmount)
	}
	return t.tr(msgPayRefusedOther)
}

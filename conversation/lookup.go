package conversation

// OrdersNamed returns the order numbers (and after-sales request numbers,
// "S100008", whose order the core loads with its requests) a step from s on in may look up by
// number beyond the recent orders in Env.Orders: the order the conversation
// is about, and one the customer typed after a global word ("order 100014",
// "cancel 100014") or inside a sentence ("查询订单100014"). The core adds those of them that are the customer's to
// Env.Orders, so an order of any age can be shown, cancelled or complained
// about by its number.
func OrdersNamed(s State, in Input) []string {
	var named []string
	if s.Order != "" {
		named = append(named, s.Order)
	}
	if in.Button != "" {
		return named
	}
	norm := normalize(in.Text)
	var number string
	if g, ok := parseGlobal(norm); ok && g.arg != "" {
		number = g.arg
	} else if u, ok := understand(norm); ok && u.number != "" {
		number = u.number
	}
	if r, ok := requestNumber(number); ok {
		number = r
	}
	if number != "" {
		named = append(named, number)
	}
	return named
}

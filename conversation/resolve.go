package conversation

// Resolve reports the outcome of the intent the last Step asked for, with
// s the State that Step returned. Result.Intent is always nil here. A
// message relayed to staff gets no reply at all.
func Resolve(env Env, s State, it Intent, out Outcome) Result {
	t := newTurn(env, s, "")
	return t.done(t.resolve(it, out))
}

func (t *turn) resolve(it Intent, out Outcome) Result {
	switch it := deref(it).(type) {
	case PlaceOrder:
		return t.resolvePlaceOrder(out)
	case CancelOrder:
		return t.resolveCancel(it, out)
	case FileAfterSales:
		return t.resolveAfterSales(it, out)
	case RequestHuman:
		return t.resolveHuman(out)
	case RelayToStaff:
		return t.resolveRelay(out)
	case SetConsent:
		return t.resolveConsent(it, out)
	case ApplyCoupon:
		return t.resolveCoupon(it, out)
	}
	// Nothing to report: show where the customer is.
	return t.show()
}

// deref accepts intents passed by pointer too; a nil pointer is no intent.
func deref(it Intent) Intent {
	switch p := it.(type) {
	case *PlaceOrder:
		return derefOne(p)
	case *CancelOrder:
		return derefOne(p)
	case *FileAfterSales:
		return derefOne(p)
	case *RequestHuman:
		return derefOne(p)
	case *RelayToStaff:
		return derefOne(p)
	case *SetConsent:
	case *ApplyCoupon:
		return derefOne(p)
	}
	return it
}

func derefOne[T Intent](p *T) Intent {
	if p == nil {
		return nil
	}
	return *p
}

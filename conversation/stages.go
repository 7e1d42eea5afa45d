package conversation

// stageFuncs are what a stage shows and how it takes an answer.
type stageFuncs struct {
	view   func(*turn) view
	handle func(*turn, answer) Result
}

// stage returns the functions of the current stage; an unknown or empty
// stage (a first-time customer, a state saved by another version) is the menu.
func (t *turn) stage() stageFuncs {
	switch t.s.Stage {
	case stageCategories:
		return stageFuncs{(*turn).categoriesView, (*turn).onCategories}
	case stageProducts:
		return stageFuncs{(*turn).productsView, (*turn).onProducts}
	case stageProduct:
		return stageFuncs{(*turn).productView, (*turn).onProduct}
	case stageQty:
		return stageFuncs{(*turn).qtyView, (*turn).onQty}
	case stageAdded:
		return stageFuncs{(*turn).addedView, (*turn).onAdded}
	case stageCart:
		return stageFuncs{(*turn).cartView, (*turn).onCart}
	case stageCartPick:
		return stageFuncs{(*turn).cartPickView, (*turn).onCartPick}
	case stageCartQty:
		return stageFuncs{(*turn).cartQtyView, (*turn).onCartQty}
	case stageName, stagePhone, stageAddress:
		return stageFuncs{(*turn).contactView, (*turn).onContact}
	case stageSummary:
		return stageFuncs{(*turn).summaryView, (*turn).onSummary}
	case stageCoupon:
		return stageFuncs{(*turn).couponView, (*turn).onCoupon}
	case stageOrders:
		return stageFuncs{(*turn).ordersView, (*turn).onOrders}
	case stageOrder:
		return stageFuncs{(*turn).orderView, (*turn).onOrder}
	case stageCancelPick:
		return stageFuncs{(*turn).cancelPickView, (*turn).onCancelPick}
	case stageCancelConfirm:
		return stageFuncs{(*turn).cancelConfirmView, (*turn).onCancelConfirm}
	case stageASPick:
		return stageFuncs{(*turn).asPickView, (*turn).onASPick}
	case stageASType:
		return stageFuncs{(*turn).asTypeView, (*turn).onASType}
	case stageASReason:
		return stageFuncs{(*turn).asReasonView, (*turn).onASReason}
	case stageASPhotos:
		return stageFuncs{(*turn).asPhotosView, (*turn).onASPhotos}
	case stageASSummary:
		return stageFuncs{(*turn).asSummaryView, (*turn).onASSummary}
	case stageHuman:
		return stageFuncs{(*turn).humanView, (*turn).onHuman}
	case stageSearch:
		return stageFuncs{(*turn).searchView, (*turn).onSearch}
	case stageConsent:
		return stageFuncs{(*turn).consentView, (*turn).onConsent}
	}
	return stageFuncs{(*turn).menuView, (*turn).onMenu}
}

// view computes the current stage's prompt and options. A view may move to
// another stage when what it would show is gone (a product left the
// catalog); it leaves a note saying so.
func (t *turn) view() view { return t.stage().view(t) }

// redirect leaves a note and shows another stage instead of the current one.
// An empty key redirects without a note.
func (t *turn) redirect(st Stage, k msgKey, args ...any) view {
	if k != "" {
		t.say(k, args...)
	}
	t.s.Stage = st
	return t.view()
}

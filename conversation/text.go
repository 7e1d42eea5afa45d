package conversation

// msgKey names one customer-facing text. Every key has a text in each
// language's catalog (textsEN, textsZH); placeholders are %s only, with
// numbers formatted before, so both languages take the same arguments in
// the same order.
type msgKey string

// catalogEN and catalogZH are each language's texts, built once at start:
// building a catalog for every message cost 2 % of the bot's CPU. Nothing
// writes to them; they are read only through text, one string at a time.
var catalogEN, catalogZH = texts(English), texts(Chinese)

// text is one text of the catalog of lang.
func text(lang Lang, k msgKey) string {
	if lang == Chinese {
		return catalogZH[k]
	}
	return catalogEN[k]
}

// texts returns the catalog of a language. It builds a fresh map on each
// call so that no caller can change the texts another one sees.
func texts(lang Lang) map[msgKey]string {
	m, care := textsEN(), careTextsEN()
	if lang == Chinese {
		m, care = textsZH(), careTextsZH()
	}
	for k, v := range care {
		m[k] = v
	}
	return m
}

// General.
const (
	msgWelcome        msgKey = "welcome"
	msgWelcomeBack    msgKey = "welcome_back"
	msgMenuPrompt     msgKey = "menu_prompt"
	msgMenuPromptText msgKey = "menu_prompt_text"
	msgHelp           msgKey = "help"
	msgLangSwitched   msgKey = "lang_switched"
	msgChooseOption   msgKey = "choose_option"
	msgStaleButton    msgKey = "stale_button"
	msgStaleNote      msgKey = "stale_note"
	msgTooLong        msgKey = "too_long"
	msgChose          msgKey = "chose"
)

// Option labels.
const (
	msgOptBrowse                 msgKey = "opt_browse"
	msgOptCart                   msgKey = "opt_cart"
	msgOptOrders                 msgKey = "opt_orders"
	msgOptAfterSales             msgKey = "opt_after_sales"
	msgOptHuman                  msgKey = "opt_human"
	msgOptHelp                   msgKey = "opt_help"
	msgOptChinese                msgKey = "opt_chinese"
	msgOptEnglish                msgKey = "opt_english"
	msgOptMenu                   msgKey = "opt_menu"
	msgOptBack                   msgKey = "opt_back"
	msgOptNextPage               msgKey = "opt_next_page"
	msgOptPrevPage               msgKey = "opt_prev_page"
	msgOptAddToCart              msgKey = "opt_add_to_cart"
	msgOptViewCart               msgKey = "opt_view_cart"
	msgOptContinue               msgKey = "opt_continue"
	msgOptCheckout               msgKey = "opt_checkout"
	msgOptChangeQty              msgKey = "opt_change_qty"
	msgOptRemove                 msgKey = "opt_remove"
	msgOptUse                    msgKey = "opt_use"
	msgOptSharePhone             msgKey = "opt_share_phone"
	msgNoticeStatusCancelRefused msgKey = "notice_status_cancel_refused"
	msgNoticeStatusASApproved    msgKey = "notice_status_as_approved"
	msgNoticeStatusASRejected    msgKey = "notice_status_as_rejected"
	msgNoticeStatusASResolved    msgKey = "notice_status_as_resolved"
	msgNoticeStatusUpdated       msgKey = "notice_status_updated"
	msgTypePhone                 msgKey = "type_phone"
	msgOptConfirmOrder           msgKey = "opt_confirm_order"
	msgOptEditContact            msgKey = "opt_edit_contact"
	msgOptBackToCart             msgKey = "opt_back_to_cart"
	msgOptCancelOrder            msgKey = "opt_cancel_order"
	msgOptRequestAS              msgKey = "opt_request_after_sales"
	msgOptYesCancel              msgKey = "opt_yes_cancel"
	msgOptYesRequestCancel       msgKey = "opt_yes_request_cancel"
	msgOptNoKeep                 msgKey = "opt_no_keep"
	msgOptSkip                   msgKey = "opt_skip"
	msgOptDone                   msgKey = "opt_done"
	msgOptSubmit                 msgKey = "opt_submit"
	msgOptDiscard                msgKey = "opt_discard"
)

// Browsing.
const (
	msgNoProducts           msgKey = "no_products"
	msgCategoriesPrompt     msgKey = "categories_prompt"
	msgOtherCategory        msgKey = "other_category"
	msgProductsHeading      msgKey = "products_heading"
	msgProductsHeadingPaged msgKey = "products_heading_paged"
	msgProductLabel         msgKey = "product_label"
	msgProductLabelSoldOut  msgKey = "product_label_sold_out"
	msgProductGone          msgKey = "product_gone"
	msgPrice                msgKey = "price"
	msgInStock              msgKey = "in_stock"
	msgSoldOut              msgKey = "sold_out"
	msgInCart               msgKey = "in_cart"
	msgNoMoreToAdd          msgKey = "no_more_to_add"
	msgQtyPrompt            msgKey = "qty_prompt"
	msgQtyRange             msgKey = "qty_range"
	msgQtyOverStock         msgKey = "qty_over_stock"
	msgAdded                msgKey = "added"
	msgAddedPrompt          msgKey = "added_prompt"
	msgAddedPromptOne       msgKey = "added_prompt_one"
)

// Cart.
const (
	msgCartEmpty          msgKey = "cart_empty"
	msgCartHeading        msgKey = "cart_heading"
	msgCartLine           msgKey = "cart_line"
	msgTotal              msgKey = "total"
	msgCartDropped        msgKey = "cart_dropped"
	msgPickChange         msgKey = "pick_change"
	msgPickRemove         msgKey = "pick_remove"
	msgLineLabel          msgKey = "line_label"
	msgRemoved            msgKey = "removed"
	msgSoldOutRemove      msgKey = "sold_out_remove"
	msgCartQtyPrompt      msgKey = "cart_qty_prompt"
	msgQtyOverStockChange msgKey = "qty_over_stock_change"
	msgQtyChanged         msgKey = "qty_changed"
	msgSoldOutDropped     msgKey = "sold_out_dropped"
	msgStockReduced       msgKey = "stock_reduced"
	msgUnavailable        msgKey = "unavailable"
	msgCartCheck          msgKey = "cart_check"
)

// Checkout.
const (
	msgNamePrompt     msgKey = "name_prompt"
	msgNameInvalid    msgKey = "name_invalid"
	msgNameNoLetters  msgKey = "name_no_letters"
	msgUsingSaved     msgKey = "using_saved"
	msgPhoneLetters   msgKey = "phone_letters"
	msgPhonePrompt    msgKey = "phone_prompt"
	msgPhoneInvalid   msgKey = "phone_invalid"
	msgAddressPrompt  msgKey = "address_prompt"
	msgAddressInvalid msgKey = "address_invalid"
	msgSummaryHeading msgKey = "summary_heading"
	msgSummaryContact msgKey = "summary_contact"
	msgOrderPlaced    msgKey = "order_placed"
	msgOrderFailed    msgKey = "order_failed"
)

// Orders.
const (
	msgOrdersHeading     msgKey = "orders_heading"
	msgMemberTier        msgKey = "member_tier"
	msgNoOrders          msgKey = "no_orders"
	msgOrderLabel        msgKey = "order_label"
	msgOrderNotFound     msgKey = "order_not_found"
	msgOrderTitle        msgKey = "order_title"
	msgOrderStatus       msgKey = "order_status"
	msgShipping          msgKey = "shipping"
	msgTracking          msgKey = "tracking"
	msgCarrier           msgKey = "carrier"
	msgRejectReason      msgKey = "reject_reason"
	msgCancelPendingNote msgKey = "cancel_pending_note"
	msgOpenRequest       msgKey = "open_request"
	msgRequestNotFound   msgKey = "request_not_found"
	msgRequestLine       msgKey = "request_line"
	msgRequestNote       msgKey = "request_note"
	msgRequestSubmitted  msgKey = "request_submitted"
	msgRequestApproved   msgKey = "request_approved"
	msgRequestRejected   msgKey = "request_rejected"
	msgRequestResolved   msgKey = "request_resolved"
	msgTimelineHeading   msgKey = "timeline_heading"

	msgEventPlaced          msgKey = "event_placed"
	msgEventConfirmed       msgKey = "event_confirmed"
	msgEventRejected        msgKey = "event_rejected"
	msgEventShipped         msgKey = "event_shipped"
	msgEventDelivered       msgKey = "event_delivered"
	msgEventCompleted       msgKey = "event_completed"
	msgEventCancelled       msgKey = "event_cancelled"
	msgEventCancelRequested msgKey = "event_cancel_requested"

	msgStatusPending         msgKey = "status_pending"
	msgStatusConfirmed       msgKey = "status_confirmed"
	msgStatusRejected        msgKey = "status_rejected"
	msgStatusShipped         msgKey = "status_shipped"
	msgStatusDelivered       msgKey = "status_delivered"
	msgStatusCompleted       msgKey = "status_completed"
	msgStatusCancelled       msgKey = "status_cancelled"
	msgStatusCancelRequested msgKey = "status_cancel_requested"
)

// Cancelling.
const (
	msgCancelPick            msgKey = "cancel_pick"
	msgNoCancellable         msgKey = "no_cancellable"
	msgCancelConfirm         msgKey = "cancel_confirm"
	msgCancelNeedsApproval   msgKey = "cancel_needs_approval"
	msgCancelKept            msgKey = "cancel_kept"
	msgCancelled             msgKey = "cancelled"
	msgCancelRequested       msgKey = "cancel_requested"
	msgCancelAlreadyPending  msgKey = "cancel_already_pending"
	msgNotCancellableShipped msgKey = "not_cancellable_shipped"
	msgNotCancellable        msgKey = "not_cancellable"
	msgCancelFailed          msgKey = "cancel_failed"
)

// After-sales.
const (
	msgASPick            msgKey = "as_pick"
	msgNoEligible        msgKey = "no_eligible"
	msgASTypePrompt      msgKey = "as_type_prompt"
	msgTypeReturn        msgKey = "type_return"
	msgTypeRefund        msgKey = "type_refund"
	msgTypeExchange      msgKey = "type_exchange"
	msgTypeRepair        msgKey = "type_repair"
	msgTypeComplaint     msgKey = "type_complaint"
	msgASReasonPrompt    msgKey = "as_reason_prompt"
	msgASReasonInvalid   msgKey = "as_reason_invalid"
	msgASPhotosPrompt    msgKey = "as_photos_prompt"
	msgASPhotosMore      msgKey = "as_photos_more"
	msgASPhotosMoreOne   msgKey = "as_photos_more_one"
	msgASPhotosNeedPhoto msgKey = "as_photos_need_photo"
	msgASPhotosLimit     msgKey = "as_photos_limit"
	msgASSummary         msgKey = "as_summary"
	msgASDiscarded       msgKey = "as_discarded"
	msgASFiled           msgKey = "as_filed"
	msgASAlreadyOpen     msgKey = "as_already_open"
	msgNotEligible       msgKey = "not_eligible"
	msgASFailed          msgKey = "as_failed"
)

// Talking to staff.
const (
	msgHumanWaiting msgKey = "human_waiting"
	msgHumanEmpty   msgKey = "human_empty"
	msgHumanFailed  msgKey = "human_failed"
	msgRelayFailed  msgKey = "relay_failed"
	msgHandoffOver  msgKey = "handoff_over"
	msgHandoffLeft  msgKey = "handoff_left"
	msgRelayed      msgKey = "relayed"
)

// Free text understood without an option (understand.go, search.go).
const (
	msgGreeting    msgKey = "greeting"
	msgThanks      msgKey = "thanks"
	msgSearchFound msgKey = "search_found"
	msgSearchNone  msgKey = "search_none"
)

// Notices.
const (
	msgNoticeConfirmed        msgKey = "notice_confirmed"
	msgNoticeRejected         msgKey = "notice_rejected"
	msgNoticeReason           msgKey = "notice_reason"
	msgNoticeShipped          msgKey = "notice_shipped"
	msgNoticeDelivered        msgKey = "notice_delivered"
	msgNoticeCompleted        msgKey = "notice_completed"
	msgNoticeCancelled        msgKey = "notice_cancelled"
	msgNoticeCancelRejected   msgKey = "notice_cancel_rejected"
	msgNoticeASApproved       msgKey = "notice_as_approved"
	msgNoticeASApprovedKind   msgKey = "notice_as_approved_kind"
	msgNoticeComplaintHandled msgKey = "notice_complaint_handled"
	msgNoticeASRejected       msgKey = "notice_as_rejected"
	msgNoticeASResolved       msgKey = "notice_as_resolved"
	msgNoticeNote             msgKey = "notice_note"
	msgNoticeStaff            msgKey = "notice_staff"
	msgNoticeHandoffEnded     msgKey = "notice_handoff_ended"
	msgNoticeHint             msgKey = "notice_hint"
	msgNoticeUpdate           msgKey = "notice_update"
	msgNoticeUpdateGeneral    msgKey = "notice_update_general"
)

// Money: the price parts, payment and its notices.
const (
	msgSubtotalLine     msgKey = "subtotal_line"
	msgShippingLine     msgKey = "shipping_line"
	msgDiscountLine     msgKey = "discount_line"
	msgShippingFree     msgKey = "shipping_free"
	msgToPay            msgKey = "to_pay"
	msgPayStatusLine    msgKey = "pay_status_line"
	msgPayUnpaid        msgKey = "pay_unpaid"
	msgPayPaid          msgKey = "pay_paid"
	msgPayPartRefunded  msgKey = "pay_part_refunded"
	msgPayRefunded      msgKey = "pay_refunded"
	msgPayMethodCOD     msgKey = "pay_method_cod"
	msgPayMethodXfer    msgKey = "pay_method_transfer"
	msgPayMethodTG      msgKey = "pay_method_telegram"
	msgOptConfirmTG     msgKey = "opt_confirm_telegram"
	msgPayByInvoice     msgKey = "pay_by_invoice"
	msgInvoiceTitle     msgKey = "invoice_title"
	msgInvoiceDesc      msgKey = "invoice_desc"
	msgInvoiceItems     msgKey = "invoice_items"
	msgInvoiceDiscount  msgKey = "invoice_discount"
	msgInvoiceShipping  msgKey = "invoice_shipping"
	msgPayRefusedGone   msgKey = "pay_refused_gone"
	msgPayRefusedAmount msgKey = "pay_refused_amount"
	msgPayRefusedOther  msgKey = "pay_refused_other"
	msgPayMethodLine    msgKey = "pay_method_line"
	msgOptConfirmCOD    msgKey = "opt_confirm_cod"
	msgOptConfirmXfer   msgKey = "opt_confirm_transfer"
	msgPayMethodWeChat  msgKey = "pay_method_wechatpay"
	msgOptConfirmWeChat msgKey = "opt_confirm_wechatpay"
	msgPayWeChatLink    msgKey = "pay_wechatpay_link"
	msgPayWeChatScan    msgKey = "pay_wechatpay_scan"
	msgPayAmount        msgKey = "pay_amount"
	msgPayHow           msgKey = "pay_how"
	msgPayHowDefault    msgKey = "pay_how_default"
	msgPayDeadline      msgKey = "pay_deadline"
	msgPayConfirmLater  msgKey = "pay_confirm_later"
	msgNoticePayDue     msgKey = "notice_pay_due"
	msgNoticePaid       msgKey = "notice_paid"
	msgNoticeRefunded   msgKey = "notice_refunded"
	msgNoticePayRemind  msgKey = "notice_pay_remind"
	msgNoticePayExpired msgKey = "notice_pay_expired"
	msgEventPaid        msgKey = "event_paid"
	msgEventRefunded    msgKey = "event_refunded"
	msgOptCoupon        msgKey = "opt_coupon"
	msgOptRemoveCoupon  msgKey = "opt_remove_coupon"
	msgCouponPrompt     msgKey = "coupon_prompt"
	msgCouponApplied    msgKey = "coupon_applied"
	msgCouponRemoved    msgKey = "coupon_removed"
	msgCouponUnknown    msgKey = "coupon_unknown"
	msgCouponNotStarted msgKey = "coupon_not_started"
	msgCouponExpired    msgKey = "coupon_expired"
	msgCouponUsedUp     msgKey = "coupon_used_up"
	msgCouponUsedByYou  msgKey = "coupon_used_by_you"
	msgCouponTier       msgKey = "coupon_tier"
	msgCouponMinSpend   msgKey = "coupon_min_spend"
	msgCouponNotPlaced  msgKey = "coupon_not_placed"
)

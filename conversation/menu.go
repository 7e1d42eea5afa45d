package conversation

// Main menu option keys. They double as the keys other stages use for the
// same destinations, so "menu" always means the main menu.
const (
	keyBrowse     = "browse"
	keyCart       = "cart"
	keyOrders     = "orders"
	keyAfterSales = "aftersales"
	keyHuman      = "human"
	keyHelp       = "help"
	keyLang       = "lang"
	keyMenu       = "menu"
	keyBack       = "back"
)

func (t *turn) menuView() view {
	t.s.Stage = stageMenu
	lang := msgOptChinese
	if t.s.Lang == Chinese {
		lang = msgOptEnglish
	}
	prompt := msgMenuPrompt
	if t.env.TextOnly {
		prompt = msgMenuPromptText
	}
	return view{
		text: t.tr(prompt),
		choices: []choice{
			{key: keyBrowse, label: t.tr(msgOptBrowse)},
			{key: keyCart, label: t.tr(msgOptCart)},
			{key: keyOrders, label: t.tr(msgOptOrders)},
			{key: keyAfterSales, label: t.tr(msgOptAfterSales)},
			{key: keyHuman, label: t.tr(msgOptHuman)},
			{key: keyHelp, label: t.tr(msgOptHelp)},
			{key: keyLang, label: t.tr(lang)},
		},
	}
}

func (t *turn) onMenu(a answer) Result {
	switch a.key {
	case keyBrowse:
		return t.goTo(stageCategories)
	case keyCart:
		return t.goTo(stageCart)
	case keyOrders:
		return t.goTo(stageOrders)
	case keyAfterSales:
		return t.startAfterSales("")
	case keyHuman:
		return t.intend(RequestHuman{})
	case keyHelp:
		t.say(msgHelp)
		return t.show()
	case keyLang:
		if t.s.Lang == Chinese {
			return t.switchLang(English)
		}
		return t.switchLang(Chinese)
	}
	return t.invalid()
}

// global carries out a word that works in every stage. Help and language
// keep the customer where they are; the others start a flow afresh.
func (t *turn) global(g global) Result {
	switch g.kind {
	case gHelp:
		t.say(msgHelp)
		return t.show()
	case gEnglish:
		return t.switchLang(English)
	case gChinese:
		return t.switchLang(Chinese)
	case gSubscribe, gUnsubscribe:
		// Consent changes wherever the customer is, and they stay there.
		return t.intend(SetConsent{Granted: g.kind == gSubscribe})
	}
	if t.s.Stage == stageHuman {
		t.say(msgHandoffLeft)
	}
	t.s = t.s.restart()
	switch g.kind {
	case gOrders:
		return t.goTo(stageOrders)
	case gOrder:
		return t.openOrder(g.arg)
	case gAfterSales:
		return t.startAfterSales(g.arg)
	case gCancel:
		return t.startCancel(g.arg)
	case gHuman:
		return t.intend(RequestHuman{})
	case gBrowse:
		return t.goTo(stageCategories)
	}
	return t.show()
}

// switchLang changes the language and shows the current options again in it.
func (t *turn) switchLang(l Lang) Result {
	t.s.Lang = l
	t.say(msgLangSwitched)
	return t.show()
}

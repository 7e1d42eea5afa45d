package conversation

import (
	"strings"
	"unicode/utf8"
)

// maxText is the longest free text accepted; longer input is most likely a
// paste by mistake, and staff cards and order notes stay readable.
const maxText = 500

// Step runs one customer input through the conversation. When the Result
// carries an Intent its Replies are empty: the core carries the intent out
// and Resolve writes the words, once the outcome is known.
func Step(env Env, s State, in Input) Result {
	t := newTurn(env, s, in.Lang)
	return t.done(t.step(in))
}

func (t *turn) step(in Input) Result {
	norm := normalize(in.Text)
	g, isGlobal := parseGlobal(norm)
	if in.Button != "" {
		// A button press is judged by its key alone; any text that came
		// with it is not a typed command.
		isGlobal = false
	}
	if t.s.Stage == "" && t.s.LastActive.IsZero() {
		return t.wake(msgWelcome, g, isGlobal)
	}
	if t.s.idle(t.env.Now) {
		return t.wake(msgWelcomeBack, g, isGlobal)
	}
	if isGlobal && t.s.Stage == stageHuman && g.kind != gMenu && g.kind != gEndChat && !g.kind.consent() {
		// While a person is talking with the customer, only the words that
		// leave the chat leave it: "订单 100001" or "取消" is for staff.
		isGlobal = false
	}
	if isGlobal {
		return t.global(g)
	}
	return t.answer(in, norm)
}

// wake starts a new or long-idle conversation at the menu. A global word
// still does what it says; anything else was meant for a conversation the
// customer no longer sees, so it only gets the menu.
func (t *turn) wake(greeting msgKey, g global, isGlobal bool) Result {
	t.s = t.s.restart()
	t.say(greeting)
	if isGlobal {
		return t.global(g)
	}
	return t.show()
}

// answer matches the input against the options the current stage offers
// and hands it to the stage.
func (t *turn) answer(in Input, norm string) Result {
	if utf8.RuneCountInString(in.Text) > maxText {
		t.say(msgTooLong, itoa(maxText))
		return t.show()
	}
	v := t.view()
	a := answer{
		text:  strings.TrimSpace(in.Text),
		norm:  norm,
		media: in.Media,
		phone: strings.TrimSpace(in.Phone),
	}
	if in.Button != "" {
		a.key = v.byKey(in.Button)
		if a.key == "" {
			t.say(msgStaleButton)
			res := t.show()
			res.StaleButton = true
			return res
		}
	} else {
		a.key = v.byText(norm)
		if a.key != "" && t.s.Stage.asksContact() {
			// Where a name or an address is expected, a typed number that
			// picks an option may not have been meant as one: say which
			// option it chose, so nothing happens silently.
			if label, ok := v.numbered(norm); ok {
				t.say(msgChose, label)
			}
		}
	}
	if a.typed() && !t.s.Stage.takesText() {
		if res, ok := t.interpret(a); ok {
			return res
		}
	}
	return t.stage().handle(t, a)
}

// answer is an input after matching: the chosen option's key, or what was
// typed, sent or shared.
type answer struct {
	key   string
	text  string // as typed, trimmed
	norm  string // folded for comparison
	media []string
	phone string
}

// typed reports whether the answer is free text rather than a choice.
func (a answer) typed() bool { return a.key == "" && a.text != "" }

// invalid tells the customer the input did not fit and shows the options
// again: the conversation never dead-ends.
func (t *turn) invalid() Result {
	t.say(msgChooseOption)
	return t.show()
}

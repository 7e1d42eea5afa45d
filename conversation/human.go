package conversation

import "slices"

// humanView offers no options: everything the customer sends goes to staff
// until they type a global word such as "menu".
func (t *turn) humanView() view {
	return view{text: t.tr(msgHumanWaiting)}
}

func (t *turn) onHuman(a answer) Result {
	text := a.text
	if text == "" {
		text = a.phone
	}
	if text == "" && len(a.media) == 0 {
		t.say(msgHumanEmpty)
		return t.show()
	}
	return t.intend(RelayToStaff{Text: text, Media: slices.Clone(a.media)})
}

func (t *turn) resolveHuman(out Outcome) Result {
	if out.Problem != OK {
		t.say(msgHumanFailed)
		return t.goTo(stageMenu)
	}
	return t.goTo(stageHuman)
}

// resolveRelay says nothing when the message reached staff: the customer
// waits for their answer. NotFound means staff closed the chat meanwhile.
func (t *turn) resolveRelay(out Outcome) Result {
	switch out.Problem {
	case OK:
		return t.reply(Reply{Text: t.tr(msgRelayed)})
	case NotFound:
		t.say(msgHandoffOver)
		return t.goTo(stageMenu)
	}
	t.say(msgRelayFailed)
	return t.show()
}

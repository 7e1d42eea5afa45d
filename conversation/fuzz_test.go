package conversation

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"
)

// FuzzStep throws arbitrary input at every stage, including states no
// honest version would save, and follows the conversation a few steps. It
// checks that nothing panics, every result keeps the invariants of
// checkStep and checkResolve, the caller's State is never changed, and the
// options a reply offers are exactly those the next step honours.
func FuzzStep(f *testing.F) {
	seeds := []string{"", "1", "2", "9", "menu", "菜单", "order 100023", "订单 100025", "cancel", "cancel 100024",
		"after-sales 100023", "售后", "human", "english", "中文", "help", "back", "3件", "Li Si", "+8613800138000",
		"北京市朝阳区建国路 88 号", "Green tea", "skip", "done", "Confirm order", "1.", "１", "order#", "%s %d %!"}
	for i, s := range seeds {
		f.Add(uint8(i), i%2 == 0, s, "", i%5 == 0, "", uint8(i), uint8(i))
	}
	f.Add(uint8(3), false, "", keyAdd, false, "", uint8(0), uint8(1))
	f.Add(uint8(0x80|9), true, "TEA-GREEN", "order:100023", true, "13800138000", uint8(200), uint8(3))
	f.Add(uint8(0x40|10), false, "", "", false, "+86 139 0013 9000", uint8(1), uint8(0))
	f.Fuzz(func(t *testing.T, stage uint8, zh bool, text, button string, media bool, phone string, pick, problem uint8) {
		// checkReply reads "%!" as a formatting slip; keep it out of the data.
		text, button, phone = noSlip(text), noSlip(button), noSlip(phone)
		env, s := fuzzWorld(stage, zh, text, button, phone, pick)
		in := Input{Text: text, Button: button, Phone: phone, Lang: Lang(phone)}
		if media {
			in.Media = []string{text, button}
		}
		r := stepUnchanged(t, env, s, in)
		for k := range 4 {
			r = follow(t, env, r, int(pick)+k, problem)
		}
	})
}

func noSlip(s string) string { return strings.ReplaceAll(s, "%!", "%?") }

// fuzzWorld builds an environment and a state from fuzz input. The high
// bits of stage spoil the state or the environment in different ways.
func fuzzWorld(stage uint8, zh bool, text, button, phone string, pick uint8) (Env, State) {
	lang := English
	if zh {
		lang = Chinese
	}
	stages := allStages()
	env, s := testEnv(), stateAt(stages[int(stage&0x1f)%len(stages)], lang)
	if stage&0x80 != 0 { // fields from nowhere
		s.SKU, s.Order, s.Category, s.Pick = text, button, phone, text
		s.Lang = Lang(phone)
		s.AfterSales = AfterSalesDraft{Type: AfterSalesType(button), Reason: text, Media: []string{phone}}
		s.Contact = Contact{Name: text, Phone: phone, Address: button}
		s.Cart = append(s.Cart, CartLine{SKU: text, Qty: int(pick) - 100}, CartLine{SKU: "TEA-GREEN", Qty: int(pick)})
		s.Names = map[string]ProductName{text: {Name: button}}
	}
	if stage&0x40 != 0 { // a first-time or long-idle customer
		s.LastActive = time.Time{}
		if pick%2 == 1 {
			s.LastActive = now().Add(-48 * time.Hour)
		}
	}
	if stage&0x20 != 0 { // the shop emptied out
		env.Catalog, env.Orders, env.Profile = nil, nil, Contact{}
	}
	return env, s
}

// stepUnchanged runs Step, checks its result, and checks that the State
// passed in was not changed behind the caller's back.
func stepUnchanged(t *testing.T, env Env, s State, in Input) Result {
	t.Helper()
	before := mustJSON(t, s)
	r := Step(env, s, in)
	if after := mustJSON(t, s); after != before {
		t.Fatalf("Step changed its input state:\n%s\n%s", before, after)
	}
	checkStep(t, env, r)
	checkOmitted(t, env, func(env Env) Result { return Step(env, s, in) })
	checkOptionsHonoured(t, env, r)
	return r
}

// follow takes the conversation one step further: it resolves a pending
// intent with some outcome, or picks one of the offered options by button,
// number or label.
func follow(t *testing.T, env Env, r Result, pick int, problem uint8) Result {
	t.Helper()
	if r.Intent != nil {
		problems := []Problem{OK, OutOfStock, Unavailable, NotFound, NotCancellable, NotEligible, AlreadyOpen, AlreadyPending, Internal}
		out := Outcome{Problem: problems[int(problem)%len(problems)], Number: "N-1", SKU: "TEA-GREEN"}
		if problem%2 == 1 {
			out.Status = "cancel_requested"
		}
		before := mustJSON(t, r.State)
		res := Resolve(env, r.State, r.Intent, out)
		if mustJSON(t, r.State) != before {
			t.Fatalf("Resolve changed its input state")
		}
		checkResolve(t, env, r.Intent, out, res)
		checkOmitted(t, env, func(env Env) Result { return Resolve(env, r.State, r.Intent, out) })
		checkOptionsHonoured(t, env, res)
		return res
	}
	if len(r.Replies) == 0 {
		return stepUnchanged(t, env, r.State, Input{Text: "menu"})
	}
	opts := r.Replies[len(r.Replies)-1].Options
	if len(opts) == 0 {
		return stepUnchanged(t, env, r.State, Input{Text: strconv.Itoa(pick % 120)})
	}
	o := opts[pick%len(opts)]
	in := []Input{{Button: o.Key}, {Text: strconv.Itoa(pick%len(opts) + 1)}, {Text: o.Label}}[pick%3]
	next := stepUnchanged(t, env, r.State, in)
	if len(next.Replies) > 0 && contains(next.Replies[0].Text, texts(next.State.Lang)[msgStaleButton]) {
		t.Fatalf("offered option %+v was refused as stale", o)
	}
	return next
}

// checkOptionsHonoured checks that the options of the last reply are the
// ones the stage saved in the state offers, so the next answer is matched
// against what the customer saw.
func checkOptionsHonoured(t *testing.T, env Env, r Result) {
	t.Helper()
	if len(r.Replies) == 0 {
		return
	}
	shown := r.Replies[len(r.Replies)-1].Options
	tn := newTurn(env, r.State, "")
	current := tn.view().options()
	if !reflect.DeepEqual(shown, current) || tn.s.Stage != r.State.Stage {
		t.Fatalf("stage %q shows %v but would honour %v (stage %q)", r.State.Stage, shown, current, tn.s.Stage)
	}
}

func mustJSON(t *testing.T, s State) string {
	t.Helper()
	raw, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(raw)
}

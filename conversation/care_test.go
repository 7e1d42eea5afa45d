package conversation

import (
	"testing"
)

func TestConsentWordsFromEveryStage(t *testing.T) {
	words := map[string]bool{"subscribe": true, "订阅": true, "Subscribe!": true, "unsubscribe": false, "退订": false, "取消订阅": false}
	for _, st := range allStages() {
		for form, granted := range words {
			t.Run(string(st)+"/"+form, func(t *testing.T) {
				before := stateAt(st, Chinese)
				r := Step(testEnv(), before, Input{Text: form})
				checkStep(t, testEnv(), r)
				if r.Intent != (SetConsent{Granted: granted}) {
					t.Fatalf("intent %#v, want consent %v", r.Intent, granted)
				}
				res := Resolve(testEnv(), r.State, r.Intent, Outcome{})
				checkResolve(t, testEnv(), r.Intent, Outcome{}, res)
				if st != stageConsent && res.State.Stage != st {
					t.Fatalf("moved to %q", res.State.Stage)
				}
				want := "已为您退订"
				if granted {
					want = "订阅成功"
				}
				if st == stageConsent && !granted {
					want = "不会给您发送促销消息"
				}
				if !contains(res.Replies[0].Text, want) {
					t.Fatalf("reply %q lacks %q", res.Replies[0].Text, want)
				}
			})
		}
	}
}

func TestConsentAskedAfterFirstOrder(t *testing.T) {
	typed := testProfile()
	runFlows(t, []flow{
		{name: "yes by button", setup: atSummary(typed), steps: []say{
			{in: btn(keyConfirm), out: outcome(Outcome{Number: "100023", AskConsent: true}), stage: stageConsent,
				has: []string{"Order 100023 has been placed", "offers and new arrivals", "Yes, keep me posted", "No, thanks"}},
			{in: btn(keyConsentYes), intent: SetConsent{Granted: true}, out: outcome(Outcome{}), stage: stageOrder,
				has: []string{"You're subscribed", "unsubscribe"}},
		}},
		{name: "no by number in Chinese", lang: Chinese, setup: atSummary(typed), steps: []say{
			{in: btn(keyConfirm), out: outcome(Outcome{Number: "100023", AskConsent: true}), stage: stageConsent, has: []string{"优惠活动"}},
			{in: txt("2"), intent: SetConsent{Granted: false}, out: outcome(Outcome{}), stage: stageOrder, has: []string{"不会给您发送促销消息"}},
		}},
		{name: "typed yes", setup: atSummary(typed), steps: []say{
			{in: btn(keyConfirm), out: outcome(Outcome{Number: "100023", AskConsent: true}), stage: stageConsent},
			{in: txt("yes"), intent: SetConsent{Granted: true}},
		}},
		{name: "something else is asked again", setup: atSummary(typed), steps: []say{
			{in: btn(keyConfirm), out: outcome(Outcome{Number: "100023", AskConsent: true}), stage: stageConsent},
			{in: txt("7"), stage: stageConsent, has: []string{"offers and new arrivals"}},
		}},
		{name: "not asked again", setup: atSummary(typed), steps: []say{
			{in: btn(keyConfirm), out: outcome(Outcome{Number: "100023"}), stage: stageOrder, hasNot: []string{"offers and new arrivals"}},
		}},
		{name: "saving failed", setup: atSummary(typed), steps: []say{
			{in: btn(keyConfirm), out: outcome(Outcome{Number: "100023", AskConsent: true}), stage: stageConsent},
			{in: btn(keyConsentYes), out: outcome(Outcome{Problem: Internal}), stage: stageOrder, has: []string{"couldn't save"}},
		}},
	})
}

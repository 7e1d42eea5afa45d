package conversation

import (
	"encoding/json"
	"strconv"
	"strings"
	"testing"
)

// checkStep asserts what holds for every Step result: a reply, or an
// intent and no reply (Resolve writes it).
func checkStep(t testing.TB, env Env, r Result) {
	t.Helper()
	checkCommon(t, env, r)
	switch {
	case r.Intent != nil && len(r.Replies) > 0:
		t.Fatalf("Step returned intent %T and replies %q", r.Intent, r.Replies)
	case r.Intent == nil && len(r.Replies) == 0:
		t.Fatalf("Step returned neither intent nor reply at stage %q", r.State.Stage)
	}
}

// checkResolve asserts what holds for every Resolve result: no intent, and
// a reply, also when a message went to staff (the customer is told it did).
func checkResolve(t testing.TB, env Env, it Intent, out Outcome, r Result) {
	t.Helper()
	checkCommon(t, env, r)
	switch {
	case r.Intent != nil:
		t.Fatalf("Resolve returned intent %T", r.Intent)
	case len(r.Replies) == 0:
		t.Fatalf("Resolve(%T, %q) gave no reply", it, out.Problem)
	}
}

func checkCommon(t testing.TB, env Env, r Result) {
	t.Helper()
	if r.State.Lang != English && r.State.Lang != Chinese {
		t.Fatalf("State.Lang = %q", r.State.Lang)
	}
	if !r.State.LastActive.Equal(env.Now) {
		t.Fatalf("LastActive = %v, want %v", r.State.LastActive, env.Now)
	}
	if _, err := json.Marshal(r.State); err != nil {
		t.Fatalf("state does not encode: %v", err)
	}
	for _, rep := range r.Replies {
		checkReply(t, rep)
	}
}

// checkReply asserts a reply can be read and answered: text, no formatting
// slip, options with unique keys and labels, and no label that typing would
// read as another option's number.
func checkReply(t testing.TB, rep Reply) {
	t.Helper()
	if strings.TrimSpace(rep.Text) == "" {
		t.Fatalf("empty reply text; options %v", rep.Options)
	}
	if strings.Contains(rep.Text, "%!") {
		t.Fatalf("formatting error in %q", rep.Text)
	}
	keys, labels := map[string]bool{}, map[string]bool{}
	for i, o := range rep.Options {
		if o.Key == "" || len(o.Key) > maxKey || keys[o.Key] {
			t.Fatalf("bad or repeated key %q in %v", o.Key, rep.Options)
		}
		l := normalize(o.Label)
		if l == "" || labels[l] || strings.Contains(o.Label, "%!") {
			t.Fatalf("bad or repeated label %q in %v", o.Label, rep.Options)
		}
		if n, err := strconv.Atoi(l); err == nil && n != i+1 {
			t.Fatalf("label %q would be read as option %d", o.Label, n)
		}
		keys[o.Key], labels[l] = true, true
	}
}

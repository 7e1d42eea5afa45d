package conversation

import (
	"reflect"
	"testing"
)

// say is one customer input in a scripted conversation and what must
// follow it.
type say struct {
	in     Input
	intent Intent   // the intent Step must return; nil means none unless out is set
	out    *Outcome // when set, the intent is resolved with this outcome
	stage  Stage    // the stage afterwards; empty means not checked
	has    []string // fragments the reply must contain
	hasNot []string // fragments it must not contain
	check  func(t *testing.T, c *chat)
}

func txt(s string) Input { return Input{Text: s} }
func btn(k string) Input { return Input{Button: k} }

func outcome(o Outcome) *Outcome { return &o }

// flow is a whole conversation, for table tests.
type flow struct {
	name  string
	lang  Lang
	setup func(c *chat)
	steps []say
}

func runFlows(t *testing.T, flows []flow) {
	t.Helper()
	for _, f := range flows {
		t.Run(f.name, func(t *testing.T) {
			lang := f.lang
			if lang == "" {
				lang = English
			}
			c := newChat(t, lang)
			if f.setup != nil {
				f.setup(c)
			}
			for i, st := range f.steps {
				c.step(i, st)
			}
		})
	}
}

func (c *chat) step(i int, st say) {
	c.t.Helper()
	c.send(st.in)
	got := c.last.Intent
	switch {
	case st.intent != nil && !reflect.DeepEqual(got, st.intent):
		c.t.Fatalf("step %d %+v: intent = %#v, want %#v; reply:\n%s", i, st.in, got, st.intent, c.reply())
	case st.intent == nil && st.out == nil && got != nil:
		c.t.Fatalf("step %d %+v: unexpected intent %#v", i, st.in, got)
	case st.out != nil && got == nil:
		c.t.Fatalf("step %d %+v: no intent to resolve; reply:\n%s", i, st.in, c.reply())
	}
	if st.out != nil {
		c.resolve(*st.out)
	}
	if st.stage != "" && c.s.Stage != st.stage {
		c.t.Fatalf("step %d %+v: stage = %q, want %q; reply:\n%s", i, st.in, c.s.Stage, st.stage, c.reply())
	}
	c.wantSays(st.has...)
	c.wantNotSays(st.hasNot...)
	if st.check != nil {
		st.check(c.t, c)
	}
}

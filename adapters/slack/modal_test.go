package slack

import "testing"

// Every input a card action may ask for has a form, in both languages:
// an unknown one would leave the button doing nothing.
func TestFormInputsForEveryCardInput(t *testing.T) {
	for _, lang := range []string{"en", "zh"} {
		w, zh := newStaffText(lang), lang == "zh"
		for _, kind := range []string{"reason", "shipping", "text", "note"} {
			in := formInputs(kind, w)
			if len(in) == 0 {
				t.Fatalf("no form for %q (zh %v)", kind, zh)
			}
			for _, f := range in {
				if f.block == "" || f.label == "" {
					t.Fatalf("form for %q has an unnamed field: %+v", kind, f)
				}
			}
		}
		// The note goes where the core reads it: the reason.
		if in := formInputs("note", w); in[0].block != "reason" {
			t.Fatalf("the note is read from %q", in[0].block)
		}
	}
}

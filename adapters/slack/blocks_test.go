package slack

import "testing"

func TestButtonAndFormMetaRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		value string
		want  button
		ok    bool
	}{
		{"order:7|3", button{ref: "order:7", version: 3}, true},
		{"after_sales:2|0|reason", button{ref: "after_sales:2", version: 0, input: "reason"}, true},
		{"order:7", button{}, false},
		{"order:7|x", button{}, false},
		{"|3", button{}, false},
		{"a|1|b|c", button{}, false},
	} {
		got, ok := parseButton(tc.value)
		if ok != tc.ok || got != tc.want {
			t.Errorf("parseButton(%q) = %+v, %v", tc.value, got, ok)
		}
		if ok && buttonValue(got.ref, got.version, got.input) != tc.value {
			t.Errorf("buttonValue does not give back %q", tc.value)
		}
	}
	m := formMeta{ref: "order:7", version: 3, action: "ship", channel: "C1", ts: "1.2", input: "shipping"}
	if got, ok := parseFormMeta(m.String()); !ok || got != m {
		t.Fatalf("form meta round trip: %+v, %v", got, ok)
	}
	if _, ok := parseFormMeta("order:7|3|ship"); ok {
		t.Fatal("short form meta accepted")
	}
}

func TestMentionsOnlyForSlackIDs(t *testing.T) {
	for in, want := range map[string]string{
		"Approved by U0ABC1234 (slack) at 10:32": "Approved by <@U0ABC1234> at 10:32",
		"Approved by alice (slack) at 10:32":     "Approved by alice (slack) at 10:32",
		"Approved by UPS (slack)":                "Approved by UPS (slack)",
		"Approved by U0ABC1234 (webchat)":        "Approved by U0ABC1234 (webchat)",
	} {
		if got := mentions(in); got != want {
			t.Errorf("mentions(%q) = %q", in, got)
		}
	}
	if got := truncate("héllo wörld", 5); got != "héll…" {
		t.Errorf("truncate: %q", got)
	}
}

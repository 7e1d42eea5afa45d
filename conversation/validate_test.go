package conversation

import (
	"strings"
	"testing"
)

func TestCleanPhone(t *testing.T) {
	for in, want := range map[string]string{
		"13800138000":       "13800138000",
		"138 0013 8000":     "13800138000",
		"138-0013-8000":     "13800138000",
		"+8613800138000":    "13800138000",
		"+86 199 0000 0000": "19900000000",
		"１３８００１３８０００":       "13800138000",
		"+85291234567":      "+85291234567",
		"+1 415 555 0100":   "+14155550100",
		"+1234567":          "+1234567",
		"12800138000":       "",
		"1380013800":        "",
		"138001380001":      "",
		"+0123456789":       "",
		"+123456":           "",
		"+1234567890123456": "",
		"13800l38000":       "",
		"":                  "",
		"(138)00138000":     "",
		"07700 900123":      "07700900123",
		"(020) 7946 0958":   "02079460958",
		"0571-8888 8888":    "057188888888",
		"0123":              "",
		"0800 123":          "",
	} {
		got, ok := cleanPhone(in)
		if got != want || ok != (want != "") {
			t.Errorf("cleanPhone(%q) = %q, %v; want %q", in, got, ok, want)
		}
	}
}

func TestCleanNameAndAddress(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"张", true}, {"  Li   Si ", true}, {strings.Repeat("张", 50), true},
		{strings.Repeat("张", 51), false}, {"", false}, {"   ", false}, {"12", false},
	} {
		if _, ok := cleanName(tc.in); ok != tc.ok {
			t.Errorf("cleanName(%q) ok = %v", tc.in, ok)
		}
	}
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{"北京朝阳区", true}, {"北京朝阳", false}, {"abcd", false}, {"1 Main St", true},
		{strings.Repeat("路", 200), true}, {strings.Repeat("路", 201), false},
	} {
		if _, ok := cleanAddress(tc.in); ok != tc.ok {
			t.Errorf("cleanAddress(%q) ok = %v; runes, not bytes, are counted", tc.in, ok)
		}
	}
}

func TestParseQty(t *testing.T) {
	for in, want := range map[string]int{
		"1": 1, "99": 99, "3件": 3, "2 pcs": 2, "x2": 2, "5个": 5,
		"0": 0, "100": 0, "-1": 0, "+3": 0, "1.5": 0, "two": 0, "": 0, "9999999999999999999999": 0,
	} {
		got, ok := parseQty(normalize(in))
		if got != want || ok != (want != 0) {
			t.Errorf("parseQty(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
}

func TestItemKey(t *testing.T) {
	if got := itemKey("sku:", "TEA-1"); got != "sku:TEA-1" {
		t.Errorf("plain id: %q", got)
	}
	long := itemKey("cat:", strings.Repeat("x", 100))
	zh := itemKey("cat:", "茶叶")
	if len(long) > maxKey || len(zh) > maxKey || zh == itemKey("cat:", "茶具") || zh != itemKey("cat:", "茶叶") {
		t.Errorf("hashed keys: %q %q", long, zh)
	}
}

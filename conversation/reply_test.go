package conversation

import (
	"math"
	"testing"
)

func TestPlain(t *testing.T) {
	for _, tc := range []struct {
		r    Reply
		want string
	}{
		{Reply{Text: "Hi"}, "Hi"},
		{Reply{Text: "Pick:", Options: []Option{{"a", "Apple"}, {"b", "Banana"}}}, "Pick:\n1. Apple\n2. Banana"},
	} {
		if got := tc.r.Plain(); got != tc.want {
			t.Errorf("Plain() = %q, want %q", got, tc.want)
		}
	}
}

func TestParseLang(t *testing.T) {
	for hint, want := range map[string]Lang{
		"zh": Chinese, "zh-CN": Chinese, "zh_CN": Chinese, "zh-hans": Chinese, "ZH-Hant-TW": Chinese, " zh ": Chinese,
		"": English, "en": English, "en-US": English, "fr": English, "zhx": English, "xx-zh": English,
	} {
		if got := ParseLang(hint); got != want {
			t.Errorf("ParseLang(%q) = %q, want %q", hint, got, want)
		}
	}
}

func TestFormatMoney(t *testing.T) {
	for _, tc := range []struct {
		cur   string
		minor int64
		want  string
	}{
		{"¥", 3800, "¥38.00"},
		{"¥", 5, "¥0.05"},
		{"¥", 0, "¥0.00"},
		{"$", 123456789, "$1234567.89"},
		{"¥", -1250, "-¥12.50"},
		{"USD", 100, "USD 1.00"},
		{"", 42, "0.42"},
		{"¥", math.MinInt64, "-¥92233720368547758.08"},
	} {
		if got := FormatMoney(tc.cur, tc.minor); got != tc.want {
			t.Errorf("FormatMoney(%q, %d) = %q, want %q", tc.cur, tc.minor, got, tc.want)
		}
	}
}

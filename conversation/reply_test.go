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

func TestFormatMoneyFor(t *testing.T) {
	if got := FormatMoneyFor(English, "¥", 3800); got != "CN¥38.00" {
		t.Errorf("English: %q", got)
	}
	if got := FormatMoneyFor(Chinese, "¥", 3800); got != "¥38.00" {
		t.Errorf("Chinese: %q", got)
	}
	if got := FormatMoneyFor(English, "HK$", 100000); got != "HK$1,000.00" {
		t.Errorf("another symbol: %q", got)
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
		{"$", 123456789, "$1,234,567.89"},
		{"¥", 128000, "¥1,280.00"},
		{"¥", 99999, "¥999.99"},
		{"¥", 100000, "¥1,000.00"},
		{"¥", -1250, "-¥12.50"},
		{"USD", 100, "USD 1.00"},
		{"", 42, "0.42"},
		{"¥", math.MinInt64, "-¥92,233,720,368,547,758.08"},
	} {
		if got := FormatMoney(tc.cur, tc.minor); got != tc.want {
			t.Errorf("FormatMoney(%q, %d) = %q, want %q", tc.cur, tc.minor, got, tc.want)
		}
	}
}

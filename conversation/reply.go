package conversation

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Plain renders the reply for text-only channels: the text followed by one
// numbered line per option, which the customer answers by typing the
// number or the label.
func (r Reply) Plain() string {
	if len(r.Options) == 0 {
		return r.Text
	}
	var b strings.Builder
	b.WriteString(r.Text)
	for i, o := range r.Options {
		b.WriteString("\n")
		b.WriteString(strconv.Itoa(i + 1))
		b.WriteString(". ")
		b.WriteString(o.Label)
	}
	return b.String()
}

// ParseLang reads a language hint from a channel ("zh", "zh-CN",
// "zh_Hans", "zh-TW"...). Every Chinese variant gets simplified Chinese,
// which its readers understand better than English; anything else,
// including no hint, gets English.
func ParseLang(hint string) Lang {
	h := strings.ToLower(strings.TrimSpace(hint))
	switch {
	case h == "zh", strings.HasPrefix(h, "zh-"), strings.HasPrefix(h, "zh_"),
		h == "chinese", h == "中文", h == "cn":
		return Chinese
	}
	return English
}

// FormatMoney formats an amount in minor units with two decimals after the
// currency symbol: FormatMoney("¥", 3800) is "¥38.00". A currency written as
// a code ("USD") is separated by a space.
func FormatMoney(currency string, minor int64) string {
	sign := ""
	// Negating through uint64 keeps math.MinInt64 correct.
	abs := uint64(minor)
	if minor < 0 {
		sign, abs = "-", -abs
	}
	amount := strconv.FormatUint(abs/100, 10) + "." + twoDigits(abs%100)
	if r, _ := utf8.DecodeLastRuneInString(currency); unicode.IsLetter(r) {
		currency += " "
	}
	return sign + currency + amount
}

func twoDigits(n uint64) string {
	if n < 10 {
		return "0" + strconv.FormatUint(n, 10)
	}
	return strconv.FormatUint(n, 10)
}

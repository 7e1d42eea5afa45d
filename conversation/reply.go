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

// FormatMoney formats an amount in minor units with two decimals and
// thousands separators after the currency symbol: FormatMoney("¥", 128000)
// is "¥1,280.00". A currency written as a code ("USD") is separated by a
// space.
func FormatMoney(currency string, minor int64) string {
	sign := ""
	// Negating through uint64 keeps math.MinInt64 correct.
	abs := uint64(minor)
	if minor < 0 {
		sign, abs = "-", -abs
	}
	amount := groupThousands(strconv.FormatUint(abs/100, 10)) + "." + twoDigits(abs%100)
	if r, _ := utf8.DecodeLastRuneInString(currency); unicode.IsLetter(r) {
		currency += " "
	}
	return sign + currency + amount
}

// FormatMoneyFor formats an amount for a reader of lang. A bare ¥ is also
// the Japanese yen's sign, so English readers see CN¥.
func FormatMoneyFor(lang Lang, currency string, minor int64) string {
	if lang != Chinese && currency == "¥" {
		currency = "CN¥"
	}
	return FormatMoney(currency, minor)
}

// groupThousands puts a comma between every three digits from the right.
func groupThousands(digits string) string {
	if len(digits) <= 3 {
		return digits
	}
	var b strings.Builder
	head := len(digits) % 3
	if head > 0 {
		b.WriteString(digits[:head])
	}
	for i := head; i < len(digits); i += 3 {
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(digits[i : i+3])
	}
	return b.String()
}

func twoDigits(n uint64) string {
	if n < 10 {
		return "0" + strconv.FormatUint(n, 10)
	}
	return strconv.FormatUint(n, 10)
}

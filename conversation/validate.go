package conversation

import (
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what a customer types at checkout and for after-sales.
const (
	maxName    = 50
	minAddress = 5
	maxAddress = 200
	maxReason  = 500
)

// parseQty reads a quantity from normalized text. A unit word after the
// number ("2件", "3 pcs") is tolerated since people type it.
func parseQty(norm string) (int, bool) {
	s := norm
	for _, unit := range []string{"pcs", "件", "个", "份", "x"} {
		s = strings.TrimSpace(strings.TrimSuffix(s, unit))
	}
	s = strings.TrimPrefix(s, "x")
	if s == "" || strings.ContainsAny(s, "+-") {
		return 0, false
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > maxQty {
		return 0, false
	}
	return n, true
}

// nameProblem says what is wrong with a typed name, for the message that
// asks again: no letters at all (a stray number) or the wrong length.
func nameProblem(s string) msgKey {
	name := strings.Join(strings.Fields(s), " ")
	if name != "" && !strings.ContainsFunc(name, unicode.IsLetter) {
		return msgNameNoLetters
	}
	return msgNameInvalid
}

// cleanName checks a recipient's name: 1–50 characters with at least one
// letter, so that a stray option number is not taken for a name.
func cleanName(s string) (string, bool) {
	name := strings.Join(strings.Fields(s), " ")
	n := utf8.RuneCountInString(name)
	if n < 1 || n > maxName || !strings.ContainsFunc(name, unicode.IsLetter) {
		return "", false
	}
	return name, true
}

// cleanPhone accepts a mainland mobile number (11 digits from 13…19, with
// an optional +86), an international number in E.164 form, or a national
// number starting with 0 ("07700 900123" in the UK, "(020) 7946 0958",
// "0571-8888 8888"), since a shop abroad has customers who write their
// number the way their country does. Spaces, dashes and dots are dropped,
// and fullwidth digits read as ASCII.
func cleanPhone(s string) (string, bool) {
	p := strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '.' {
			return -1
		}
		return r
	}, normalize(s))
	if rest, ok := strings.CutPrefix(p, "+86"); ok && mainlandMobile(rest) {
		return rest, true
	}
	if mainlandMobile(p) || e164(p) {
		return p, true
	}
	if n := strings.Map(func(r rune) rune {
		if r == '(' || r == ')' {
			return -1
		}
		return r
	}, p); national(n) {
		return n, true
	}
	return "", false
}

// national matches a number with its trunk prefix: 0 and 8 to 11 digits.
func national(s string) bool {
	return len(s) >= 9 && len(s) <= 12 && s[0] == '0' && digits(s)
}

// phoneProblem says what is wrong with a typed phone number.
func phoneProblem(s string) msgKey {
	if strings.ContainsFunc(s, unicode.IsLetter) {
		return msgPhoneLetters
	}
	return msgPhoneInvalid
}

// mainlandMobile matches ^1[3-9]\d{9}$.
func mainlandMobile(s string) bool {
	return len(s) == 11 && s[0] == '1' && s[1] >= '3' && s[1] <= '9' && digits(s[2:])
}

// e164 matches ^\+[1-9]\d{6,14}$.
func e164(s string) bool {
	return len(s) >= 8 && len(s) <= 16 && s[0] == '+' && s[1] >= '1' && s[1] <= '9' && digits(s[2:])
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// cleanAddress checks a delivery address: 5–200 characters, counted as
// characters rather than bytes so that Chinese addresses get the same room.
func cleanAddress(s string) (string, bool) {
	addr := strings.Join(strings.Fields(s), " ")
	n := utf8.RuneCountInString(addr)
	return addr, n >= minAddress && n <= maxAddress
}

// cleanReason checks an after-sales reason: 1–500 characters. Line breaks
// are kept, since a description may have several.
func cleanReason(s string) (string, bool) {
	r := strings.TrimSpace(s)
	n := utf8.RuneCountInString(r)
	return r, n >= 1 && n <= maxReason
}

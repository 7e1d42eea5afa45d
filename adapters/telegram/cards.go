package telegram

import (
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/orderbot/orderbot/bot"
)

// cardPress is what a staff card button carries: the action, the item and
// the version the card showed, and what the action needs typed first. It
// comes back from Telegram untrusted; the core authorizes the presser and
// checks the version.
type cardPress struct {
	input   string // "", "reason", "shipping" or "text"
	action  string
	ref     string // "order:42"
	version int
}

// inputCodes are the one-letter prefixes of card callback data: "a" acts
// at once, the others ask for the action's input first.
func inputCodes() map[string]string {
	return map[string]string{"a": "", "r": "reason", "s": "shipping", "t": "text", "n": "note"}
}

// data is the button's callback_data, "<code>:<action>:<ref>:<version>",
// e.g. "a:approve:order:42:3"; false when the input kind is unknown or it
// would not fit in 64 bytes.
func (p cardPress) data() (string, bool) {
	for code, input := range inputCodes() {
		if input == p.input {
			d := fmt.Sprintf("%s:%s:%s:%d", code, p.action, p.ref, p.version)
			return d, len(d) <= maxCallbackData
		}
	}
	return "", false
}

// cardRef is the shape of a card's Ref, "<kind>:<id>".
var cardRef = regexp.MustCompile(`^[a-z_]+:[0-9]+$`)

func parseCardPress(data string) (cardPress, bool) {
	code, rest, ok1 := strings.Cut(data, ":")
	action, rest, ok2 := strings.Cut(rest, ":")
	i := strings.LastIndexByte(rest, ':')
	input, known := inputCodes()[code]
	if !ok1 || !ok2 || !known || action == "" || i <= 0 || !cardRef.MatchString(rest[:i]) {
		return cardPress{}, false
	}
	v, err := strconv.Atoi(rest[i+1:])
	if err != nil || v < 0 {
		return cardPress{}, false
	}
	return cardPress{input: input, action: action, ref: rest[:i], version: v}, true
}

// maxField keeps a card within one message however long its values are.
const maxField = 500

// renderCard is a card as HTML with everything from the card escaped, and
// its actions as buttons. The card's ref stays in the buttons: staff read
// the item's number in the title. An empty keyboard is kept (not nil): editing a
// decided card with it removes the old buttons.
func renderCard(c bot.Card, w staffText) (string, tgbotapi.InlineKeyboardMarkup) {
	var b strings.Builder
	fmt.Fprintf(&b, "<b>%s</b>", esc(c.Title, 200))
	colon := w.Say(": ", "：")
	for _, f := range c.Fields {
		fmt.Fprintf(&b, "\n<b>%s%s</b>%s", esc(f.Label, 100), colon, esc(f.Value, maxField))
	}
	if len(c.Media) > 0 {
		fmt.Fprintf(&b, "\n<b>%s</b>", esc(w.photos(len(c.Media)), 100))
	}
	if c.Status != "" {
		fmt.Fprintf(&b, "\n\n<i>%s</i>", esc(c.Status, 300))
	}
	row := []tgbotapi.InlineKeyboardButton{}
	for _, act := range c.Actions {
		data, ok := cardPress{input: act.Input, action: act.ID, ref: c.Ref, version: c.Version}.data()
		if !ok {
			continue
		}
		row = append(row, tgbotapi.NewInlineKeyboardButtonData(act.Label, data))
	}
	kb := tgbotapi.InlineKeyboardMarkup{InlineKeyboard: [][]tgbotapi.InlineKeyboardButton{}}
	if len(row) > 0 {
		kb.InlineKeyboard = append(kb.InlineKeyboard, row)
	}
	return b.String(), kb
}

// esc shortens s to n characters and escapes it for Telegram's HTML.
func esc(s string, n int) string {
	if utf8.RuneCountInString(s) > n {
		s = string([]rune(s)[:n-1]) + "…"
	}
	return html.EscapeString(s)
}

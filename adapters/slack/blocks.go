package slack

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/orderbot/orderbot/bot"
)

// Block Kit limits (characters) that would make Slack refuse the whole
// message if exceeded.
const (
	maxHeader      = 150
	maxSectionText = 3000
	maxFieldText   = 2000
	maxButtonText  = 75
	maxFields      = 10
	// A field longer than this reads better across the whole card than
	// squeezed into one of the two columns.
	wideField = 300
)

// actionsBlockID names the block holding a card's buttons.
const actionsBlockID = "orderbot_actions"

// escape makes text safe for Slack's mrkdwn: customer names, addresses and
// reasons must not turn into <!channel> pings or links.
var escape = strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;").Replace

// slackUserActor matches an actor the core names after a Slack user id
// without a display name, e.g. "U0123ABC (slack)" as recorded, or
// "U0123ABC (Slack)", "U0123ABC（Slack）" as cards word it.
var slackUserActor = regexp.MustCompile(`\b([UW][A-Z0-9]{6,})(?: \([Ss]lack\)|（Slack）)`)

// mentions turns Slack staff named by their user id into mentions, which
// Slack shows as their current display name.
func mentions(escaped string) string {
	return slackUserActor.ReplaceAllString(escaped, "<@$1>")
}

// truncate cuts s to at most n characters, marking the cut.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

func plain(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.PlainTextType, s, false, false)
}

// mrkdwn is formatted text; verbatim keeps Slack from linking bare names
// and URLs on its own.
func mrkdwn(s string) *slack.TextBlockObject {
	return slack.NewTextBlockObject(slack.MarkdownType, s, false, true)
}

// cardBlocks renders a staff card: title, fields, photos, status and, when
// withActions, one button per action.
func cardBlocks(c bot.Card, withActions bool, w staffText) []slack.Block {
	blocks := []slack.Block{slack.NewHeaderBlock(plain(truncate(orDash(c.Title), maxHeader)))}
	blocks = append(blocks, fieldBlocks(c.Fields)...)
	if m := mediaText(c.Media, w); m != "" {
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(m), nil, nil))
	}
	if c.Status != "" {
		blocks = append(blocks, slack.NewContextBlock("", mrkdwn(truncate(mentions(escape(c.Status)), maxSectionText))))
	}
	if withActions && len(c.Actions) > 0 {
		blocks = append(blocks, actionsBlock(c))
	}
	return blocks
}

// fieldBlocks puts short fields side by side and long ones across the card.
func fieldBlocks(fields []bot.CardField) []slack.Block {
	var blocks []slack.Block
	var short []*slack.TextBlockObject
	flush := func() {
		if len(short) > 0 {
			blocks = append(blocks, slack.NewSectionBlock(nil, short, nil))
			short = nil
		}
	}
	for _, f := range fields {
		text := "*" + escape(f.Label) + "*\n" + escape(orDash(f.Value))
		if utf8.RuneCountInString(f.Value) > wideField {
			flush()
			blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate(text, maxSectionText)), nil, nil))
			continue
		}
		short = append(short, mrkdwn(truncate(text, maxFieldText)))
		if len(short) == maxFields {
			flush()
		}
	}
	flush()
	return blocks
}

// mediaText links photos that are URLs. They are links, not image blocks:
// Slack refuses a whole message whose image it cannot fetch, and a card
// must never be lost to a photo. Other references (a Telegram file id)
// are only counted.
func mediaText(media []string, w staffText) string {
	var links []string
	others := 0
	for i, m := range media {
		if strings.HasPrefix(m, "https://") || strings.HasPrefix(m, "http://") {
			if !strings.ContainsAny(m, "<>| ") {
				links = append(links, fmt.Sprintf("<%s|%s>", m, w.Sayf("photo %d", "图片 %d", i+1)))
				continue
			}
		}
		others++
	}
	if len(links) == 0 && others == 0 {
		return ""
	}
	text := "*" + w.Say("Photos:", "图片：") + "* " + strings.Join(links, "  ")
	if others > 0 {
		text += w.Sayf(" %d on the customer's channel", " %d 张在客户的渠道上", others)
	}
	return truncate(text, maxSectionText)
}

func actionsBlock(c bot.Card) *slack.ActionBlock {
	var buttons []slack.BlockElement
	for _, act := range c.Actions {
		b := slack.NewButtonBlockElement(act.ID, buttonValue(c.Ref, c.Version, act.Input), plain(truncate(act.Label, maxButtonText)))
		switch act.Style {
		case "primary":
			b.WithStyle(slack.StylePrimary)
		case "danger":
			b.WithStyle(slack.StyleDanger)
		}
		buttons = append(buttons, b)
	}
	return slack.NewActionBlock(actionsBlockID, buttons...)
}

// fallbackText is the message's plain text, shown in notifications.
func fallbackText(c bot.Card) string {
	text := c.Title
	if c.Status != "" {
		text += " · " + c.Status
	}
	return mentions(escape(text))
}

// button is what a card button carries back when pressed.
type button struct {
	ref     string
	version int
	input   string // what the action asks for first: "reason", "shipping", "text" or ""
}

// buttonValue is "ref|version", with "|input" added for actions that ask
// for something first, so the press alone says whether to open a form.
func buttonValue(ref string, version int, input string) string {
	v := ref + "|" + strconv.Itoa(version)
	if input != "" {
		v += "|" + input
	}
	return v
}

func parseButton(value string) (button, bool) {
	parts := strings.Split(value, "|")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" {
		return button{}, false
	}
	v, err := strconv.Atoi(parts[1])
	if err != nil {
		return button{}, false
	}
	b := button{ref: parts[0], version: v}
	if len(parts) == 3 {
		b.input = parts[2]
	}
	return b, true
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

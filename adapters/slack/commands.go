package slack

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/slack-go/slack"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/conversation"
)

// commandTimeout keeps /orders inside Slack's 3 seconds: its answer is the
// response itself.
const commandTimeout = 2500 * time.Millisecond

// maxPending is how many items "/orders pending" lists.
const maxPending = 30

// orderNumber is how staff write an order number, with or without "#".
var orderNumber = regexp.MustCompile(`^#?[0-9]{1,18}$`)

// serveCommands answers the /orders slash command in its HTTP response.
func (a *Adapter) serveCommands(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil {
		http.Error(w, "malformed form", http.StatusBadRequest)
		return
	}
	cmd := slack.SlashCommand{
		Command:   form.Get("command"),
		Text:      form.Get("text"),
		UserID:    form.Get("user_id"),
		ChannelID: form.Get("channel_id"),
	}
	writeJSON(w, a.command(r.Context(), cmd))
}

// command answers one slash command, from HTTP or Socket Mode. Only staff
// may use it: an order's card shows the customer's phone and address.
func (a *Adapter) command(ctx context.Context, cmd slack.SlashCommand) *slack.Msg {
	ctx, cancel := context.WithTimeout(ctx, commandTimeout)
	defer cancel()
	if _, err := a.svc.StaffMember(ctx, bot.Slack, cmd.UserID); err != nil {
		if errors.Is(err, bot.ErrNotFound) {
			return answer(a.staff.notAllowed())
		}
		return a.commandFailed(cmd, err)
	}
	arg := strings.TrimSpace(cmd.Text)
	var msg *slack.Msg
	var err error
	switch {
	case strings.EqualFold(arg, "pending"):
		msg, err = a.pending(ctx)
	case strings.EqualFold(arg, "today"):
		msg, err = a.today(ctx)
	case orderNumber.MatchString(arg):
		msg, err = a.orderDetails(ctx, strings.TrimPrefix(arg, "#"))
	default:
		return answer(a.staff.usage())
	}
	if err != nil {
		return a.commandFailed(cmd, err)
	}
	return msg
}

func (a *Adapter) commandFailed(cmd slack.SlashCommand, err error) *slack.Msg {
	a.log.Error("slack: command", "command", cmd.Command, "user", cmd.UserID, "err", err)
	return answer(a.staff.failed())
}

// answer is a reply only the person who typed the command sees.
func answer(text string) *slack.Msg {
	return &slack.Msg{ResponseType: slack.ResponseTypeEphemeral, Text: text}
}

// pending lists the open cards that await a decision (they offer Approve).
func (a *Adapter) pending(ctx context.Context) (*slack.Msg, error) {
	cards, err := a.svc.OpenWork(ctx)
	if err != nil {
		return nil, fmt.Errorf("pending: %w", err)
	}
	var lines []string
	for _, c := range cards {
		if !hasAction(c, bot.ActApprove) {
			continue
		}
		line := "• *" + escape(c.Title) + "*"
		if c.Status != "" {
			line += " · " + mentions(escape(c.Status))
		}
		lines = append(lines, line)
	}
	n := len(lines)
	if n == 0 {
		return answer(a.staff.Say("Nothing awaits a decision.", "没有待处理的事项。")), nil
	}
	head := a.staff.Sayf("%d awaiting a decision:\n", "%d 项待处理：\n", n)
	if n > maxPending {
		lines = append(lines[:maxPending], a.staff.Sayf("…and %d more.", "……还有 %d 项。", n-maxPending))
	}
	return answer(truncate(head+strings.Join(lines, "\n"), 3900)), nil
}

func hasAction(c bot.Card, id string) bool {
	for _, act := range c.Actions {
		if act.ID == id {
			return true
		}
	}
	return false
}

// orderDetails shows an order's card with its timeline. The buttons are
// left out: an ephemeral message cannot be updated after a decision.
func (a *Adapter) orderDetails(ctx context.Context, number string) (*slack.Msg, error) {
	card, err := a.svc.OrderDetails(ctx, number)
	if errors.Is(err, bot.ErrNotFound) {
		return answer(a.staff.Sayf("There is no order %s.", "没有订单 %s。", escape(number))), nil
	}
	if err != nil {
		return nil, fmt.Errorf("order details: %w", err)
	}
	msg := answer(fallbackText(card))
	msg.Blocks = slack.Blocks{BlockSet: cardBlocks(card, false, a.staff)}
	return msg, nil
}

// today counts the orders placed since midnight in the shop's time zone
// and their revenue.
func (a *Adapter) today(ctx context.Context) (*slack.Msg, error) {
	now := a.cfg.Clock().In(a.cfg.Location)
	from := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, a.cfg.Location)
	n, revenue, err := a.svc.Stats(ctx, from, from.AddDate(0, 0, 1))
	if err != nil {
		return nil, fmt.Errorf("today: %w", err)
	}
	if a.staff.Chinese() {
		return answer(fmt.Sprintf("今天（%s）：*%d* 笔订单，收入 *%s*。", from.Format("1月2日"), n, a.money(revenue))), nil
	}
	word := "orders"
	if n == 1 {
		word = "order"
	}
	return answer(fmt.Sprintf("Today (%s): *%d* %s, revenue *%s*.", from.Format("2 Jan"), n, word, a.money(revenue))), nil
}

// money formats minor units in the shop's currency for the staff reader,
// e.g. ¥1,280.00, or CN¥1,280.00 in English.
func (a *Adapter) money(minor int64) string {
	lang := conversation.English
	if a.staff.Chinese() {
		lang = conversation.Chinese
	}
	return conversation.FormatMoneyFor(lang, a.cfg.Currency, minor)
}

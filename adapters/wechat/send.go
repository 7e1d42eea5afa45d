package wechat

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/silenceper/wechat/v2/officialaccount/message"

	"github.com/orderbot/orderbot/bot"
)

// The outbox paths of what Send delivers.
const (
	pathCS       = "cs"       // customer-service message (客服消息)
	pathTemplate = "template" // template message (模板消息)
)

// WeChat's customer-service window: messages may be sent for 48 hours
// after the customer's last message, and only so many.
const (
	csWindow = 48 * time.Hour
	// windowMargin keeps us off the window's very end, where our clock and
	// WeChat's disagree.
	windowMargin = time.Minute
	csQuota      = 5
)

// Send delivers a reply or notice to a WeChat customer: a customer-service
// message while the window is open, otherwise a template message for an
// order's status when one is configured, otherwise it is held until the
// customer writes again (bot.ErrHold). m.Path records the way taken.
func (a *Adapter) Send(ctx context.Context, m *bot.Message) (string, error) {
	if m.Recipient == bot.StaffRecipient || m.Kind == bot.KindCard || m.Kind == bot.KindThread {
		// Staff do not work in the Official Account: naming WeChat a staff
		// channel is a configuration mistake, and retrying will not help.
		return "", fmt.Errorf("wechat: no staff destination for a %s message: %w", m.Kind, bot.ErrUnreachable)
	}
	open, err := a.windowOpen(ctx, m.Recipient)
	if err != nil {
		return "", err
	}
	closed := fmt.Errorf("wechat: outside the customer-service window: %w", bot.ErrHold)
	if open {
		a.sendPicture(ctx, m)
		err := a.call(ctx, "customer message", func() error {
			return a.custom.Send(message.NewCustomerTextMessage(m.Recipient, csText(m)))
		})
		if err == nil {
			m.Path = pathCS
			return "", nil
		}
		// WeChat may count its window differently (a menu click opens only
		// a short one): its refusal closes the window.
		if !errors.Is(err, bot.ErrHold) {
			return "", err
		}
		closed = err
	}
	return a.sendOutsideWindow(ctx, m, closed)
}

// windowOpen reports whether a customer-service message may go out now.
func (a *Adapter) windowOpen(ctx context.Context, openID string) (bool, error) {
	last, sent, err := a.svc.Window(ctx, bot.WeChat, openID, pathCS)
	if errors.Is(err, bot.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("wechat: window of customer: %w", err)
	}
	if last.IsZero() || sent >= csQuota {
		return false, nil
	}
	return a.now().Before(last.Add(csWindow - windowMargin)), nil
}

// sendOutsideWindow sends an order-status notice as a template message, or
// holds the message for the customer's next message with the reason why
// the window is closed.
func (a *Adapter) sendOutsideWindow(ctx context.Context, m *bot.Message, closed error) (string, error) {
	if a.cfg.TemplateOrderStatus == "" || m.Notice == nil || m.Notice.OrderNumber == "" {
		return "", closed
	}
	var id int64
	err := a.call(ctx, "template message", func() (err error) {
		id, err = a.template.Send(a.templateMessage(m))
		return err
	})
	if err != nil {
		return "", err
	}
	m.Path = pathTemplate
	return strconv.FormatInt(id, 10), nil
}

// csText is the message text with its options numbered; options become
// bizmsgmenu links, which send their content back as the customer's text
// when tapped. The conversation accepts an option's label as typed, and its
// number for labels that are themselves numbers. A label that could break
// the link markup stays a plain numbered line: typing the number works.
func csText(m *bot.Message) string {
	var b strings.Builder
	b.WriteString(m.Text)
	for i, o := range m.Options {
		n := strconv.Itoa(i + 1)
		b.WriteString("\n")
		if strings.ContainsAny(o.Label, "<>\"&%#\n\r") {
			b.WriteString(n + ". " + o.Label)
			continue
		}
		content := o.Label
		if _, err := strconv.Atoi(strings.TrimSpace(o.Label)); err == nil {
			content = n
		}
		fmt.Fprintf(&b, `<a href="weixin://bizmsgmenu?msgmenucontent=%s&msgmenuid=%s">%s. %s</a>`, content, n, n, o.Label)
	}
	return b.String()
}

// sendPicture shows a reply's picture (a product's) as a one-article 图文
// message just before its text: WeChat fetches the picture from the URL
// itself, and a tap opens it full size. A customer-service text cannot
// carry a picture, nor a passive reply a second message, which is why
// replies with a picture are sent this way (see answer). A picture WeChat
// refuses is logged and the text goes alone: the words matter more.
func (a *Adapter) sendPicture(ctx context.Context, m *bot.Message) {
	pic := bot.PictureURL(m.ImageURL)
	if pic == "" {
		return
	}
	title, _, _ := strings.Cut(strings.TrimSpace(m.Text), "\n")
	news := &message.CustomerMessage{
		ToUser: m.Recipient, Msgtype: message.MsgTypeNews,
		News: &message.MediaNews{Articles: []message.MediaArticles{{Title: cut(title, 64), URL: pic, Picurl: pic}}},
	}
	if err := a.call(ctx, "customer picture", func() error { return a.custom.Send(news) }); err != nil {
		a.log.Warn("wechat: product picture not sent, the text goes alone", "err", err)
	}
}

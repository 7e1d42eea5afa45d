package slack

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/slack-go/slack"

	"github.com/orderbot/orderbot/bot"
)

// formCallback names the modal that collects what an action needs.
const formCallback = "orderbot_action"

// inputValue is the action id of every input element in the form; the
// block id says which input it is.
const inputValue = "value"

// formInput is one text box of the form.
type formInput struct {
	block, label, placeholder string
	multiline                 bool
	max                       int
}

// formInputs are the text boxes a kind of card input asks for; nil for a
// kind this adapter does not know.
func formInputs(kind string, w staffText) []formInput {
	switch kind {
	case "reason":
		return []formInput{{block: "reason", label: w.Say("Reason (the customer sees it)", "原因（客户会看到）"),
			placeholder: w.Say("e.g. out of stock", "例如：暂时缺货"), multiline: true, max: 500}}
	case "shipping":
		return []formInput{
			{block: "carrier", label: w.Say("Carrier", "快递公司"), placeholder: w.Say("e.g. SF Express", "例如：顺丰"), max: 100},
			{block: "tracking", label: w.Say("Tracking number", "运单号"), max: 100},
		}
	case "text":
		return []formInput{{block: "text", label: w.Say("Message to the customer", "给客户的消息"), multiline: true, max: 1000}}
	case "note":
		return []formInput{{block: "reason", label: w.Say("Note to the customer (next steps, return address)", "给客户的说明（下一步、退货地址等）"),
			placeholder: w.Say("e.g. please send it to …", "例如：请寄回至……"), multiline: true, max: 500}}
	}
	return nil
}

// formMeta is what a form carries from the press to its submission.
type formMeta struct {
	ref     string
	version int
	action  string
	channel string // where the card is
	ts      string
	input   string
}

func (m formMeta) String() string {
	return strings.Join([]string{m.ref, strconv.Itoa(m.version), m.action, m.channel, m.ts, m.input}, "|")
}

func parseFormMeta(s string) (formMeta, bool) {
	p := strings.Split(s, "|")
	if len(p) != 6 {
		return formMeta{}, false
	}
	v, err := strconv.Atoi(p[1])
	if err != nil || p[0] == "" || p[2] == "" {
		return formMeta{}, false
	}
	return formMeta{ref: p[0], version: v, action: p[2], channel: p[3], ts: p[4], input: p[5]}, true
}

// openForm shows the form an action needs. Someone who is not staff at all
// is told so at once rather than after filling it in; whether their role
// may take the action is for the core to say on submission.
func (a *Adapter) openForm(ctx context.Context, ic slack.InteractionCallback, ba *slack.BlockAction, b button, at place) {
	inputs := formInputs(b.input, a.staff)
	if inputs == nil {
		a.log.Warn("slack: card action asks for an unknown input", "input", b.input, "action", ba.ActionID)
		return
	}
	_, err := a.svc.StaffMember(ctx, bot.Slack, ic.User.ID)
	if errors.Is(err, bot.ErrNotFound) {
		a.ephemeral(ctx, at, a.staff.notAllowed())
		return
	}
	if err != nil {
		a.log.Error("slack: look up staff", "user", ic.User.ID, "err", err)
		a.ephemeral(ctx, at, a.staff.failed())
		return
	}
	meta := formMeta{ref: b.ref, version: b.version, action: ba.ActionID, channel: at.channel, ts: at.ts, input: b.input}
	view := formView(strings.TrimSpace(ba.Text.Text), ic.Message.Text, inputs, meta, a.staff)
	if _, err := a.api.OpenViewContext(ctx, ic.TriggerID, view); err != nil {
		a.log.Warn("slack: open form", "ref", b.ref, "err", err)
		a.ephemeral(ctx, at, a.staff.Say("The form could not be opened; please press the button again.", "表单没能打开，请再按一次按钮。"))
	}
}

func formView(label, about string, inputs []formInput, meta formMeta, w staffText) slack.ModalViewRequest {
	if label == "" {
		label = meta.action
	}
	var blocks []slack.Block
	if about != "" {
		// about is the card's own fallback text, already escaped.
		blocks = append(blocks, slack.NewSectionBlock(mrkdwn(truncate(about, maxSectionText)), nil, nil))
	}
	for _, in := range inputs {
		var ph *slack.TextBlockObject
		if in.placeholder != "" {
			ph = plain(in.placeholder)
		}
		el := slack.NewPlainTextInputBlockElement(ph, inputValue).WithMaxLength(in.max).WithMultiline(in.multiline)
		blocks = append(blocks, slack.NewInputBlock(in.block, plain(in.label), nil, el))
	}
	return slack.ModalViewRequest{
		Type:            slack.VTModal,
		CallbackID:      formCallback,
		Title:           plain(truncate(label, 24)), // Slack's limit for modal titles
		Submit:          plain(truncate(label, 24)),
		Close:           plain(w.Say("Cancel", "取消")),
		Blocks:          slack.Blocks{BlockSet: blocks},
		PrivateMetadata: meta.String(),
	}
}

// submit checks a submitted form and, when it is complete, carries out
// the action after the acknowledgement. It returns the errors to show in
// the form, or nil to close it.
func (a *Adapter) submit(ctx context.Context, ic slack.InteractionCallback) *slack.ViewSubmissionResponse {
	if ic.View.CallbackID != formCallback {
		return nil
	}
	meta, ok := parseFormMeta(ic.View.PrivateMetadata)
	inputs := formInputs(meta.input, a.staff)
	if !ok || inputs == nil {
		return nil
	}
	values, problems := formValues(inputs, ic.View.State, a.staff)
	if len(problems) > 0 {
		return slack.NewErrorsViewSubmissionResponse(problems)
	}
	act := bot.StaffAction{
		Channel: bot.Slack, UserID: ic.User.ID, Ref: meta.ref, Action: meta.action, Version: meta.version,
		Reason: values["reason"], Carrier: values["carrier"], Tracking: values["tracking"], Text: values["text"],
	}
	at := place{channel: meta.channel, user: ic.User.ID, ts: meta.ts}
	a.async(ctx, "form submission", func(ctx context.Context) {
		res, err := a.svc.HandleStaffAction(ctx, act)
		if err != nil {
			a.answerRefusal(ctx, at, meta.ref, res, err)
			return
		}
		a.log.Info("slack: staff action", "user", act.UserID, "ref", act.Ref, "action", act.Action)
	})
	return nil
}

// formValues reads the form's text boxes, each required and within its
// length, keyed by block id; problems are keyed the same way, which is
// how Slack shows them under the right box.
func formValues(inputs []formInput, state *slack.ViewState, w staffText) (values, problems map[string]string) {
	values, problems = map[string]string{}, map[string]string{}
	for _, in := range inputs {
		var v string
		if state != nil {
			v = strings.TrimSpace(state.Values[in.block][inputValue].Value)
		}
		switch {
		case v == "":
			problems[in.block] = w.Say("Please fill this in.", "请填写这一项。")
		case utf8.RuneCountInString(v) > in.max:
			problems[in.block] = w.Sayf("At most %d characters, please.", "最多 %d 个字。", in.max)
		default:
			values[in.block] = v
		}
	}
	return values, problems
}

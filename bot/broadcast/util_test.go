package broadcast_test

import (
	"context"
	"fmt"
	"strconv"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func ptr(n int64) *int64 { return &n }

func lastCard(t *testing.T, st *store.Store, ref string) bot.Card {
	t.Helper()
	ms, err := st.Feed(context.Background(), bot.WebChat, bot.StaffRecipient, 0, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var card bot.Card
	for _, m := range ms {
		if m.Card != nil && m.Card.Ref == ref {
			card = *m.Card
		}
	}
	return card
}

// sender is a channel that takes every message, or fails each with fail.
type sender struct{ fail error }

func (f sender) Send(_ context.Context, m *bot.Message) (string, error) {
	if f.fail != nil {
		return "", fmt.Errorf("send to %s: %w", m.Recipient, f.fail)
	}
	return "ext-" + strconv.FormatInt(m.ID, 10), nil
}

func field(c bot.Card, label string) string {
	for _, f := range c.Fields {
		if f.Label == label {
			return f.Value
		}
	}
	return ""
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

package crm_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/crm"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func setup(t *testing.T, st *store.Store) (*crm.Service, int64, func() []bot.AuditEntry) {
	t.Helper()
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	svc := crm.New(st, func() time.Time { return now })
	core := bot.NewService(st, slog.New(slog.NewTextHandler(io.Discard, nil)), bot.Config{}, nil)
	if _, err := core.HandleInbound(ctx, bot.Inbound{Channel: bot.WebChat, UserID: "u1", Text: "hi"}); err != nil {
		t.Fatal(err)
	}
	c, err := st.CustomerByUser(ctx, bot.WebChat, "u1")
	if err != nil {
		t.Fatal(err)
	}
	trail := func() []bot.AuditEntry {
		es, err := st.Audit(ctx, "customer", fmt.Sprint(c.ID))
		if err != nil {
			t.Fatal(err)
		}
		return es
	}
	return svc, c.ID, trail
}

func TestTagsByAnyStaffAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, id, trail := setup(t, st)
		ann := bot.Staff{Channel: bot.WebChat, UserID: "ann", Name: "ann", Role: bot.Agent}
		if err := svc.SetTags(ctx, ann, id, []string{" wholesale ", "VIP", "vip", "", "批发"}); err != nil {
			t.Fatal(err)
		}
		if got, err := svc.Tags(ctx, id); err != nil || !reflect.DeepEqual(got, []string{"VIP", "wholesale", "批发"}) {
			t.Fatalf("tags %q, %v", got, err)
		}
		es := trail()
		if len(es) != 1 || es[0].Actor != "ann (webchat)" || es[0].Action != "tags" || es[0].To != "VIP, wholesale, 批发" {
			t.Fatalf("audit %+v", es)
		}
		for name, tc := range map[string]struct {
			who  bot.Staff
			tags []string
			want error
		}{
			"not staff":     {bot.Staff{}, []string{"x"}, bot.ErrForbidden},
			"too long":      {ann, []string{strings.Repeat("长", 33)}, bot.ErrInvalid},
			"comma":         {ann, []string{"a,b"}, bot.ErrInvalid},
			"control":       {ann, []string{"a\x00"}, bot.ErrInvalid},
			"too many":      {ann, many(21), bot.ErrInvalid},
			"no such buyer": {ann, []string{"x"}, bot.ErrNotFound},
		} {
			target := id
			if name == "no such buyer" {
				target = 999
			}
			if err := svc.SetTags(ctx, tc.who, target, tc.tags); !errors.Is(err, tc.want) {
				t.Errorf("%s: err %v, want %v", name, err, tc.want)
			}
		}
		if got, _ := svc.Tags(ctx, id); len(got) != 3 || len(trail()) != 1 {
			t.Fatalf("refused changes changed something: %q, %d audit entries", got, len(trail()))
		}
		if err := svc.SetTags(ctx, ann, id, nil); err != nil {
			t.Fatal(err)
		}
		if got, _ := svc.Tags(ctx, id); len(got) != 0 || len(trail()) != 2 {
			t.Fatalf("after clearing: %q, %d audit entries", got, len(trail()))
		}
	})
}

func TestNoteByAnyStaffAudited(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		svc, id, trail := setup(t, st)
		bob := bot.Staff{Channel: bot.Slack, UserID: "U1", Name: "bob", Role: bot.Approver}
		if n, err := svc.Note(ctx, id); err != nil || n.Text != "" {
			t.Fatalf("note before any: %+v, %v", n, err)
		}
		for _, text := range []string{"Prefers delivery after 6 pm.", "只在周末收货。"} {
			if err := svc.SetNote(ctx, bob, id, text); err != nil {
				t.Fatal(err)
			}
		}
		n, err := svc.Note(ctx, id)
		if err != nil || n.Text != "只在周末收货。" || n.By != "bob (slack)" {
			t.Fatalf("note %+v, %v", n, err)
		}
		if es := trail(); len(es) != 2 || es[0].Note != "Prefers delivery after 6 pm." || es[1].Action != "note" {
			t.Fatalf("audit %+v", es)
		}
		if err := svc.SetNote(ctx, bob, id, strings.Repeat("x", 2001)); !errors.Is(err, bot.ErrInvalid) {
			t.Fatalf("a long note: %v", err)
		}
		if err := svc.SetNote(ctx, bot.Staff{Role: "owner"}, id, "x"); !errors.Is(err, bot.ErrForbidden) {
			t.Fatalf("not staff: %v", err)
		}
		if n2, _ := svc.Note(ctx, id); n2 != n || len(trail()) != 2 {
			t.Fatalf("refused notes changed something: %+v", n2)
		}
	})
}

// many returns n distinct tags.
func many(n int) []string {
	tags := make([]string, n)
	for i := range tags {
		tags[i] = fmt.Sprintf("t%d", i)
	}
	return tags
}

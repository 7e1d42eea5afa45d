package store_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestStaff(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		_, err := s.StaffMember(ctx, bot.Slack, "U1")
		wantErr(t, err, bot.ErrNotFound)
		must(t, s.SaveStaff(ctx, bot.Staff{Channel: bot.Slack, UserID: "U1", Name: "Ann", Role: bot.Approver}))
		must(t, s.SaveStaff(ctx, bot.Staff{Channel: bot.WebChat, UserID: "admin", Name: "Admin", Role: bot.Admin, PasswordHash: "$2a$10$x"}))
		must(t, s.SaveStaff(ctx, bot.Staff{Channel: bot.Slack, UserID: "U1", Name: "Ann Lee", Role: bot.Agent}))
		got, err := s.StaffMember(ctx, bot.Slack, "U1")
		must(t, err)
		if got.ID == 0 || got.Name != "Ann Lee" || got.Role != bot.Agent {
			t.Fatalf("after update: %+v", got)
		}
		all, err := s.ListStaff(ctx)
		must(t, err)
		if len(all) != 2 || all[0].Channel != bot.Slack || all[1].PasswordHash != "$2a$10$x" {
			t.Fatalf("ListStaff = %+v", all)
		}
		must(t, s.RemoveStaff(ctx, bot.Slack, "U1"))
		wantErr(t, s.RemoveStaff(ctx, bot.Slack, "U1"), bot.ErrNotFound)
		if all, _ := s.ListStaff(ctx); len(all) != 1 {
			t.Fatalf("%d staff after remove", len(all))
		}
	})
}

func TestInbound(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		must(t, s.RecordInbound(ctx, "telegram:1001", t0))
		wantErr(t, s.RecordInbound(ctx, "telegram:1001", t0.Add(time.Second)), bot.ErrDuplicate)
		must(t, s.RecordInbound(ctx, "telegram:1002", t0))
		must(t, s.RecordInbound(ctx, "wechat:oAbC:1700000000:CLICK", t0))
		must(t, s.RecordInbound(ctx, "wechat:oabc:1700000000:CLICK", t0)) // keys are case-sensitive

		reply, err := s.InboundReply(ctx, "telegram:1001")
		if err != nil || reply != nil {
			t.Fatalf("reply before it is set = %q, %v", reply, err)
		}
		must(t, s.SetInboundReply(ctx, "telegram:1001", []byte("<xml>你好</xml>")))
		must(t, s.SetInboundReply(ctx, "telegram:1001", []byte("<xml>你好</xml>"))) // the same again is fine
		reply, err = s.InboundReply(ctx, "telegram:1001")
		if err != nil || string(reply) != "<xml>你好</xml>" {
			t.Fatalf("reply = %q, %v", reply, err)
		}
		_, err = s.InboundReply(ctx, "nope")
		wantErr(t, err, bot.ErrNotFound)
		wantErr(t, s.SetInboundReply(ctx, "nope", []byte("x")), bot.ErrNotFound)
	})
}

// TestRecordInboundConcurrently: a platform retry racing the original is
// seen exactly once, inside transactions as the service runs it.
func TestRecordInboundConcurrently(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			firsts   int
			failures []error
		)
		for range 10 {
			wg.Go(func() {
				err := s.InTx(ctx, func(tx bot.Repo) error { return tx.RecordInbound(ctx, "slack:Ev1", t0) })
				mu.Lock()
				defer mu.Unlock()
				if err == nil {
					firsts++
				} else if !errors.Is(err, bot.ErrDuplicate) {
					failures = append(failures, err)
				}
			})
		}
		wg.Wait()
		if firsts != 1 || len(failures) != 0 {
			t.Fatalf("%d firsts, failures %v; want 1 and none", firsts, failures)
		}
	})
}

func TestAudit(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		e1 := bot.AuditEntry{At: t0, Actor: "ann (slack)", Entity: "order", Ref: "100001", Action: "approve", From: "pending", To: "confirmed"}
		e2 := bot.AuditEntry{At: t0.Add(time.Minute), Actor: "bob (slack)", Entity: "order", Ref: "100001", Action: "ship", From: "confirmed", To: "shipped", Note: "SF 1"}
		must(t, s.AddAudit(ctx, e2))
		must(t, s.AddAudit(ctx, e1))
		must(t, s.AddAudit(ctx, bot.AuditEntry{At: t0, Actor: "x", Entity: "order", Ref: "100002", Action: "approve"}))
		got, err := s.Audit(ctx, "order", "100001")
		must(t, err)
		if len(got) != 2 || got[0].ID == 0 {
			t.Fatalf("Audit = %+v", got)
		}
		e1.ID, e2.ID, e1.At, e2.At = got[0].ID, got[1].ID, ms(e1.At), ms(e2.At)
		if !reflect.DeepEqual(got, []bot.AuditEntry{e1, e2}) {
			t.Fatalf("Audit = %+v\nwant    %+v (by time)", got, []bot.AuditEntry{e1, e2})
		}
		if none, err := s.Audit(ctx, "staff", "x"); err != nil || len(none) != 0 {
			t.Fatalf("Audit of nothing = %v, %v", none, err)
		}
	})
}

func TestHandoffs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		c1, c2 := customer(t, s, "1"), customer(t, s, "2")
		_, err := s.OpenHandoff(ctx, c1.ID)
		wantErr(t, err, bot.ErrNotFound)
		h1 := &bot.Handoff{CustomerID: c1.ID, Open: true, CreatedAt: t0}
		must(t, s.CreateHandoff(ctx, h1))
		wantErr(t, s.CreateHandoff(ctx, &bot.Handoff{CustomerID: c1.ID, Open: true}), bot.ErrDuplicate)
		h2 := &bot.Handoff{CustomerID: c2.ID, Open: true, CreatedAt: t0.Add(time.Second)}
		must(t, s.CreateHandoff(ctx, h2))
		open, err := s.OpenHandoff(ctx, c1.ID)
		must(t, err)
		if !reflect.DeepEqual(open, h1) {
			t.Fatalf("OpenHandoff = %+v, want %+v", open, h1)
		}
		list, err := s.OpenHandoffs(ctx, 10)
		must(t, err)
		if len(list) != 2 || list[0].ID != h1.ID || list[1].ID != h2.ID {
			t.Fatalf("OpenHandoffs = %+v", list)
		}

		h1.Open, h1.ClosedAt, h1.ClosedBy = false, t0.Add(time.Hour), "ann (slack)"
		must(t, s.UpdateHandoff(ctx, h1))
		got, err := s.Handoff(ctx, h1.ID)
		must(t, err)
		want := *h1
		want.ClosedAt = ms(want.ClosedAt)
		if !reflect.DeepEqual(got, &want) {
			t.Fatalf("closed handoff = %+v, want %+v", got, &want)
		}
		_, err = s.OpenHandoff(ctx, c1.ID)
		wantErr(t, err, bot.ErrNotFound)
		must(t, s.CreateHandoff(ctx, &bot.Handoff{CustomerID: c1.ID, Open: true})) // closed ones do not block
		_, err = s.Handoff(ctx, 999999)
		wantErr(t, err, bot.ErrNotFound)
		wantErr(t, s.UpdateHandoff(ctx, &bot.Handoff{ID: 999999}), bot.ErrNotFound)
	})
}

func TestSettings(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		_, err := s.Setting(ctx, "session_key")
		wantErr(t, err, bot.ErrNotFound)
		got, err := s.SetSettingIfAbsent(ctx, "session_key", "first")
		if err != nil || got != "first" {
			t.Fatalf("first SetSettingIfAbsent = %q, %v", got, err)
		}
		got, err = s.SetSettingIfAbsent(ctx, "session_key", "second")
		if err != nil || got != "first" {
			t.Fatalf("second SetSettingIfAbsent = %q, %v; want the first value", got, err)
		}
		got, err = s.Setting(ctx, "session_key")
		if err != nil || got != "first" {
			t.Fatalf("Setting = %q, %v", got, err)
		}
	})
}

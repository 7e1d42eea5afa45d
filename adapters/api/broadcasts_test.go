package api

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/broadcast"
	"github.com/orderbot/orderbot/bot/care"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestBroadcastRoutes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		bs := broadcast.New(st, slog.New(slog.DiscardHandler), broadcast.Config{TwoPeople: true, StaffChannels: []string{bot.WebChat}, Clock: clock}, nil)
		e := newEnvWith(t, st, Options{Currency: "CNY", Broadcasts: bs, Clock: clock})
		for i, ch := range []string{bot.WebChat, bot.Telegram} {
			c := e.customer(ch, fmt.Sprint("u", i), "Li", "138")
			must(t, st.SaveConsent(t.Context(), care.Consent{CustomerID: c.ID, Granted: true, At: now, Channel: ch}))
		}
		e.customer(bot.WebChat, "never", "Wu", "139") // no consent
		body := map[string]any{"text_zh": "新茶上市", "text_en": "New tea", "segment": map[string]any{"channels": []string{"webchat"}}}

		// Bad input changes nothing.
		e.do("POST", "/api/v1/broadcasts", e.agent, map[string]any{"text_en": "New tea"}).fails(t, 422, "unprocessable", "text_zh")
		e.do("POST", "/api/v1/broadcasts", e.agent, map[string]any{"text_zh": "x", "text_en": "y", "send_at": "2026-11-23T09:00:00Z"}).
			fails(t, 422, "unprocessable", "past")
		e.do("POST", "/api/v1/broadcasts", e.agent, map[string]any{"text_zh": "x", "text_en": "y", "send_at": "tomorrow"}).fails(t, 400, "invalid", "send_at")
		e.do("POST", "/api/v1/broadcasts", e.agent, map[string]any{"text_zh": "x", "text_en": "y", "to": "all"}).fails(t, 400, "invalid", "to")
		e.do("POST", "/api/v1/broadcasts", e.agent, map[string]any{"text_zh": "x", "text_en": "y", "segment": map[string]any{"channels": []string{"slack"}}}).
			fails(t, 422, "unprocessable", "Slack")
		var list listJSON[broadcastJSON]
		e.do("GET", "/api/v1/broadcasts", e.agent, nil).ok(t, &list)
		if len(list.Items) != 0 {
			t.Fatalf("bad input stored %+v", list.Items)
		}

		res := e.do("POST", "/api/v1/broadcasts", e.agent, body)
		var b broadcastJSON
		if res.status != 201 {
			t.Fatalf("create: %d %s", res.status, res.body)
		}
		must(t, json.Unmarshal(res.body, &b))
		if b.Status != "draft" || b.CreatedBy != "ops-agent (api)" {
			t.Fatalf("created %+v", b)
		}
		path := fmt.Sprint("/api/v1/broadcasts/", b.ID)
		var pv struct{ Audience int }
		e.do("GET", path+"/preview", e.agent, nil).ok(t, &pv)
		if pv.Audience != 1 {
			t.Errorf("preview audience %d, want the one consenting web chat customer", pv.Audience)
		}
		e.do("POST", path+"/approve", e.sync, nil).fails(t, 409, "conflict", "draft")
		e.do("POST", path+"/submit", e.agent, nil).ok(t, &b)
		if b.Status != "pending_approval" || b.Audience != 1 {
			t.Fatalf("submitted %+v", b)
		}
		e.do("POST", path+"/approve", e.agent, nil).fails(t, 403, "forbidden", "approver")
		e.do("POST", path+"/actions", e.sync, map[string]any{"action": "approve"}).ok(t, &b)
		if b.Status != "approved" || b.DecidedBy != "ops-sync (api)" {
			t.Fatalf("approved %+v", b)
		}
		e.do("POST", path+"/reject", e.sync, nil).fails(t, 409, "conflict", "approved by ops-sync")
		if n, err := bs.SendDue(t.Context()); err != nil || n != 1 {
			t.Fatalf("sent %d, %v", n, err)
		}
		e.do("GET", path, e.agent, nil).ok(t, &b)
		if b.Status != "sent" || b.Report == nil || b.Report.Targeted != 1 || b.Report.Queued != 1 {
			t.Fatalf("after sending %+v %+v", b, b.Report)
		}

		// Two people: the approver who wrote one cannot approve it.
		res = e.do("POST", "/api/v1/broadcasts", e.sync, body)
		must(t, json.Unmarshal(res.body, &b))
		own := fmt.Sprint("/api/v1/broadcasts/", b.ID)
		e.do("POST", own+"/submit", e.sync, nil).ok(t, &b)
		e.do("POST", own+"/approve", e.sync, nil).fails(t, 403, "forbidden", "two people")
		e.do("POST", own+"/actions", e.agent, map[string]any{"action": "cancel"}).ok(t, &b)
		if b.Status != "cancelled" {
			t.Fatalf("cancelled %+v", b)
		}

		// An empty segment is refused on submit and stays a draft.
		res = e.do("POST", "/api/v1/broadcasts", e.agent, map[string]any{"text_zh": "x", "text_en": "y", "segment": map[string]any{"channels": []string{"wechat"}}})
		must(t, json.Unmarshal(res.body, &b))
		empty := fmt.Sprint("/api/v1/broadcasts/", b.ID)
		e.do("POST", empty+"/submit", e.agent, nil).fails(t, 422, "unprocessable", "matches nobody")
		e.do("GET", empty, e.agent, nil).ok(t, &b)
		if b.Status != "draft" {
			t.Errorf("status %s after a refused submit", b.Status)
		}
		e.do("GET", "/api/v1/broadcasts/999", e.agent, nil).fails(t, 404, "not_found", "broadcast")
		e.do("POST", "/api/v1/broadcasts/999/submit", e.agent, nil).fails(t, 404, "not_found", "broadcast")
		e.do("POST", empty+"/actions", e.agent, map[string]any{"action": "launch"}).fails(t, 422, "unprocessable", "unknown action")

		// Paged, newest first.
		e.do("GET", "/api/v1/broadcasts?limit=2", e.agent, nil).ok(t, &list)
		if len(list.Items) != 2 || list.NextCursor == "" || list.Items[0].ID <= list.Items[1].ID {
			t.Fatalf("page 1: %+v", list)
		}
		var rest listJSON[broadcastJSON]
		e.do("GET", "/api/v1/broadcasts?limit=2&cursor="+list.NextCursor, e.agent, nil).ok(t, &rest)
		if len(rest.Items) != 1 || rest.NextCursor != "" || rest.Items[0].ID >= list.Items[1].ID {
			t.Fatalf("page 2: %+v", rest)
		}
	})
}

func TestBroadcastRoutesWithoutBroadcasts(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t))
	e.do("GET", "/api/v1/broadcasts", e.agent, nil).fails(t, 404, "not_found", "not set up")
}

package api

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/care"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestCustomerPromotionsConsent(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *testEnv) {
		wang := e.customer(bot.WeChat, "oWang", "王小明", "13800000001")
		lee := e.customer(bot.Telegram, "4242", "Lee", "555")
		at := t0.Add(90 * time.Minute)
		must(t, e.st.SaveConsent(t.Context(), care.Consent{CustomerID: wang.ID, Granted: true, At: at, Channel: bot.WeChat}))
		var got customerJSON
		e.do("GET", fmt.Sprint("/api/v1/customers/", wang.ID), e.agent, nil).ok(t, &got)
		c := got.PromotionsConsent
		if !c.Granted || c.Channel != bot.WeChat || c.At == nil || *c.At != at.Format(time.RFC3339) {
			t.Fatalf("consent %+v", c)
		}
		e.do("GET", fmt.Sprint("/api/v1/customers/", lee.ID), e.agent, nil).ok(t, &got)
		if c := got.PromotionsConsent; c.Granted || c.At != nil || c.Channel != "" {
			t.Fatalf("never asked: %+v", c)
		}
	})
}

func TestFollowUpRoutes(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		cs := care.New(st, slog.New(slog.DiscardHandler), care.Config{}, nil)
		e := newEnvWith(t, st, Options{Currency: "CNY", Care: cs})
		rule := map[string]any{"name": "week", "days": 7, "tier": "gold", "text_zh": "茶叶还好吗？", "text_en": "How is the tea?"}
		var got struct{ Items []care.FollowUpRule }
		e.do("GET", "/api/v1/follow-up-rules", e.agent, nil).ok(t, &got)
		if len(got.Items) != 0 {
			t.Fatalf("rules at start: %+v", got.Items)
		}
		e.do("PUT", "/api/v1/follow-up-rules", e.agent, map[string]any{"items": []any{rule}}).fails(t, 403, "forbidden", "admin")
		bad := map[string]any{"name": "week", "days": 7, "tier": "platinum", "text_zh": "x", "text_en": "y"}
		e.do("PUT", "/api/v1/follow-up-rules", e.admin, map[string]any{"items": []any{bad}}).fails(t, 422, "unprocessable", "platinum")
		e.do("PUT", "/api/v1/follow-up-rules", e.admin, map[string]any{}).fails(t, 400, "invalid", "items")
		e.do("PUT", "/api/v1/follow-up-rules", e.admin, map[string]any{"items": []any{rule}}).ok(t, &got)
		if len(got.Items) != 1 || got.Items[0].Tier != "gold" || got.Items[0].TextZH != "茶叶还好吗？" {
			t.Fatalf("rules %+v", got.Items)
		}

		c := e.customer(bot.WeChat, "oWang", "王小明", "13800000001")
		path := fmt.Sprint("/api/v1/customers/", c.ID, "/follow-ups")
		e.do("POST", path, e.agent, map[string]any{"text_zh": "问题解决了吗？", "text_en": "Sorted?", "at": "2001-01-01T00:00:00Z"}).
			fails(t, 422, "unprocessable", "past")
		e.do("POST", path, e.agent, map[string]any{"text_en": "Sorted?"}).fails(t, 422, "unprocessable", "text_zh")
		var f followUpJSON
		res := e.do("POST", path, e.agent, map[string]any{"text_zh": "问题解决了吗？", "text_en": "Sorted?"})
		if res.status != 201 {
			t.Fatalf("schedule: %d %s", res.status, res.body)
		}
		must(t, json.Unmarshal(res.body, &f))
		if f.ID == 0 || f.CustomerID != c.ID || f.CreatedBy != "ops-agent (api)" {
			t.Fatalf("follow-up %+v", f)
		}
		e.do("POST", "/api/v1/customers/999999/follow-ups", e.agent, map[string]any{"text_zh": "a", "text_en": "b"}).fails(t, 404, "not_found", "")
	})
}

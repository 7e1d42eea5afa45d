package api

import (
	"fmt"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/care"
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

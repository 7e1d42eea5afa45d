package main

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/tier"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// The served binary gives customers tiers, lets rules approve, and claims
// the day's tier sweep in the database.
func TestTiersAreWired(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	ctx := context.Background()
	st, err := store.Open(ctx, dsn, storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	admin := bot.Staff{Channel: "test", UserID: "ada", Role: bot.Admin}
	err = tier.New(st, storetest.Logger(t), nil, nil).
		ReplaceRules(ctx, admin, []tier.Rule{{Name: "everyone", Kind: "order", MinTier: "regular", MaxAmount: 1000000}})
	if err != nil {
		t.Fatal(err)
	}
	s := startServer(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DEMO": "true"})
	shopper, staff := s.newUser(), s.newUser()
	n := shopper.order("TEA-LJ-250", 1, "Li Lei", "13800138000", "88 Wensan Road, Hangzhou")
	shopper.waitFor(n)
	if got := shopper.say("orders"); !strings.Contains(got, "Regular member") {
		t.Fatalf("orders view: %q", got)
	}
	staff.login("demo", "demo")
	var res struct{ Cards []bot.Card }
	if err := json.Unmarshal(staff.get("/staff/api/cards", http.StatusOK), &res); err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, c := range res.Cards {
		if strings.Contains(c.Title, n) {
			for _, f := range c.Fields {
				fields = append(fields, f.Label+": "+f.Value)
			}
		}
	}
	joined := strings.Join(fields, "\n")
	if !strings.Contains(joined, "会员等级: 普通") || !strings.Contains(joined, "自动批准规则: everyone") {
		t.Fatalf("card fields of order %s:\n%s", n, joined)
	}
	day := time.Now().In(mustZone(t, "Asia/Shanghai")).Format(time.DateOnly)
	// The sweep starts beside the server: give it a moment to claim.
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		_, err := st.CacheGet(ctx, "tiers:sweep:"+day, time.Now())
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the day's sweep is not claimed: %v", err)
		}
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

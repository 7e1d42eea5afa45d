package bot_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// TestConsentWithoutCare: a shop without customer care says so when a
// customer subscribes, and has no survey cards to act on.
func TestConsentWithoutCare(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		if got := texts(s.say("u1", "subscribe")); !strings.Contains(got, "couldn't save") {
			t.Fatalf("subscribe answered %q", got)
		}
		_, err := s.svc.HandleStaffAction(t.Context(), bot.StaffAction{Channel: bot.WebChat, UserID: "ann", Ref: "survey:1", Action: bot.ActClose})
		if !errors.Is(err, bot.ErrNotFound) {
			t.Fatalf("close a survey card: %v", err)
		}
	})
}

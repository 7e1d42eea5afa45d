package webchat

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/bot"
)

// TestConsoleShowsHandoffConversations shows what the customer and staff
// wrote during a handoff on the customer page and, paged, on the
// customer's transcripts page.
func TestConsoleShowsHandoffConversations(t *testing.T) {
	eachEnv(t, Options{Lang: "en"}, func(t *testing.T, e *testEnv) {
		c := e.client()
		token := e.login(c, "alice", alicePassword)
		who := e.customer(e.client())
		say := func(text string) {
			t.Helper()
			if _, err := e.svc.HandleInbound(t.Context(), bot.Inbound{Channel: bot.WebChat, UserID: who, Text: text}); err != nil {
				t.Fatal(err)
			}
		}
		say("human")
		say("Is the <b>tea</b> fresh?")
		cust, err := e.st.CustomerByUser(t.Context(), bot.WebChat, who)
		if err != nil {
			t.Fatal(err)
		}
		h, err := e.st.OpenHandoff(t.Context(), cust.ID)
		if err != nil {
			t.Fatal(err)
		}
		res := e.postJSON(c, "/staff/api/action", map[string]any{"ref": fmt.Sprintf("handoff:%d", h.ID), "action": "reply", "text": "Picked this week."},
			map[string]string{csrfHeader: token})
		if res.status != http.StatusOK || !strings.Contains(string(res.body), "Picked this week.") {
			t.Fatalf("reply: %d %s", res.status, res.body)
		}
		for i := range 25 {
			say(fmt.Sprintf("line %02d", i))
		}
		page := e.get(c, fmt.Sprintf("/staff/customers/%d", cust.ID))
		contains(t, page, "line 24", "line 05", fmt.Sprintf("/staff/customers/%d/transcripts?handoff=%d", cust.ID, h.ID), "All conversations with staff")
		lacks(t, page, "line 04", "Picked this week.") // only the end of a long conversation

		all := e.get(c, fmt.Sprintf("/staff/customers/%d/transcripts?handoff=%d", cust.ID, h.ID))
		contains(t, all, "Is the &lt;b&gt;tea&lt;/b&gt; fresh?", "Alice (Web chat)", "Picked this week.", "line 24")
		lacks(t, all, "<b>tea</b>")
		if strings.Index(string(all.body), "fresh?") > strings.Index(string(all.body), "Picked this week.") {
			t.Error("lines out of order")
		}
		for _, tt := range []struct {
			path   string
			status int
		}{
			{fmt.Sprintf("/staff/customers/%d/transcripts?before=x", cust.ID), http.StatusBadRequest},
			{fmt.Sprintf("/staff/customers/%d/transcripts?before=5&after=3", cust.ID), http.StatusBadRequest},
			{fmt.Sprintf("/staff/customers/%d/transcripts", cust.ID+1000), http.StatusNotFound},
		} {
			if res := e.get(c, tt.path); res.status != tt.status {
				t.Errorf("%s: %d, want %d", tt.path, res.status, tt.status)
			}
		}
	})
}

package telegram

import (
	"context"
	"net/http"
	"slices"
	"strconv"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// An update that arrives while the database is down is not acknowledged
// as handled: the webhook answers non-2xx so Telegram sends it again, and
// polling does not move the offset past it. Once the database is back it
// is handled, exactly once.
func TestUpdateSurvivesDatabaseOutage(t *testing.T) {
	for _, mode := range []string{"webhook", "polling"} {
		t.Run(mode, func(t *testing.T) {
			dsn, proxy := storetest.MySQLWithProxy(t)
			st, err := store.Open(context.Background(), dsn, storetest.Logger(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			e := newEnv(t, st, mode == "webhook")
			c := e.customer(3131, "Out")
			c.say("/start")
			before := len(e.api.sentTo(c.id))
			c.say("help")
			help := texts(e.api.sentTo(c.id)[before:])
			before = len(e.api.sentTo(c.id))

			proxy.Stop()
			u := tgbotapi.Update{Message: c.message(0, "help")}
			if e.webhook {
				u.UpdateID = e.api.newUpdateID()
				for range 3 {
					if status := e.postUpdate(mustJSON(u), webhookSecret); status < 300 {
						t.Fatalf("webhook answered %d with the database down", status)
					}
				}
				proxy.Resume()
				eventually(t, "the update to be accepted", func() bool {
					return e.postUpdate(mustJSON(u), webhookSecret) == http.StatusOK
				})
				// A retry Telegram sends after all changes nothing.
				if status := e.postUpdate(mustJSON(u), webhookSecret); status != http.StatusOK {
					t.Fatalf("duplicate answered %d", status)
				}
			} else {
				u = e.api.push(u)
				eventually(t, "the update to be tried three times", func() bool {
					n := 0
					for _, call := range e.api.callsOf("getUpdates") {
						if call.Params.Get("offset") == strconv.Itoa(u.UpdateID) {
							n++
						}
					}
					return n >= 3
				})
				if e.api.confirmed(u.UpdateID) {
					t.Fatal("an update not handled was confirmed")
				}
				proxy.Resume()
				eventually(t, "the update to be confirmed", func() bool { return e.api.confirmed(u.UpdateID) })
			}
			e.settle()
			if got := texts(e.api.sentTo(c.id)[before:]); !slices.Equal(got, help) {
				t.Fatalf("after the outage the customer got %q, want the answer to help once: %q", got, help)
			}
		})
	}
}

func texts(calls []apiCall) []string {
	var out []string
	for _, c := range calls {
		out = append(out, c.Params.Get("text"))
	}
	return out
}

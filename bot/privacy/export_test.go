package privacy_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/bot"
)

// TestExportHasTheCustomersData: profile, identity, orders with items and
// contact, the after-sales request, both sides of the conversation and the
// staff's note; after an erase, none of it.
func TestExportHasTheCustomersData(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *shop) {
		ctx := context.Background()
		c, o := s.journey(userID)
		ex, err := s.privacy.Export(ctx, c.ID)
		must(t, err)
		if ex.Customer.Name != custName || ex.Customer.Phone != custPhone || ex.Customer.Address != custAddress || ex.Customer.Erased {
			t.Fatalf("profile %+v", ex.Customer)
		}
		if len(ex.Identities) != 1 || ex.Identities[0].UserID != userID || ex.Identities[0].Channel != bot.WebChat {
			t.Fatalf("identities %+v", ex.Identities)
		}
		if len(ex.Orders) != 1 || ex.Orders[0].Number != o.Number || ex.Orders[0].Total != o.Total ||
			len(ex.Orders[0].Items) != 1 || ex.Orders[0].Items[0].Qty != 2 || ex.Orders[0].Contact.Phone != custPhone {
			t.Fatalf("orders %+v", ex.Orders)
		}
		if len(ex.AfterSales) != 1 || ex.AfterSales[0].Reason != reasonText || len(ex.AfterSales[0].Photos) != 1 {
			t.Fatalf("after-sales %+v", ex.AfterSales)
		}
		if ex.Note != noteText || !strings.HasSuffix(ex.ExportedAt, "+08:00") {
			t.Fatalf("note %q, exported at %q", ex.Note, ex.ExportedAt)
		}
		raw, err := json.Marshal(ex.Conversation)
		must(t, err)
		if !strings.Contains(string(raw), chatText) || !strings.Contains(string(raw), `"from":"shop"`) {
			t.Fatalf("conversation %s", raw)
		}

		_, err = s.privacy.Erase(ctx, "alice (webchat)", c.ID)
		must(t, err)
		ex, err = s.privacy.Export(ctx, c.ID)
		must(t, err)
		raw, err = json.Marshal(ex)
		must(t, err)
		for _, secret := range secrets {
			if strings.Contains(string(raw), secret) {
				t.Fatalf("export after erase has %q: %s", secret, raw)
			}
		}
		if !ex.Customer.Erased || len(ex.Orders) != 1 || ex.Orders[0].Total != o.Total {
			t.Fatalf("export after erase: %s", raw)
		}
		if _, err := s.privacy.Export(ctx, c.ID+1000); !errors.Is(err, bot.ErrNotFound) {
			t.Fatalf("export of an unknown customer: %v", err)
		}
	})
}

package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestAPITokens(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		tok := bot.APIToken{Name: "ops-sync", Hash: "h1", Role: bot.Approver, CreatedAt: t0}
		must(t, s.CreateAPIToken(ctx, tok, "cli"))
		wantErr(t, s.CreateAPIToken(ctx, bot.APIToken{Name: "ops-sync", Hash: "h2", Role: bot.Agent}, "cli"), bot.ErrDuplicate)
		wantErr(t, s.CreateAPIToken(ctx, bot.APIToken{Name: "other", Hash: "h1", Role: bot.Agent}, "cli"), bot.ErrDuplicate)
		wantErr(t, s.CreateAPIToken(ctx, bot.APIToken{Name: "boss", Hash: "h3", Role: "owner"}, "cli"), bot.ErrInvalid)

		_, err := s.Authenticate(ctx, "h2", t0)
		wantErr(t, err, bot.ErrNotFound)
		st, err := s.Authenticate(ctx, "h1", t0.Add(time.Hour))
		must(t, err)
		if st.Actor() != "ops-sync (api)" || st.Role != bot.Approver {
			t.Fatalf("token's staff = %+v", st)
		}
		// Uses within a minute are not written again.
		_, err = s.Authenticate(ctx, "h1", t0.Add(time.Hour+time.Second))
		must(t, err)
		ts, err := s.ListAPITokens(ctx)
		must(t, err)
		want := []bot.APIToken{{Name: "ops-sync", Role: bot.Approver, CreatedAt: ms(t0), LastUsedAt: ms(t0.Add(time.Hour))}}
		if len(ts) != 1 || ts[0] != want[0] {
			t.Fatalf("tokens = %+v, want %+v", ts, want)
		}
		_, err = s.Authenticate(ctx, "h1", t0.Add(2*time.Hour))
		must(t, err)
		ts, err = s.ListAPITokens(ctx)
		must(t, err)
		if ts[0].LastUsedAt != ms(t0.Add(2*time.Hour)) {
			t.Fatalf("last use = %v", ts[0].LastUsedAt)
		}

		must(t, s.RevokeAPIToken(ctx, "ops-sync", "cli", t0))
		wantErr(t, s.RevokeAPIToken(ctx, "ops-sync", "cli", t0), bot.ErrNotFound)
		_, err = s.Authenticate(ctx, "h1", t0)
		wantErr(t, err, bot.ErrNotFound)
		_, err = s.StaffMember(ctx, bot.APIChannel, "ops-sync")
		wantErr(t, err, bot.ErrNotFound)
		audit, err := s.Audit(ctx, "staff", "api:ops-sync")
		must(t, err)
		if len(audit) != 2 || audit[0].Action != "token create" || audit[0].To != "approver" || audit[1].Action != "token revoke" || audit[1].Actor != "cli" {
			t.Fatalf("audit = %+v", audit)
		}
		// The name is free again.
		must(t, s.CreateAPIToken(ctx, bot.APIToken{Name: "ops-sync", Hash: "h4", Role: bot.Agent}, "cli"))
	})
}

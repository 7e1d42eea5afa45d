package tier_test

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/bot/tier"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// with returns the default tiers with one changed by edit.
func with(i int, edit func(*tier.Tier)) []tier.Tier {
	ts := tier.DefaultTiers()
	edit(&ts[i])
	return ts
}

func TestInvalidTiersAndRulesChangeNothing(t *testing.T) {
	gold := tier.Rule{Name: "gold-fast", Kind: "order", MinTier: "gold", MaxAmount: 200000}
	tierCases := []struct {
		name string
		ts   []tier.Tier
	}{
		{"no tiers", nil},
		{"negative spend", with(1, func(t *tier.Tier) { t.MinSpend = -1 })},
		{"negative orders", with(2, func(t *tier.Tier) { t.MinOrders = -5 })},
		{"duplicate name", with(2, func(t *tier.Tier) { t.Name = "silver" })},
		{"duplicate Chinese name", with(2, func(t *tier.Tier) { t.NameZH = "银卡" })},
		{"name not a key", with(1, func(t *tier.Tier) { t.Name = "Silver Card" })},
		{"label empty", with(1, func(t *tier.Tier) { t.NameEN = "" })},
		{"label with a newline", with(1, func(t *tier.Tier) { t.NameEN = "Sil\nver" })},
		{"first tier asks", with(0, func(t *tier.Tier) { t.MinOrders = 1 })},
		{"later tier asks nothing", with(2, func(t *tier.Tier) { t.MinSpend, t.MinOrders = 0, 0 })},
		{"higher tier asks less", with(2, func(t *tier.Tier) { t.MinSpend = 50000 })},
		{"no window", with(1, func(t *tier.Tier) { t.WindowDays = 0 })},
		{"drops a tier a rule names", tier.DefaultTiers()[:2]},
		{"drops a tier a customer is pinned to", []tier.Tier{tier.DefaultTiers()[0], tier.DefaultTiers()[2]}},
	}
	ruleCases := []struct {
		name  string
		rules []tier.Rule
	}{
		{"unknown tier", []tier.Rule{{Name: "plat", Kind: "order", MinTier: "platinum", MaxAmount: 100}}},
		{"duplicate names", []tier.Rule{gold, {Name: "gold-fast", Kind: "return", MinTier: "silver", MaxAmount: 10000}}},
		{"ambiguous overlap", []tier.Rule{gold, {Name: "gold-big", Kind: "order", MinTier: "gold", MaxAmount: 500000}}},
		{"unknown kind", []tier.Rule{{Name: "x", Kind: "gift", MinTier: "gold", MaxAmount: 100}}},
		{"no amount", []tier.Rule{{Name: "x", Kind: "order", MinTier: "gold", MaxAmount: 0}}},
		{"negative amount", []tier.Rule{{Name: "x", Kind: "order", MinTier: "gold", MaxAmount: -100}}},
		{"name not a key", []tier.Rule{{Name: "rule:x", Kind: "order", MinTier: "gold", MaxAmount: 100}}},
	}
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		s := newShop(t, st)
		ctx := context.Background()
		s.rules(gold)
		s.pin("u1", "silver")
		tiers, rules := s.lists()
		trail := len(s.audit("tiers", "tiers")) + len(s.audit("rules", "rules"))
		unchanged := func(t *testing.T, err error) {
			t.Helper()
			if !errors.Is(err, bot.ErrInvalid) || bot.InvalidDetail(err) == "" {
				t.Fatalf("err = %v, want bot.ErrInvalid with a detail", err)
			}
			if ts, rs := s.lists(); !reflect.DeepEqual(ts, tiers) || !reflect.DeepEqual(rs, rules) {
				t.Fatalf("changed: %+v %+v", ts, rs)
			}
			if n := len(s.audit("tiers", "tiers")) + len(s.audit("rules", "rules")); n != trail {
				t.Fatalf("audit grew from %d to %d", trail, n)
			}
		}
		for _, c := range tierCases {
			t.Run("tiers/"+c.name, func(t *testing.T) { unchanged(t, s.tiers.ReplaceTiers(ctx, admin, c.ts)) })
		}
		for _, c := range ruleCases {
			t.Run("rules/"+c.name, func(t *testing.T) { unchanged(t, s.tiers.ReplaceRules(ctx, admin, c.rules)) })
		}
		if err := s.tiers.ReplaceTiers(ctx, approver, tier.DefaultTiers()); !errors.Is(err, bot.ErrForbidden) {
			t.Fatalf("an approver changed the tiers: %v", err)
		}
		if err := s.tiers.ReplaceRules(ctx, approver, nil); !errors.Is(err, bot.ErrForbidden) {
			t.Fatalf("an approver changed the rules: %v", err)
		}
		// A valid change is made and audited.
		next := with(1, func(t *tier.Tier) { t.MinSpend = 80000 })
		if err := s.tiers.ReplaceTiers(ctx, admin, next); err != nil {
			t.Fatal(err)
		}
		if ts, _ := s.lists(); !reflect.DeepEqual(ts, next) {
			t.Fatalf("tiers after a valid change: %+v", ts)
		}
		if got := s.audit("tiers", "tiers"); len(got) != 1 || got[0] != "ada (webchat) replace →" {
			t.Fatalf("audit of the change: %q", got)
		}
	})
}

func (s *shop) lists() ([]tier.Tier, []tier.Rule) {
	s.t.Helper()
	ts, err := s.tiers.Tiers(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	rs, err := s.tiers.Rules(context.Background())
	if err != nil {
		s.t.Fatal(err)
	}
	return ts, rs
}

func TestSweepRunsOnceADayWithTwoServicesOnOneDatabase(t *testing.T) {
	for _, backend := range []string{"sqlite", "mysql"} {
		t.Run(backend, func(t *testing.T) {
			dsn := storetest.DSN(t, backend)
			a, b := openStore(t, dsn), openStore(t, dsn)
			s := newShop(t, a)
			s.complete(s.order("u1", "POT", 6).Number) // Silver
			ctx := context.Background()
			other := tier.New(b, quiet(), s.clock.Now, time.UTC)
			s.clock.Add(366 * 24 * time.Hour) // the order leaves the window
			var wg sync.WaitGroup
			ran := make([]bool, 2)
			for i, svc := range []*tier.Service{s.tiers, other} {
				wg.Go(func() {
					var err error
					if ran[i], err = svc.SweepIfDue(ctx); err != nil {
						t.Errorf("sweep %d: %v", i, err)
					}
				})
			}
			wg.Wait()
			if ran[0] == ran[1] {
				t.Fatalf("sweeps ran %v: want exactly one", ran)
			}
			if got := s.tierOf("u1").Tier; got != "regular" {
				t.Fatalf("tier after the sweep %q", got)
			}
			if again, err := other.SweepIfDue(ctx); err != nil || again {
				t.Fatalf("second sweep the same day ran %v, %v", again, err)
			}
			s.clock.Add(24 * time.Hour)
			if next, err := other.SweepIfDue(ctx); err != nil || !next {
				t.Fatalf("next day's sweep ran %v, %v", next, err)
			}
		})
	}
}

// openStore opens a second handle on a migrated database, as a replica would.
func openStore(t *testing.T, dsn string) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), dsn, storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// failingStore fails every transaction while fail is set, as a database
// gone away would.
type failingStore struct {
	*store.Store
	fail atomic.Bool
}

func (f *failingStore) InTx(ctx context.Context, fn func(tx bot.Repo) error) error {
	if f.fail.Load() {
		return errors.New("database gone")
	}
	return f.Store.InTx(ctx, fn)
}

func TestFailedSweepGivesTheDayBack(t *testing.T) {
	storetest.Each(t, func(t *testing.T, st *store.Store) {
		ctx := context.Background()
		s := newShop(t, st)
		s.complete(s.order("u1", "POT", 6).Number)
		f := &failingStore{Store: st}
		svc := tier.New(f, quiet(), s.clock.Now, time.UTC)
		s.clock.Add(366 * 24 * time.Hour)
		f.fail.Store(true)
		if ran, err := svc.SweepIfDue(ctx); !ran || err == nil {
			t.Fatalf("failing sweep: ran %v, err %v", ran, err)
		}
		f.fail.Store(false)
		if ran, err := svc.SweepIfDue(ctx); !ran || err != nil {
			t.Fatalf("retry the same day: ran %v, err %v", ran, err)
		}
		if got := s.tierOf("u1").Tier; got != "regular" {
			t.Fatalf("tier after the retried sweep %q", got)
		}
	})
}

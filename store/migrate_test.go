package store_test

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func eachBackend(t *testing.T, fn func(t *testing.T, backend string)) {
	for _, b := range []string{"sqlite", "mysql"} {
		t.Run(b, func(t *testing.T) { fn(t, b) })
	}
}

func openDSN(t *testing.T, dsn string) *store.Store {
	t.Helper()
	s, err := store.Open(context.Background(), dsn, storetest.Logger(t))
	must(t, err)
	t.Cleanup(func() { s.Close() })
	return s
}

func TestMigrateRecordsEachStep(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		s := openDSN(t, storetest.EmptyDSN(t, backend))
		if err := s.Ready(ctx); err == nil {
			t.Fatal("Ready before migrating succeeded")
		}
		latest := store.LatestVersion()
		must(t, s.Migrate(ctx))
		must(t, s.Ready(ctx))

		// A failing step is not recorded, and the error names it.
		boom := errors.New("boom")
		err := store.MigrateWithExtraStep(ctx, s, latest+1, func(func(string) error) error { return boom })
		if !errors.Is(err, boom) {
			t.Fatalf("failing step: err = %v", err)
		}
		if v, _ := s.SchemaVersion(ctx); v != latest {
			t.Fatalf("SchemaVersion after a failed step = %d, want %d", v, latest)
		}

		runs := 0
		step := func(exec func(string) error) error {
			runs++
			return exec("CREATE TABLE extra_step (id INT NOT NULL PRIMARY KEY)")
		}
		must(t, store.MigrateWithExtraStep(ctx, s, latest+1, step))
		must(t, store.MigrateWithExtraStep(ctx, s, latest+1, step))
		if runs != 1 {
			t.Fatalf("extra step ran %d times, want 1", runs)
		}
		if v, _ := s.SchemaVersion(ctx); v != latest+1 {
			t.Fatalf("SchemaVersion = %d, want %d", v, latest+1)
		}
		must(t, s.Ready(ctx)) // a newer schema than the binary's is fine
	})
}

// TestMigrationsInVersionOrder: the steps are listed in version order, and
// a list that is not (a bad merge) is refused before any step runs.
func TestMigrationsInVersionOrder(t *testing.T) {
	latest := store.LatestVersion()
	if listed, added := store.MigrationsInOrder(latest + 1); listed != nil || added != nil {
		t.Fatalf("in order: %v, %v", listed, added)
	}
	if _, added := store.MigrationsInOrder(latest - 1); added == nil || !strings.Contains(added.Error(), "version order") {
		t.Fatalf("a step listed out of order: %v", added)
	}
}

// TestMigrateConcurrently: replicas starting at once all succeed and every
// step is applied and recorded once.
func TestMigrateConcurrently(t *testing.T) {
	eachBackend(t, func(t *testing.T, backend string) {
		ctx := context.Background()
		dsn := storetest.EmptyDSN(t, backend)
		stores := make([]*store.Store, 4)
		for i := range stores {
			stores[i] = openDSN(t, dsn)
		}
		var wg sync.WaitGroup
		errs := make([]error, len(stores))
		for i, s := range stores {
			wg.Go(func() { errs[i] = s.Migrate(ctx) })
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Errorf("replica %d: %v", i, err)
			}
		}
		applied, err := store.AppliedMigrations(ctx, stores[0])
		must(t, err)
		if want := store.MigrationVersions(); !reflect.DeepEqual(applied, want) {
			t.Fatalf("applied = %v, want %v", applied, want)
		}
		must(t, stores[0].Ready(ctx))
	})
}

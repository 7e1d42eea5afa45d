package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestWriteCeiling(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		rate, err := s.WriteCeiling(ctx, 4, 200*time.Millisecond)
		if err != nil {
			t.Fatal(err)
		}
		if rate <= 0 {
			t.Fatalf("rate = %v, want some transactions", rate)
		}
		// The scratch table is gone, so a second run starts clean.
		if _, err := s.WriteCeiling(ctx, 1, 50*time.Millisecond); err != nil {
			t.Fatalf("second run: %v", err)
		}
	})
}

package store_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestCacheAddKeepsTheFirstValue(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		add := func(value string, now time.Time) string {
			t.Helper()
			got, err := s.CacheAdd(ctx, "nonce", value, now.Add(10*time.Minute), now)
			must(t, err)
			return got
		}
		if got := add("a", t0); got != "a" {
			t.Fatalf("first add got %q", got)
		}
		if got := add("b", t0.Add(time.Minute)); got != "a" {
			t.Fatalf("second add with another value got %q, want the first", got)
		}
		if got := add("a", t0.Add(time.Minute)); got != "a" {
			t.Fatalf("same value again got %q", got)
		}
		// An expired value is gone: the next add takes its place.
		if got := add("c", t0.Add(11*time.Minute)); got != "c" {
			t.Fatalf("add after expiry got %q", got)
		}
		if v, err := s.CacheGet(ctx, "nonce", t0.Add(12*time.Minute)); err != nil || v != "c" {
			t.Fatalf("cached %q, %v", v, err)
		}
	})
}

// Of many adds racing with different values exactly one wins, and every
// caller is told which.
func TestCacheAddRace(t *testing.T) {
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		const n = 20
		got := make([]string, n)
		errs := make([]error, n)
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i := range n {
			wg.Go(func() {
				<-start
				got[i], errs[i] = s.CacheAdd(ctx, "race", fmt.Sprint(i), t0.Add(time.Hour), t0)
			})
		}
		close(start)
		wg.Wait()
		winners := 0
		for i := range n {
			must(t, errs[i])
			if got[i] != got[0] {
				t.Fatalf("callers were told different values: %q", got)
			}
			if got[i] == fmt.Sprint(i) {
				winners++
			}
		}
		if winners != 1 {
			t.Fatalf("%d callers saw their own value stored, want 1: %q", winners, got)
		}
	})
}

package storetest_test

import (
	"context"
	"testing"
	"time"

	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

func TestFaultProxy(t *testing.T) {
	dsn, proxy := storetest.MySQLWithProxy(t)
	ctx := context.Background()
	s, err := store.Open(ctx, dsn, storetest.Logger(t))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ready := func() error {
		ctx, cancel := context.WithTimeout(ctx, time.Second)
		defer cancel()
		return s.Ready(ctx)
	}
	if err := ready(); err != nil {
		t.Fatalf("through the proxy: %v", err)
	}
	proxy.Stop()
	if err := ready(); err == nil {
		t.Fatal("stopped database answered")
	}
	proxy.Resume()
	if err := ready(); err != nil {
		t.Fatalf("after resume: %v", err)
	}
	proxy.Freeze()
	if err := ready(); err == nil {
		t.Fatal("frozen database answered")
	}
	proxy.Resume()
	if err := ready(); err != nil {
		t.Fatalf("after thaw: %v", err)
	}
}

package logctx

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"testing"
)

func lines(t *testing.T, buf *bytes.Buffer) []map[string]any {
	t.Helper()
	var out []map[string]any
	dec := json.NewDecoder(buf)
	for dec.More() {
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			t.Fatal(err)
		}
		out = append(out, m)
	}
	return out
}

func TestHandlerAddsWhatTheContextCarries(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewHandler(slog.NewJSONHandler(&buf, nil))).With("channel", "webchat")

	ctx := WithRequestID(context.Background(), "req-1")
	log.InfoContext(ctx, "before")
	// The core names the order on a context it got from the request; the
	// request's later lines carry it too.
	inner := WithOrder(ctx, "100014")
	log.InfoContext(inner, "inside")
	log.InfoContext(ctx, "after")
	log.InfoContext(WithOrder(context.Background(), "100015"), "background")
	log.Info("no context")

	got := lines(t, &buf)
	want := []struct{ req, order any }{
		{"req-1", nil}, {"req-1", "100014"}, {"req-1", "100014"}, {nil, "100015"}, {nil, nil},
	}
	if len(got) != len(want) {
		t.Fatalf("%d lines: %v", len(got), got)
	}
	for i, w := range want {
		if got[i]["request_id"] != w.req || got[i]["order"] != w.order || got[i]["channel"] != "webchat" {
			t.Errorf("line %d: %v, want request_id %v order %v", i, got[i], w.req, w.order)
		}
	}
	scoped := Scope(context.Background())
	WithOrder(scoped, "100016")
	log.InfoContext(scoped, "scoped")
	if Scope(ctx) != ctx {
		t.Error("Scope replaced a request's fields")
	}
	if l := lines(t, &buf); len(l) != 1 || l[0]["order"] != "100016" || l[0]["request_id"] != nil {
		t.Errorf("scoped line %v", l)
	}
	if RequestID(ctx) != "req-1" || RequestID(context.Background()) != "" {
		t.Error("RequestID does not read back the id")
	}
}

func TestHandlerKeepsGroupsAndLevels(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(NewHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelWarn})))
	ctx := WithRequestID(context.Background(), "r")
	log.InfoContext(ctx, "dropped")
	log.WithGroup("g").WarnContext(ctx, "kept", "k", 1)
	got := lines(t, &buf)
	if len(got) != 1 {
		t.Fatalf("lines %v", got)
	}
	g, _ := got[0]["g"].(map[string]any)
	if g["k"] != float64(1) || g["request_id"] != "r" {
		t.Fatalf("grouped line %v", got[0])
	}
}

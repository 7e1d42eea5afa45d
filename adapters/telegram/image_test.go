package telegram

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/store/storetest"
)

func TestPostStaffImage(t *testing.T) {
	api := newFakeAPI(t)
	a, err := New(context.Background(), nil, nil, testConfig(api, storetest.SQLite(t)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, image.NewGray(image.Rect(0, 0, 96, 64))); err != nil {
		t.Fatal(err)
	}
	short, long := "店铺 报告 2026-03-10", strings.Repeat("报告", 600)
	for _, text := range []string{short, long} {
		if err := a.PostStaffImage(context.Background(), text, "report.png", buf.Bytes()); err != nil {
			t.Fatal(err)
		}
	}
	photos := api.callsOf("sendPhoto")
	if len(photos) != 2 {
		t.Fatalf("%d photos sent, want 2", len(photos))
	}
	for _, p := range photos {
		cfg, err := png.DecodeConfig(bytes.NewReader(p.Files["photo"]))
		if err != nil || cfg.Width != 96 || cfg.Height != 64 || p.chat() != staffChat {
			t.Errorf("photo to %d: %+v, %v", p.chat(), cfg, err)
		}
	}
	if photos[0].Params.Get("caption") != short || photos[1].Params.Get("caption") != "" {
		t.Errorf("captions %q, %q: want the short text, then none", photos[0].Params.Get("caption"), photos[1].Params.Get("caption"))
	}
	texts := api.callsOf("sendMessage")
	if len(texts) != 1 || texts[0].Params.Get("text") != long {
		t.Errorf("a text too long for a caption goes as its own message: %d messages", len(texts))
	}
}

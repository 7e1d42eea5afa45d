package main

import (
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
)

func TestOpsSettingsAreChecked(t *testing.T) {
	cases := []struct {
		env   map[string]string
		admin string
		json  bool
		level slog.Level
		bad   string // part of the error, "" when accepted
	}{
		{env: map[string]string{}, admin: "127.0.0.1:9090", level: slog.LevelInfo},
		{env: map[string]string{"ORDERBOT_ADMIN_ADDR": "off"}, admin: ""},
		{env: map[string]string{"ORDERBOT_ADMIN_ADDR": ":9191", "ORDERBOT_LOG_FORMAT": "json", "ORDERBOT_LOG_LEVEL": "debug"}, admin: ":9191", json: true, level: slog.LevelDebug},
		{env: map[string]string{"ORDERBOT_LOG_LEVEL": "WARN"}, admin: "127.0.0.1:9090", level: slog.LevelWarn},
		{env: map[string]string{"ORDERBOT_LOG_LEVEL": "error"}, admin: "127.0.0.1:9090", level: slog.LevelError},
		{env: map[string]string{"ORDERBOT_LOG_FORMAT": "logfmt"}, bad: "ORDERBOT_LOG_FORMAT"},
		{env: map[string]string{"ORDERBOT_LOG_LEVEL": "verbose"}, bad: "ORDERBOT_LOG_LEVEL"},
	}
	for _, c := range cases {
		c.env["ORDERBOT_ENV_FILE"] = filepath.Join(t.TempDir(), "none.env")
		cfg, err := loadConfig(func(k string) string { return c.env[k] })
		if c.bad != "" {
			if err == nil || !strings.Contains(err.Error(), c.bad) {
				t.Errorf("%v: err %v, want one naming %s", c.env, err, c.bad)
			}
			continue
		}
		if err != nil {
			t.Errorf("%v: %v", c.env, err)
			continue
		}
		if cfg.Ops.AdminAddr != c.admin || cfg.Ops.LogJSON != c.json || (c.admin != "" && cfg.Ops.LogLevel != c.level) {
			t.Errorf("%v: got %+v", c.env, cfg.Ops)
		}
	}
}

// A bad log setting stops the server before it opens anything.
func TestBadLogSettingRefusesToStart(t *testing.T) {
	env := map[string]string{"ORDERBOT_DB": "sqlite:" + filepath.Join(t.TempDir(), "x.db"), "ORDERBOT_LOG_LEVEL": "loud",
		"ORDERBOT_ENV_FILE": filepath.Join(t.TempDir(), "none.env")}
	err := run(t.Context(), []string{"serve"}, func(k string) string { return env[k] }, strings.NewReader(""), &strings.Builder{}, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), `ORDERBOT_LOG_LEVEL="loud"`) {
		t.Fatalf("serve with a bad log level: %v", err)
	}
}

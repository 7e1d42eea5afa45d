package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/storetest"
)

// cli runs one orderbot command line against the database dsn.
func cli(t *testing.T, dsn, stdin string, args ...string) (string, error) {
	t.Helper()
	return cliWith(t, map[string]string{"ORDERBOT_DB": dsn}, stdin, args...)
}

// cliWith runs one orderbot command line with the environment env.
func cliWith(t *testing.T, env map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	env["ORDERBOT_ENV_FILE"] = filepath.Join(t.TempDir(), "none.env")
	withTestDataKey(env)
	var out bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &out)
	return out.String(), err
}

func writeFile(t *testing.T, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "catalog.csv")
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestCatalogImportExport(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	good := writeFile(t, "sku,name,price,stock,name_zh,category\nT1,Green tea,38.00,10,绿茶,Tea\nT2,\"Oolong, dark\",45.5,3,乌龙,Tea\n")
	if out, err := cli(t, dsn, "", "catalog", "import", good); err != nil || !strings.Contains(out, "imported 2 products") {
		t.Fatalf("import: %q, %v", out, err)
	}
	bad := writeFile(t, "sku,name,price,stock\nT1,Green tea,39.999,10\nT3,New,1.00,-1\nT4,Fine,1.00,1\n")
	_, err := cli(t, dsn, "", "catalog", "import", bad)
	if err == nil || !strings.Contains(err.Error(), "line 2") || !strings.Contains(err.Error(), "line 3") {
		t.Fatalf("bad rows not reported by line: %v", err)
	}
	out, err := cli(t, dsn, "", "catalog", "export")
	if err != nil {
		t.Fatal(err)
	}
	const header = "\ufeffsku,name,price,stock,name_zh,category,category_zh,description,description_zh,image_url,active\n"
	want := header +
		"T1,Green tea,38.00,10,绿茶,Tea,,,,,true\n" +
		"T2,\"Oolong, dark\",45.50,3,乌龙,Tea,,,,,true\n"
	if out != want {
		t.Fatalf("export after a refused import:\n%s\nwant\n%s", out, want)
	}
	// Prices alone: every other column stays as it was.
	prices := writeFile(t, "sku,name,price,stock\nT1,Green tea,42.00,10\n")
	if _, err := cli(t, dsn, "", "catalog", "import", prices); err != nil {
		t.Fatal(err)
	}
	out, err = cli(t, dsn, "", "catalog", "export")
	if err != nil {
		t.Fatal(err)
	}
	if want := strings.Replace(want, "38.00", "42.00", 1); out != want {
		t.Fatalf("export after a price update:\n%s\nwant\n%s", out, want)
	}
	if _, err := cli(t, dsn, "", "catalog", "import", filepath.Join(t.TempDir(), "missing.csv")); err == nil {
		t.Fatal("importing a missing file succeeded")
	}
}

func TestStaffCommands(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	if out, err := cli(t, dsn, "s3cret-enough\n", "staff", "add", "--channel", "webchat", "--user", "lin", "--role", "approver"); err != nil || !strings.Contains(out, "saved webchat:lin as approver") {
		t.Fatalf("add: %q, %v", out, err)
	}
	if _, err := cli(t, dsn, "short\n", "staff", "add", "--channel", "webchat", "--user", "wu", "--role", "agent"); err == nil {
		t.Fatal("accepted a short password")
	}
	if _, err := cli(t, dsn, "", "staff", "add", "--channel", "slack", "--user", "U1", "--role", "owner"); err == nil {
		t.Fatal("accepted an unknown role")
	}
	if _, err := cli(t, dsn, "", "staff", "add", "--channel", "slack", "--user", "U1", "--role", "agent"); err != nil {
		t.Fatal(err)
	}
	out, err := cli(t, dsn, "", "staff", "list")
	if err != nil || !strings.Contains(out, "lin") || !strings.Contains(out, "U1") || strings.Contains(out, "wu") {
		t.Fatalf("list: %q, %v", out, err)
	}
	if _, err := cli(t, dsn, "", "staff", "remove", "--channel", "slack", "--user", "U1"); err != nil {
		t.Fatal(err)
	}
	if _, err := cli(t, dsn, "", "staff", "remove", "--channel", "slack", "--user", "U1"); err == nil {
		t.Fatal("removing an unknown staff member succeeded")
	}

	// The new login works in the console of a server on that database.
	s := startServer(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DEMO": "false"})
	s.newUser().login("lin", "s3cret-enough")
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
}

func TestUnknownCommandsAndConfig(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	for _, args := range [][]string{{"frobnicate"}, {"catalog"}, {"catalog", "import"}, {"staff"}, {"staff", "fire"}} {
		if _, err := cli(t, dsn, "", args...); err == nil {
			t.Errorf("%v succeeded", args)
		}
	}
	if _, err := cli(t, "postgres://x", "", "migrate"); err == nil {
		t.Error("an unsupported database was accepted")
	}
	if out, err := cli(t, dsn, "", "migrate"); err != nil || !strings.Contains(out, "migrations applied") {
		t.Errorf("migrate: %q, %v", out, err)
	}
}

// Health and readiness answer on the public listener; metrics, the
// detailed readiness and the profiler only on the admin listener.
func TestHealthAndReadiness(t *testing.T) {
	s := startServer(t, map[string]string{"ORDERBOT_DB": storetest.DSN(t, "sqlite")})
	u := s.newUser()
	u.get("/healthz", http.StatusOK)
	u.get("/readyz", http.StatusOK)
	u.get("/metrics", http.StatusNotFound)
	u.get("/debug/pprof/", http.StatusNotFound)

	admin := *s
	admin.base = s.admin
	a := admin.newUser()
	m := string(a.get("/metrics", http.StatusOK))
	for _, want := range []string{
		`orderbot_http_request_duration_seconds_count{code="200",route="GET /readyz"} 1`,
		`orderbot_http_request_duration_seconds_count{code="404",route="unmatched"} 2`,
		`orderbot_outbox_messages{state="failed"} 0`,
		`go_goroutines `,
		`process_open_fds `,
	} {
		if !strings.Contains(m, want) {
			t.Errorf("admin metrics lack %q:\n%s", want, m)
		}
	}
	if strings.Contains(m, "/debug/pprof") || strings.Contains(m, `route="/metrics"`) {
		t.Errorf("metrics name a raw path:\n%s", m)
	}
	a.get("/readyz", http.StatusOK)
	if !strings.Contains(string(a.get("/debug/pprof/", http.StatusOK)), "goroutine") {
		t.Error("no pprof index on the admin listener")
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
}

// ORDERBOT_ADMIN_ADDR=off serves no admin listener.
func TestAdminListenerOff(t *testing.T) {
	s := startServer(t, map[string]string{"ORDERBOT_DB": storetest.DSN(t, "sqlite"), "ORDERBOT_ADMIN_ADDR": "off"})
	if s.admin != "" {
		t.Fatalf("admin listener at %s", s.admin)
	}
	s.newUser().get("/readyz", http.StatusOK)
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
}

func TestEnvFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".env")
	if err := os.WriteFile(p, []byte("# shop\nORDERBOT_ADDR=:9999\nexport ORDERBOT_CURRENCY=\"$\"\nORDERBOT_DEMO=false\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ORDERBOT_ENV_FILE": p, "ORDERBOT_DEMO": "true"}
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Addr != ":9999" || cfg.Currency != "$" || !cfg.Demo || cfg.DB != "sqlite:orderbot.db" {
		t.Fatalf("config %+v", cfg)
	}
	if err := os.WriteFile(p, []byte("not a setting\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := loadConfig(func(k string) string { return env[k] }); err == nil {
		t.Fatal("a malformed .env was accepted")
	}
}

// An unmigrated database is not ready; only the admin listener's readyz
// says why.
func TestReadyzWithoutMigrations(t *testing.T) {
	st, err := store.Open(context.Background(), storetest.EmptyDSN(t, "sqlite"), quiet())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, detail := range []bool{false, true} {
		rec := httptest.NewRecorder()
		readyz(st, time.Second, detail)(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
		body := strings.TrimSpace(rec.Body.String())
		if rec.Code != http.StatusServiceUnavailable || strings.Contains(body, "schema") != detail || !strings.HasPrefix(body, "not ready") {
			t.Fatalf("unmigrated database, detail %v: %d %q", detail, rec.Code, body)
		}
	}
	if err := st.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	rec := httptest.NewRecorder()
	readyz(st, time.Second, false)(rec, httptest.NewRequest(http.MethodGet, "/readyz", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("migrated database: %d %s", rec.Code, rec.Body)
	}
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func TestChannelSettingsAreChecked(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		ok   bool
	}{
		{"nothing", map[string]string{}, true},
		{"telegram polling", map[string]string{"ORDERBOT_TELEGRAM_TOKEN": "1:abc", "ORDERBOT_TELEGRAM_STAFF_CHAT": "-100123"}, true},
		{"telegram bad staff chat", map[string]string{"ORDERBOT_TELEGRAM_TOKEN": "1:abc", "ORDERBOT_TELEGRAM_STAFF_CHAT": "staff"}, false},
		{"telegram webhook without public url", map[string]string{"ORDERBOT_TELEGRAM_TOKEN": "1:abc", "ORDERBOT_TELEGRAM_WEBHOOK_SECRET": "s"}, false},
		{"telegram webhook", map[string]string{"ORDERBOT_TELEGRAM_TOKEN": "1:abc", "ORDERBOT_TELEGRAM_WEBHOOK_SECRET": "s", "ORDERBOT_PUBLIC_URL": "https://shop.example"}, true},
		{"slack without channel", map[string]string{"ORDERBOT_SLACK_BOT_TOKEN": "xoxb", "ORDERBOT_SLACK_SIGNING_SECRET": "s"}, false},
		{"slack without secret", map[string]string{"ORDERBOT_SLACK_BOT_TOKEN": "xoxb", "ORDERBOT_SLACK_STAFF_CHANNEL": "C1"}, false},
		{"slack http", map[string]string{"ORDERBOT_SLACK_BOT_TOKEN": "xoxb", "ORDERBOT_SLACK_SIGNING_SECRET": "s", "ORDERBOT_SLACK_STAFF_CHANNEL": "C1", "ORDERBOT_SLACK_APPROVERS": "U1, U2"}, true},
		{"wechat half", map[string]string{"ORDERBOT_WECHAT_APP_ID": "wx1"}, false},
		{"wechat", map[string]string{"ORDERBOT_WECHAT_APP_ID": "wx1", "ORDERBOT_WECHAT_APP_SECRET": "s", "ORDERBOT_WECHAT_TOKEN": "t"}, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.env["ORDERBOT_ENV_FILE"] = filepath.Join(t.TempDir(), "none.env")
			cfg, err := loadConfig(func(k string) string { return c.env[k] })
			if (err == nil) != c.ok {
				t.Fatalf("err %v, want ok=%v", err, c.ok)
			}
			if c.name == "slack http" && (len(cfg.Slack.Approvers) != 2 || cfg.Slack.Approvers[1] != "U2") {
				t.Fatalf("approvers %q", cfg.Slack.Approvers)
			}
		})
	}
}

func TestShopSettings(t *testing.T) {
	env := func(kv ...string) func(string) string {
		m := map[string]string{"ORDERBOT_ENV_FILE": "/nonexistent/.env"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return func(k string) string { return m[k] }
	}
	cfg, err := loadConfig(env())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Shop.Location.String() != "Asia/Shanghai" || cfg.Shop.Name != "orderbot" || cfg.Shop.StaffLang != "zh" {
		t.Fatalf("defaults: %+v", cfg.Shop)
	}
	cfg, err = loadConfig(env("ORDERBOT_TIMEZONE", "Europe/London", "ORDERBOT_SHOP_NAME", " 西湖茶庄 ", "ORDERBOT_STAFF_LANG", "en"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Shop.Location.String() != "Europe/London" || cfg.Shop.Name != "西湖茶庄" || cfg.Shop.StaffLang != "en" {
		t.Fatalf("set: %+v", cfg.Shop)
	}
	for _, bad := range [][]string{
		{"ORDERBOT_TIMEZONE", "Mars/Olympus"},
		{"ORDERBOT_TIMEZONE", "Local"},
		{"ORDERBOT_STAFF_LANG", "fr"},
		{"ORDERBOT_SHOP_NAME", strings.Repeat("店", 61)},
	} {
		if _, err := loadConfig(env(bad...)); err == nil || !strings.Contains(err.Error(), bad[0]) {
			t.Errorf("%s=%q: err = %v, want one naming the variable", bad[0], bad[1], err)
		}
	}
}

// withTestDataKey gives the run storetest's data key, so that tests may
// read what it wrote through storetest's stores, unless the test names its
// own (an empty value: none, the key file).
func withTestDataKey(env map[string]string) {
	if _, ok := env["ORDERBOT_DATA_KEY"]; !ok {
		env["ORDERBOT_DATA_KEY"] = storetest.DataKey
	}
}

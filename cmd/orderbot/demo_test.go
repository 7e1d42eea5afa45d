package main

import (
	"bufio"
	"os"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/store/storetest"
)

// TestDemoSeededOnce: the demo goes into an empty database once; a deleted
// demo login stays deleted over restarts, on SQLite and MySQL.
func TestDemoSeededOnce(t *testing.T) {
	for _, backend := range []string{"sqlite", "mysql"} {
		t.Run(backend, func(t *testing.T) {
			dsn := storetest.DSN(t, backend)
			env := map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DEMO": "true"}
			s := startServer(t, env)
			s.newUser().login("demo", "demo")
			if err := s.stop(); err != nil {
				t.Fatal(err)
			}
			if _, err := cli(t, dsn, "", "staff", "remove", "--channel", "webchat", "--user", "demo"); err != nil {
				t.Fatal(err)
			}
			if _, err := cli(t, dsn, "", "catalog", "import", writeFile(t, "sku,name,price,stock\nT1,Tea,1.00,1\n")); err != nil {
				t.Fatal(err)
			}
			s = startServer(t, env)
			if err := s.stop(); err != nil {
				t.Fatal(err)
			}
			out, err := cli(t, dsn, "", "staff", "list")
			if err != nil || strings.Contains(out, "demo") {
				t.Fatalf("the deleted demo login came back: %q, %v", out, err)
			}
			if out, _ := cli(t, dsn, "", "catalog", "export"); strings.Count(out, "\n") != 1+len(demoCatalog())+1 {
				t.Fatalf("the demo catalog was loaded again:\n%s", out)
			}
		})
	}
}

// TestDemoNotIntoAShop: a database with products or staff gets no demo,
// then or later.
func TestDemoNotIntoAShop(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	if _, err := cli(t, dsn, "a long password\n", "staff", "add", "--channel", "webchat", "--user", "lin", "--role", "admin"); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DEMO": "true"}
	s := startServer(t, env)
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	if _, err := cli(t, dsn, "", "staff", "remove", "--channel", "webchat", "--user", "lin"); err != nil {
		t.Fatal(err)
	}
	s = startServer(t, env) // empty now, but it was a shop
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	out, err := cli(t, dsn, "", "staff", "list")
	if err != nil || strings.Contains(out, "demo") {
		t.Fatalf("a shop's database got the demo login: %q, %v", out, err)
	}
	if out, _ := cli(t, dsn, "", "catalog", "export"); strings.Count(out, "\n") != 1 {
		t.Fatalf("a shop's database got the demo catalog:\n%s", out)
	}
}

// TestDockerImageHasNoDemo: the image's environment, as the Dockerfile
// sets it, leaves the demo off.
func TestDockerImageHasNoDemo(t *testing.T) {
	f, err := os.Open("../../Dockerfile")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{"ORDERBOT_ENV_FILE": t.TempDir() + "/none"}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "ENV ")
		if !ok {
			continue
		}
		for _, kv := range strings.Fields(rest) {
			k, v, _ := strings.Cut(kv, "=")
			env[k] = v
		}
	}
	if env["ORDERBOT_DB"] == "" {
		t.Fatal("found no ENV line with ORDERBOT_DB in the Dockerfile")
	}
	cfg, err := loadConfig(func(k string) string { return env[k] })
	if err != nil || cfg.Demo {
		t.Fatalf("the image's settings turn the demo on (%v, %v)", cfg.Demo, err)
	}
}

package main

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// config is every setting, parsed once from the environment.
type config struct {
	Addr      string
	DB        string
	Demo      bool
	PublicURL string
	Currency  string
}

func loadConfig(getenv func(string) string) (config, error) {
	file, err := readEnvFile(envOr(getenv, "ORDERBOT_ENV_FILE", ".env"))
	if err != nil {
		return config{}, err
	}
	// The process environment wins over the file.
	get := func(k string) string {
		if v := getenv(k); v != "" {
			return v
		}
		return file[k]
	}
	cfg := config{
		Addr:      orDefault(get("ORDERBOT_ADDR"), ":8080"),
		DB:        orDefault(get("ORDERBOT_DB"), "sqlite:orderbot.db"),
		PublicURL: strings.TrimRight(get("ORDERBOT_PUBLIC_URL"), "/"),
		Currency:  orDefault(get("ORDERBOT_CURRENCY"), "¥"),
	}
	// The demo is on by default only for the zero-setup SQLite database, so
	// a production MySQL never gets demo data by accident.
	cfg.Demo = get("ORDERBOT_DB") == ""
	if v := get("ORDERBOT_DEMO"); v != "" {
		demo, err := strconv.ParseBool(v)
		if err != nil {
			return config{}, fmt.Errorf("ORDERBOT_DEMO=%q: want true or false", v)
		}
		cfg.Demo = demo
	}
	if !strings.HasPrefix(cfg.DB, "sqlite:") && !strings.HasPrefix(cfg.DB, "mysql:") {
		return config{}, fmt.Errorf("ORDERBOT_DB=%q: want sqlite:PATH or mysql:DSN", cfg.DB)
	}
	return cfg, nil
}

func envOr(getenv func(string) string, k, def string) string {
	return orDefault(getenv(k), def)
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

// readEnvFile reads KEY=VALUE lines; a missing file is no error.
func readEnvFile(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	vals := map[string]string{}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(strings.TrimPrefix(line, "export "), "=")
		if !ok {
			return nil, fmt.Errorf("%s:%d: want KEY=VALUE", path, n)
		}
		v = strings.TrimSpace(v)
		if uq, err := strconv.Unquote(v); err == nil {
			v = uq
		}
		vals[strings.TrimSpace(k)] = v
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	return vals, nil
}

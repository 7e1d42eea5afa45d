package main

import (
	"bytes"
	"context"
	"database/sql"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store"
	"github.com/orderbot/orderbot/store/seal"
	"github.com/orderbot/orderbot/store/storetest"
)

// clearPersonal is what the journey's customer tells the shop; none of it
// may be found in the database's bytes.
var clearPersonal = []string{"13800138000", "Li Lei", "Wensan Road", "arrived dented"}

// journey orders with a name, phone and address on the web chat, has the
// order approved, and files an after-sales request with a reason.
func journey(t *testing.T, s *server) {
	t.Helper()
	shopper, staff := s.newUser(), s.newUser()
	shopper.get("/chat", http.StatusOK)
	n := shopper.order("TEA-LJ-250", 1, "Li Lei", "13800138000", "88 Wensan Road, Hangzhou")
	staff.login("demo", "demo")
	staff.act(staff.card(n), "approve", nil, http.StatusOK)
	shopper.waitFor(n)
	c := staff.act(staff.card(n), "ship", map[string]string{"carrier": "SF Express", "tracking": "SF1234567890"}, http.StatusOK)
	staff.act(c, "deliver", nil, http.StatusOK)
	shopper.waitFor(n)
	shopper.say("after-sales")
	shopper.press("order:" + n)
	shopper.press("type:return")
	shopper.say("One tin arrived dented.")
	shopper.press("done")
	if requestNo.FindString(shopper.press("submit")) == "" {
		t.Fatalf("no request number: %+v", shopper.latest)
	}
}

func findClear(t *testing.T, where string, raw []byte) {
	t.Helper()
	for _, p := range clearPersonal {
		if bytes.Contains(raw, []byte(p)) {
			t.Errorf("%s holds %q in clear", where, p)
		}
	}
}

// On SQLite without ORDERBOT_DATA_KEY the key is generated beside the
// database; after a whole journey neither the database file nor its WAL
// holds the customer's phone, name, address or complaint.
func TestPersonalDataEncryptedAtRestSQLite(t *testing.T) {
	dsn := storetest.DSN(t, "sqlite")
	path := strings.TrimPrefix(dsn, "sqlite:")
	s := startServer(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DEMO": "true", "ORDERBOT_DATA_KEY": ""})
	info, err := os.Stat(path + ".key")
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v, %v; want mode 0600", info, err)
	}
	if !strings.Contains(s.logs.String(), "generated the data key") {
		t.Errorf("no warning about the generated key in the log:\n%s", s.logs)
	}
	journey(t, s)
	for _, f := range []string{path, path + "-wal"} {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		findClear(t, f, raw)
	}
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	findClear(t, "the database file after shutdown", raw)

	// The key file is reused; another key is refused, and writes nothing.
	if _, err := cliWith(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DATA_KEY": ""}, "", "migrate"); err != nil {
		t.Fatalf("restart with the key file: %v", err)
	}
	_, err = cliWith(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DATA_KEY": seal.GenerateKey()}, "", "migrate")
	if err == nil || !strings.Contains(err.Error(), "wrong data key") || !strings.Contains(err.Error(), "ORDERBOT_DATA_KEY") {
		t.Fatalf("start with another key: %v", err)
	}
}

// On MariaDB a key is required, and the tables hold nothing in clear.
func TestPersonalDataEncryptedAtRestMySQL(t *testing.T) {
	dsn := storetest.DSN(t, "mysql")
	_, err := cliWith(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DATA_KEY": ""}, "", "migrate")
	if err == nil || !strings.Contains(err.Error(), "ORDERBOT_DATA_KEY is required") {
		t.Fatalf("MySQL without a key: %v", err)
	}
	s := startServer(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DEMO": "true"})
	journey(t, s)
	if err := s.stop(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("mysql", strings.TrimPrefix(dsn, "mysql:"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	tables, err := db.Query("SHOW TABLES")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for tables.Next() {
		var name string
		if err := tables.Scan(&name); err != nil {
			t.Fatal(err)
		}
		names = append(names, name)
	}
	tables.Close()
	for _, table := range names {
		findClear(t, "table "+table, tableBytes(t, db, table))
	}
	_, err = cliWith(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DATA_KEY": seal.GenerateKey()}, "", "migrate")
	if err == nil || !strings.Contains(err.Error(), "wrong data key") {
		t.Fatalf("start with another key: %v", err)
	}
}

// tableBytes is every value of a table as the server returns it.
func tableBytes(t *testing.T, db *sql.DB, table string) []byte {
	t.Helper()
	rows, err := db.Query("SELECT * FROM `" + table + "`")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	var out []byte
	for rows.Next() {
		raw := make([]sql.RawBytes, len(cols))
		ptrs := make([]any, len(cols))
		for i := range raw {
			ptrs[i] = &raw[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		for _, v := range raw {
			out = append(append(out, v...), '|')
		}
	}
	return out
}

// rotate-key moves every value to the new key: afterwards the new key alone
// reads the database and the old one alone is refused.
func TestDataRotateKey(t *testing.T) {
	for _, backend := range []string{"sqlite", "mysql"} {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			dsn := storetest.DSN(t, backend)
			st, err := store.Open(ctx, dsn, quiet())
			if err != nil {
				t.Fatal(err)
			}
			storetest.UseDataKey(t, st)
			c, err := st.LockCustomer(ctx, bot.WebChat, "w1")
			if err != nil {
				t.Fatal(err)
			}
			c.Name, c.Phone, c.Address = "Li Lei", "13800138000", "88 Wensan Road"
			if err := st.UpdateCustomer(ctx, c); err != nil {
				t.Fatal(err)
			}
			st.Close()

			newKey := seal.GenerateKey()
			if _, err := cliWith(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DATA_KEY": ""}, "", "data", "rotate-key"); err == nil {
				t.Fatal("rotate-key without a new key succeeded")
			}
			out, err := cliWith(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DATA_KEY": newKey, "ORDERBOT_DATA_KEY_OLD": storetest.DataKey}, "", "data", "rotate-key")
			if err != nil || !strings.Contains(out, "every value is under the new key") {
				t.Fatalf("rotate-key: %q, %v", out, err)
			}
			if _, err := cliWith(t, map[string]string{"ORDERBOT_DB": dsn}, "", "migrate"); err == nil || !strings.Contains(err.Error(), "wrong data key") {
				t.Fatalf("start with the old key after the rotation: %v", err)
			}
			s := startServer(t, map[string]string{"ORDERBOT_DB": dsn, "ORDERBOT_DATA_KEY": newKey})
			defer s.stop()
			st, err = store.Open(ctx, dsn, quiet())
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			raw, _ := seal.ParseKey(newKey)
			ring, _ := seal.NewRing(raw)
			if err := st.UseKeys(ctx, ring); err != nil {
				t.Fatal(err)
			}
			got, err := st.Customer(ctx, c.ID)
			if err != nil || got.Address != c.Address {
				t.Fatalf("customer under the new key alone: %+v, %v", got, err)
			}
		})
	}
}

package main

import (
	"context"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/ncruces/go-sqlite3/gormlite"
	gormmysql "gorm.io/driver/mysql"
	"gorm.io/gorm"
	"gorm.io/gorm/logger"
)

// seedSize is how much stored data the scratch database gets before the
// run, so that latency and memory are measured against a shop's data
// rather than an empty one.
type seedSize struct {
	customers, products, orders int
}

func (s seedSize) any() bool { return s.customers > 0 || s.products > 0 || s.orders > 0 }

// seedBatch is the rows per INSERT: a few thousand placeholders, well under
// SQLite's 32,766 and MySQL's 65,535.
const seedBatch = 500

// seedCategories is how many categories seeded products fall into: the
// category list is one message of buttons, so it stays short, and each
// category then holds many pages.
const seedCategories = 10

// seeder writes seed rows straight into the tables, as many per statement
// as fit. The rows are what orderbot itself would have stored: customers
// without personal data (the sealed columns stay empty, which orderbot
// reads as not given), completed orders with their items and history.
type seeder struct {
	db      *gorm.DB
	sqlite  bool
	channel string // the channel of the seeded customers: the one the run drives
	chats   int    // how many of them are the run's own simulated customers
	now     time.Time
}

// seedDatabase fills the migrated database at dsn. The customers are on the
// channel the run drives, and the first ones are the run's own simulated
// customers (so their order lookups have history); the orders go round the
// customers, so each has about orders/customers.
func seedDatabase(ctx context.Context, dsn string, size seedSize, o options, stderr io.Writer) error {
	db, sqlite, err := openSeedDB(dsn)
	if err != nil {
		return err
	}
	if sqlDB, err := db.DB(); err == nil {
		defer sqlDB.Close()
	}
	s := &seeder{db: db.WithContext(ctx), sqlite: sqlite, channel: o.channel, chats: o.customers, now: time.Now().UTC()}
	start := time.Now()
	customers := size.customers
	if size.orders > 0 && customers == 0 {
		customers = 1 // orders need someone who placed them
	}
	if err := s.products(size.products); err != nil {
		return err
	}
	if err := s.customers(customers); err != nil {
		return err
	}
	if err := s.orders(size.orders, customers, size.products); err != nil {
		return err
	}
	fmt.Fprintf(stderr, "orderbot-load: seeded %d customers, %d products, %d orders in %s\n",
		customers, size.products, size.orders, time.Since(start).Round(time.Millisecond))
	return nil
}

func openSeedDB(dsn string) (*gorm.DB, bool, error) {
	cfg := &gorm.Config{SkipDefaultTransaction: true, Logger: logger.Discard}
	if path, ok := strings.CutPrefix(dsn, "sqlite:"); ok {
		q := url.Values{}
		q.Add("_pragma", "busy_timeout(10000)")
		q.Add("_pragma", "foreign_keys(1)")
		u := url.URL{Path: path}
		db, err := gorm.Open(gormlite.Open("file:"+u.EscapedPath()+"?"+q.Encode()), cfg)
		if err != nil {
			return nil, false, fmt.Errorf("seed: open sqlite: %w", err)
		}
		return db, true, nil
	}
	mc, err := mysql.ParseDSN(strings.TrimPrefix(dsn, "mysql:"))
	if err != nil {
		return nil, false, fmt.Errorf("seed: %w", err)
	}
	mc.ParseTime, mc.Loc, mc.InterpolateParams = true, time.UTC, true
	mc.Params = map[string]string{"time_zone": "'+00:00'"}
	db, err := gorm.Open(gormmysql.New(gormmysql.Config{DSNConfig: mc}), cfg)
	if err != nil {
		return nil, false, fmt.Errorf("seed: open mysql: %w", err)
	}
	return db, false, nil
}

// at is a time as the store writes it: SQLite keeps fixed-width text (the
// store's _timefmt), MySQL a DATETIME.
func (s *seeder) at(t time.Time) any {
	if s.sqlite {
		return t.UTC().Format("2006-01-02 15:04:05.000")
	}
	return t.UTC()
}

// insert writes n rows, seedBatch to a statement and each batch in its own
// transaction, row(i) giving the i-th row's values in the order of cols.
func (s *seeder) insert(table string, cols []string, n int, row func(i int) []any) error {
	one := "(" + strings.TrimSuffix(strings.Repeat("?,", len(cols)), ",") + ")"
	head := "INSERT INTO " + table + " (" + strings.Join(cols, ",") + ") VALUES "
	for from := 0; from < n; from += seedBatch {
		to := min(from+seedBatch, n)
		args := make([]any, 0, (to-from)*len(cols))
		for i := from; i < to; i++ {
			args = append(args, row(i)...)
		}
		q := head + strings.TrimSuffix(strings.Repeat(one+",", to-from), ",")
		if err := s.db.Exec(q, args...).Error; err != nil {
			return fmt.Errorf("seed %s rows %d–%d: %w", table, from+1, to, err)
		}
	}
	return nil
}

// seedSKU is the i-th seeded product's sku.
func seedSKU(i int) string { return fmt.Sprintf("SEED-%06d", i+1) }

func (s *seeder) products(n int) error {
	cols := []string{"sku", "name", "name_zh", "category", "category_zh", "description", "description_zh", "image_url", "price", "stock", "active"}
	return s.insert("products", cols, n, func(i int) []any {
		c := i % seedCategories
		return []any{
			seedSKU(i), fmt.Sprintf("Seed tea no. %d, 100 g", i+1), fmt.Sprintf("样品茶 %d 号 100克", i+1),
			fmt.Sprintf("Range %02d", c+1), fmt.Sprintf("系列 %02d", c+1),
			"A product seeded for the load test.", "压测用的商品。", "",
			1000 + int64(i%90)*100, 100000, true,
		}
	})
}

// seedUser is the platform id of the i-th seeded customer: the first ones
// are the run's own customers, named as their drivers name them (runUser),
// the rest ids of the same shape that no driver uses.
func (s *seeder) seedUser(i int) string {
	if i < s.chats {
		return runUser(s.channel, i)
	}
	switch s.channel {
	case "wechat":
		return fmt.Sprintf("oSeed%023d", i)
	case "webchat":
		return fmt.Sprintf("5eed%028x", i)
	}
	return strconv.Itoa(2*telegramChatBase + i)
}

// runUser is the platform id of the run's n-th simulated customer on
// channel, as its driver addresses orderbot: the Telegram chat id, the
// WeChat OpenID, or the web chat customer id its cookie names.
func runUser(channel string, n int) string {
	switch channel {
	case "wechat":
		return wechatOpenID(n)
	case "webchat":
		return webChatUserID(n)
	}
	return strconv.Itoa(telegramChatBase + n)
}

func (s *seeder) customers(n int) error {
	cols := []string{"id", "channel", "user_id", "display_name", "name", "phone", "address", "lang", "unreachable",
		"last_inbound_at", "conversation", "created_at", "updated_at", "name_hash", "display_name_hash", "phone_hash"}
	return s.insert("customers", cols, n, func(i int) []any {
		seen := s.at(s.now.Add(-time.Duration(i%720) * time.Hour))
		lang := "en"
		if i%2 == 1 {
			lang = "zh-CN"
		}
		return []any{i + 1, s.channel, s.seedUser(i), "", "", "", "", lang, false, seen, nil, seen, seen, "", "", ""}
	})
}

// orders writes n completed, paid orders of one to three items each, with
// the history that took them there.
func (s *seeder) orders(n, customers, products int) error {
	if n == 0 {
		return nil
	}
	const itemsPer = 3
	type item struct {
		sku, name, nameZH string
		price             int64
	}
	itemOf := func(order, k int) item {
		if products == 0 {
			d := demoProducts[(order+k)%len(demoProducts)]
			return item{d.sku, d.name, d.nameZH, d.price}
		}
		p := (order*7 + k) % products
		return item{seedSKU(p), fmt.Sprintf("Seed tea no. %d, 100 g", p+1), fmt.Sprintf("样品茶 %d 号 100克", p+1), 1000 + int64(p%90)*100}
	}
	count := func(order int) int { return 1 + order%itemsPer }
	created := func(order int) time.Time { return s.now.Add(-time.Duration(n-order) * time.Minute) }
	total := func(order int) int64 {
		var t int64
		for k := range count(order) {
			t += itemOf(order, k).price
		}
		return t
	}
	cols := []string{"id", "number", "customer_id", "channel", "status", "subtotal", "total", "payment_status", "pay_method", "paid",
		"contact_name", "contact_phone", "contact_address", "reject_reason", "carrier", "tracking", "cancel_requested", "version",
		"created_at", "updated_at"}
	err := s.insert("orders", cols, n, func(i int) []any {
		t := total(i)
		return []any{i + 1, strconv.Itoa(100000 + i + 1), i%customers + 1, s.channel, "completed", t, t, "paid", "cod", t,
			"", "", "", "", "", "", false, 2, s.at(created(i)), s.at(created(i).Add(time.Hour))}
	})
	if err != nil {
		return err
	}
	// Items: order i has count(i) of them; a flat index walks them all.
	var refs [][2]int
	for i := range n {
		for k := range count(i) {
			refs = append(refs, [2]int{i, k})
		}
	}
	err = s.insert("order_items", []string{"order_id", "sku", "name", "name_zh", "unit_price", "qty"}, len(refs), func(j int) []any {
		it := itemOf(refs[j][0], refs[j][1])
		return []any{refs[j][0] + 1, it.sku, it.name, it.nameZH, it.price, 1}
	})
	if err != nil {
		return err
	}
	return s.insert("order_history", []string{"order_id", "from_status", "to_status", "changed_at", "actor", "note"}, 2*n, func(j int) []any {
		i := j / 2
		if j%2 == 0 {
			return []any{i + 1, "", "pending", s.at(created(i)), "customer " + s.channel + ":" + s.seedUser(i%customers), ""}
		}
		return []any{i + 1, "pending", "completed", s.at(created(i).Add(time.Hour)), "seed", ""}
	})
}

// demoProducts are a few of orderbot's demo catalog, for orders seeded
// without seeded products.
var demoProducts = []struct {
	sku, name, nameZH string
	price             int64
}{
	{"TEA-LJ-250", "West Lake Longjing, 250 g", "西湖龙井 250克", 12800},
	{"TEA-TGY-250", "Tieguanyin Oolong, 250 g", "安溪铁观音 250克", 8800},
	{"SNK-PEAN-500", "Spiced Peanuts, 500 g", "五香花生 500克", 1800},
}

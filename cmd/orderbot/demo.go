package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/orderbot/orderbot/adapters/webchat"
	"github.com/orderbot/orderbot/bot"
)

// demoCatalog is a small tea shop, enough to try every flow, in both
// languages.
func demoCatalog() []bot.Product {
	categoryZH := map[string]string{"Tea": "茶叶", "Snacks": "零食", "Teaware": "茶具"}
	p := func(sku, name, zh, cat string, price int64, stock int, desc, descZH string) bot.Product {
		return bot.Product{SKU: sku, Name: name, NameZH: zh, Category: cat, CategoryZH: categoryZH[cat], Price: price,
			Stock: stock, Description: desc, DescriptionZH: descZH, Active: true}
	}
	return []bot.Product{
		p("TEA-LJ-250", "West Lake Longjing, 250 g", "西湖龙井 250克", "Tea", 12800, 40, "Spring-picked green tea from Hangzhou.", "杭州明前绿茶。"),
		p("TEA-TGY-250", "Tieguanyin Oolong, 250 g", "安溪铁观音 250克", "Tea", 8800, 60, "Fragrant oolong from Anxi, Fujian.", "福建安溪清香型乌龙茶。"),
		p("TEA-PE-357", "Pu'er Cake, 357 g", "云南普洱茶饼 357克", "Tea", 16800, 25, "Aged ripe pu'er from Yunnan.", "云南陈年熟普。"),
		p("TEA-DHP-100", "Da Hong Pao, 100 g", "武夷山大红袍 100克", "Tea", 9900, 30, "Rock oolong from the Wuyi mountains.", "武夷山岩茶。"),
		p("TEA-JAS-200", "Jasmine Green Tea, 200 g", "茉莉花茶 200克", "Tea", 4800, 80, "Green tea scented with jasmine blossoms.", "茉莉鲜花窨制的绿茶。"),
		p("SNK-MOON-4", "Lotus Mooncakes, box of 4", "莲蓉月饼礼盒（4枚）", "Snacks", 6800, 50, "Classic lotus seed paste with salted yolk.", "经典莲蓉蛋黄馅。"),
		p("SNK-PEAN-500", "Spiced Peanuts, 500 g", "五香花生 500克", "Snacks", 1800, 120, "Slow-roasted with star anise.", "八角慢火烘烤。"),
		p("SNK-DATE-400", "Red Dates, 400 g", "新疆红枣 400克", "Snacks", 3600, 70, "Large dates from Xinjiang.", "新疆大红枣。"),
		p("SNK-PUMP-300", "Pumpkin Seeds, 300 g", "原味南瓜子 300克", "Snacks", 2200, 90, "Lightly salted and roasted.", "微咸烘烤。"),
		p("WARE-GW-1", "Gaiwan, white porcelain", "白瓷盖碗", "Teaware", 5800, 35, "150 ml Jingdezhen porcelain.", "景德镇白瓷，150 毫升。"),
		p("WARE-YX-1", "Yixing Clay Teapot", "宜兴紫砂壶", "Teaware", 32800, 10, "Handmade zisha teapot, 200 ml.", "手工紫砂壶，200 毫升。"),
		p("WARE-CUP-6", "Tea Cups, set of 6", "品茗杯（6只装）", "Teaware", 4200, 45, "Celadon cups, 50 ml each.", "青瓷杯，每只 50 毫升。"),
	}
}

// demoSetting records that the demo was considered, so it is seeded at
// most once: a demo login someone deleted stays deleted.
const demoSetting = "demo-seeded"

// settings is where seedDemo records that it ran.
type settings interface {
	// SetSettingIfAbsent stores value unless name exists, and returns the
	// value stored.
	SetSettingIfAbsent(ctx context.Context, name, value string) (string, error)
}

// seedDemo loads the demo catalog and the demo staff login (demo / demo)
// into an empty database, once in the database's life, and says so: a
// shop must never run it unknowingly. Replicas starting together seed it
// once between them.
func seedDemo(ctx context.Context, svc *bot.Service, marks settings, stdout io.Writer) error {
	products, err := svc.Catalog(ctx)
	if err != nil {
		return err
	}
	staff, err := svc.ListStaff(ctx)
	if err != nil {
		return err
	}
	empty := len(products) == 0 && len(staff) == 0
	b := make([]byte, 16)
	_, _ = rand.Read(b) // never fails: crypto/rand panics instead
	mine := time.Now().UTC().Format(time.RFC3339) + " " + hex.EncodeToString(b)
	got, err := marks.SetSettingIfAbsent(ctx, demoSetting, mine)
	if err != nil {
		return fmt.Errorf("record the demo: %w", err)
	}
	switch {
	case got != mine:
		if demoLoginExists(staff) {
			fmt.Fprintln(stdout, "demo: the demo login demo / demo exists; remove it with: orderbot staff remove --channel webchat --user demo")
		}
		return nil
	case !empty:
		fmt.Fprintln(stdout, "demo: the database is not empty, so no demo data was added (and none will be)")
		return nil
	}
	if err := svc.ImportCatalog(ctx, "demo", demoCatalog()); err != nil {
		return fmt.Errorf("load demo catalog: %w", err)
	}
	hash, err := webchat.HashPassword("demo")
	if err != nil {
		return err
	}
	demo := bot.Staff{Channel: bot.WebChat, UserID: "demo", Name: "demo", Role: bot.Approver, PasswordHash: hash}
	if err := svc.SaveStaff(ctx, "demo", demo); err != nil {
		return fmt.Errorf("add demo staff: %w", err)
	}
	fmt.Fprintf(stdout, "demo: loaded %d products\n", len(demoCatalog()))
	fmt.Fprintln(stdout, "demo: staff console login demo / demo (approver); remove it with: orderbot staff remove --channel webchat --user demo")
	return nil
}

func demoLoginExists(staff []bot.Staff) bool {
	for _, s := range staff {
		if s.Channel == bot.WebChat && s.UserID == "demo" {
			return true
		}
	}
	return false
}

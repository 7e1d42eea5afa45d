package main

import (
	"fmt"
	"strings"
	"time"
	// The zone database inside the binary: the distroless image has none.
	_ "time/tzdata"
)

// shopConfig is who the shop is and where: every time shown and every
// "day" (today's orders, a report's day) is in its time zone.
type shopConfig struct {
	Location  *time.Location
	Name      string
	StaffLang string // "zh" or "en": staff cards and the console's default
}

func loadShop(get func(string) string) (shopConfig, error) {
	zone := orDefault(get("ORDERBOT_TIMEZONE"), "Asia/Shanghai")
	loc, err := time.LoadLocation(zone)
	if err != nil || zone == "Local" {
		return shopConfig{}, fmt.Errorf("ORDERBOT_TIMEZONE=%q: want an IANA time zone such as Asia/Shanghai or Europe/London", zone)
	}
	shop := shopConfig{
		Location:  loc,
		Name:      strings.TrimSpace(orDefault(get("ORDERBOT_SHOP_NAME"), "orderbot")),
		StaffLang: orDefault(get("ORDERBOT_STAFF_LANG"), "zh"),
	}
	if n := len([]rune(shop.Name)); n == 0 || n > 60 {
		return shopConfig{}, fmt.Errorf("ORDERBOT_SHOP_NAME: want 1 to 60 characters")
	}
	if shop.StaffLang != "zh" && shop.StaffLang != "en" {
		return shopConfig{}, fmt.Errorf("ORDERBOT_STAFF_LANG=%q: want zh or en", shop.StaffLang)
	}
	return shop, nil
}

package report

// wording is the staff-facing text of reports in one language.
type wording struct {
	chartOrders, chartRevenue, ordersAxis, revenueAxis, noOrders string
}

// words is the wording for lang: "en", or Chinese for anything else, as
// ORDERBOT_STAFF_LANG defaults to zh.
func words(lang string) wording {
	if lang == "en" {
		return wording{
			chartOrders: "orders per day", chartRevenue: "revenue per day",
			ordersAxis: "orders", revenueAxis: "revenue (%s)", noOrders: "no orders",
		}
	}
	return wording{
		chartOrders: "每日订单", chartRevenue: "每日收入",
		ordersAxis: "订单数", revenueAxis: "收入（%s）", noOrders: "暂无订单",
	}
}

package report

// wording is the staff-facing text of reports in one language.
type wording struct {
	chartOrders, chartRevenue, ordersAxis, revenueAxis, noOrders string
	late                                                         string
}

// words is the wording for lang: "en", or Chinese for anything else, as
// ORDERBOT_STAFF_LANG defaults to zh.
func words(lang string) wording {
	if lang == "en" {
		return wording{
			chartOrders: "orders per day", chartRevenue: "revenue per day",
			ordersAxis: "orders", revenueAxis: "revenue (%s)", noOrders: "no orders",
			late: "(posted late: the service was not running at the report time)",
		}
	}
	return wording{
		chartOrders: "每日订单", chartRevenue: "每日收入",
		ordersAxis: "订单数", revenueAxis: "收入（%s）", noOrders: "暂无订单",
		late: "（补发：报告时间时服务未运行）",
	}
}

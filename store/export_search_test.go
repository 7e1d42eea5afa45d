package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/orderbot/orderbot/bot"
)

// SeedOrders bulk-inserts n orders of customers customers into an empty
// store, with one item and one history entry each, in multi-row INSERTs:
// the way to get a large table fast, not through the conversation. Names
// come from a pool of surnames and given names, so that a surname matches
// a few percent of the orders, as it does in a real shop.
func SeedOrders(ctx context.Context, s *Store, n, customers int, start time.Time) error {
	db := s.db.WithContext(ctx).Session(&gorm.Session{CreateBatchSize: 1000})
	cs := make([]customerRow, customers)
	for i := range cs {
		cs[i] = customerRow{
			ID: int64(i + 1), Channel: bot.WeChat, UserID: fmt.Sprintf("o%07d", i+1),
			Name: s.seal(SeedName(i)), Phone: s.seal(SeedPhone(i)), Address: s.seal("1 Road"), Lang: "zh",
			NameHash: s.nameHash(SeedName(i)), PhoneHash: s.phoneHash(SeedPhone(i)),
			CreatedAt: dbTime(start), UpdatedAt: dbTime(start),
		}
	}
	if err := db.Create(&cs).Error; err != nil {
		return fmt.Errorf("seed customers: %w", err)
	}
	statuses := []string{"pending", "confirmed", "shipped", "delivered", "completed", "completed", "rejected", "cancelled"}
	for lo := 0; lo < n; lo += 5000 {
		hi := min(lo+5000, n)
		var os []orderRow
		var items []orderItemRow
		var hist []orderHistoryRow
		for i := lo; i < hi; i++ {
			id, c := int64(i+1), cs[i%customers]
			num := orderNumber(id)
			at := dbTime(start.Add(time.Duration(i) * 5 * time.Minute))
			os = append(os, orderRow{
				ID: id, Number: &num, CustomerID: c.ID, Channel: c.Channel, Status: statuses[i%len(statuses)],
				Total: 3800, ContactName: c.Name, ContactPhone: c.Phone, ContactAddress: c.Address,
				ContactNameHash: c.NameHash, ContactPhoneHash: c.PhoneHash,
				Version: 1, CreatedAt: at, UpdatedAt: at,
			})
			items = append(items, orderItemRow{OrderID: id, SKU: "TEA-1", Name: "Green tea", UnitPrice: 3800, Qty: 1})
			hist = append(hist, orderHistoryRow{OrderID: id, ToStatus: "pending", ChangedAt: at, Actor: "customer " + c.UserID})
		}
		for _, rows := range []any{&os, &items, &hist} {
			if err := db.Create(rows).Error; err != nil {
				return fmt.Errorf("seed orders: %w", err)
			}
		}
	}
	if s.dialect == dialectMySQL {
		return db.Exec("ANALYZE TABLE orders, customers").Error
	}
	return db.Exec("ANALYZE").Error
}

var (
	seedSurnames = []rune("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤")
	seedGiven    = []rune("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红文辉建国鹏飞宇浩然欣怡子涵梓轩雨婷佳琪思远")
)

// SeedName is the name of seeded customer i.
func SeedName(i int) string {
	g := len(seedGiven)
	return string([]rune{seedSurnames[i%len(seedSurnames)], seedGiven[(i/7)%g], seedGiven[(i/13+i)%g]})
}

// SeedPhone is the phone of seeded customer i.
func SeedPhone(i int) string { return fmt.Sprintf("138%08d", i+1) }

// SelectOne makes the smallest round trip to the database, the floor under
// any query's latency on a busy machine.
func SelectOne(ctx context.Context, s *Store) error {
	var one int
	return s.db.WithContext(ctx).Raw("SELECT 1").Scan(&one).Error
}

// ExplainOrderSearch returns the MySQL plan of the id query SearchOrders
// runs for f, one line per step: table, access type, index, rows, extra.
func ExplainOrderSearch(ctx context.Context, s *Store, f bot.OrderFilter) ([]string, error) {
	matches, filter := s.orderSearch(f)
	sql := s.db.ToSQL(func(tx *gorm.DB) *gorm.DB {
		var ids []int64
		return idsQuery(tx, &orderRow{}, matches, filter, f.BeforeID, f.Limit).Scan(&ids)
	})
	return explain(ctx, s, sql)
}

// explain runs EXPLAIN on sql and returns it with one line per step:
// table, access type, index, rows, extra.
func explain(ctx context.Context, s *Store, sql string) ([]string, error) {
	rows, err := s.db.WithContext(ctx).Raw("EXPLAIN " + sql).Rows()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	out := []string{sql}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		var parts []string
		for i, c := range cols {
			switch c {
			case "table", "type", "key", "rows", "Extra":
				if vals[i] != nil {
					parts = append(parts, fmt.Sprintf("%s=%s", c, vals[i]))
				}
			}
		}
		out = append(out, strings.Join(parts, " "))
	}
	return out, rows.Err()
}

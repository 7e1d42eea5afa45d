package store

import (
	"context"
	"errors"
	"fmt"

	"gorm.io/gorm"
	"gorm.io/gorm/clause"

	"github.com/orderbot/orderbot/bot"
)

type productRow struct {
	ID            int64
	SKU           string
	Name          string
	NameZH        string
	Category      string
	CategoryZH    string
	Description   string
	DescriptionZH string
	ImageURL      string
	Price         int64
	Stock         int
	Active        bool
}

func (productRow) TableName() string { return "products" }

func productFromRow(r productRow) bot.Product {
	return bot.Product{
		ID: r.ID, SKU: r.SKU, Name: r.Name, NameZH: r.NameZH, Category: r.Category, CategoryZH: r.CategoryZH,
		Description: r.Description, DescriptionZH: r.DescriptionZH, ImageURL: r.ImageURL,
		Price: r.Price, Stock: r.Stock, Active: r.Active,
	}
}

func productToRow(p bot.Product) productRow {
	return productRow{
		ID: p.ID, SKU: p.SKU, Name: p.Name, NameZH: p.NameZH, Category: p.Category, CategoryZH: p.CategoryZH,
		Description: p.Description, DescriptionZH: p.DescriptionZH, ImageURL: p.ImageURL,
		Price: p.Price, Stock: p.Stock, Active: p.Active,
	}
}

// Products returns the catalog in the order it was first imported.
func (r *repo) Products(ctx context.Context, activeOnly bool) ([]bot.Product, error) {
	q := r.db.WithContext(ctx).Order("id")
	if activeOnly {
		q = q.Where("active = ?", true)
	}
	var rows []productRow
	if err := q.Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("list products: %w", dbErr(err))
	}
	ps := make([]bot.Product, len(rows))
	for i, row := range rows {
		ps[i] = productFromRow(row)
	}
	return ps, nil
}

// Product returns the product with the sku, active or not.
func (r *repo) Product(ctx context.Context, sku string) (bot.Product, error) {
	var row productRow
	if err := r.db.WithContext(ctx).Where("sku = ?", sku).Take(&row).Error; err != nil {
		return bot.Product{}, fmt.Errorf("product %s: %w", sku, dbErr(err))
	}
	return productFromRow(row), nil
}

// upsertBatch bounds the rows of one INSERT, well under the placeholder
// limits of both databases.
const upsertBatch = 200

// UpsertProducts inserts new skus and overwrites every field of known ones,
// all or nothing.
func (r *repo) UpsertProducts(ctx context.Context, ps []bot.Product) error {
	if len(ps) == 0 {
		return nil
	}
	// The domain's rules, checked here too: the schema's CHECKs on price
	// and stock say the same, but TiDB does not enforce them.
	for _, p := range ps {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("upsert product %s: %w", p.SKU, err)
		}
	}
	rows := make([]productRow, len(ps))
	for i, p := range ps {
		rows[i] = productToRow(p)
		rows[i].ID = 0 // the sku identifies the product; ids are the database's
	}
	upsert := clause.OnConflict{
		Columns: []clause.Column{{Name: "sku"}},
		DoUpdates: clause.AssignmentColumns([]string{
			"name", "name_zh", "category", "category_zh", "description", "description_zh", "image_url",
			"price", "stock", "active",
		}),
	}
	err := r.db.WithContext(ctx).Transaction(func(tx *gorm.DB) error {
		if err := tx.Clauses(upsert).CreateInBatches(&rows, upsertBatch).Error; err != nil {
			return err
		}
		return bumpCatalogVersion(tx)
	})
	if err != nil {
		return fmt.Errorf("upsert products: %w", dbErr(err))
	}
	return nil
}

// ReserveStock takes qty in one conditional UPDATE, so that concurrent
// orders can never drive the stock below zero, locks or not.
func (r *repo) ReserveStock(ctx context.Context, sku string, qty int) error {
	if qty < 1 {
		return fmt.Errorf("reserve stock %s: %w: quantity %d", sku, bot.ErrInvalid, qty)
	}
	db := r.db.WithContext(ctx)
	res := db.Exec("UPDATE products SET stock = stock - ? WHERE sku = ? AND active = ? AND stock >= ?",
		qty, sku, true, qty)
	if res.Error != nil {
		return fmt.Errorf("reserve stock %s: %w", sku, dbErr(res.Error))
	}
	if res.RowsAffected == 1 {
		return nil
	}
	var row productRow
	err := db.Select("active").Where("sku = ?", sku).Take(&row).Error
	switch {
	case errors.Is(err, gorm.ErrRecordNotFound) || (err == nil && !row.Active):
		return fmt.Errorf("reserve stock %s: %w", sku, bot.ErrNotFound)
	case err != nil:
		return fmt.Errorf("reserve stock %s: %w", sku, dbErr(err))
	}
	return fmt.Errorf("reserve stock %s: %w", sku, bot.ErrOutOfStock)
}

// ReleaseStock gives qty back, also to a product no longer sold.
func (r *repo) ReleaseStock(ctx context.Context, sku string, qty int) error {
	if qty < 1 {
		return fmt.Errorf("release stock %s: %w: quantity %d", sku, bot.ErrInvalid, qty)
	}
	res := r.db.WithContext(ctx).Exec("UPDATE products SET stock = stock + ? WHERE sku = ?", qty, sku)
	if err := mustAffect(res); err != nil {
		return fmt.Errorf("release stock %s: %w", sku, err)
	}
	return nil
}

// catalogVersionID is the one row of catalog_versions.
const catalogVersionID = 1

// bumpCatalogVersion raises the catalog's version in the transaction that
// changes the catalog, so that every replica's cache of it (keyed by the
// version read with LockForInbound) is stale from its commit on.
func bumpCatalogVersion(tx *gorm.DB) error {
	res := tx.Exec("UPDATE catalog_versions SET version = version + 1 WHERE id = ?", catalogVersionID)
	if err := mustAffect(res); err != nil {
		return fmt.Errorf("bump catalog version: %w", err)
	}
	return nil
}

// catalogVersionOf reads the catalog's version in a customer's locking
// read: by primary key, unlocked (MySQL's locking clause does not reach
// into subqueries).
const catalogVersionOf = "(SELECT catalog_versions.version FROM catalog_versions WHERE catalog_versions.id = 1) AS catalog_version"

// StockOf returns the stock of the products by sku, in one read by the
// unique sku index; a sku not in the catalog is left out.
func (r *repo) StockOf(ctx context.Context, skus []string) (map[string]int, error) {
	if len(skus) == 0 {
		return map[string]int{}, nil
	}
	var rows []productRow
	if err := r.db.WithContext(ctx).Select("sku", "stock").Where("sku IN ?", skus).Find(&rows).Error; err != nil {
		return nil, fmt.Errorf("stock of %d products: %w", len(skus), dbErr(err))
	}
	stock := make(map[string]int, len(rows))
	for _, row := range rows {
		stock[row.SKU] = row.Stock
	}
	return stock, nil
}

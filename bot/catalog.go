package bot

import "fmt"

// Product is a catalog entry. Price is in minor units (分 / cents).
type Product struct {
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

// Validate checks the rules every stored product obeys.
func (p Product) Validate() error {
	switch {
	case p.SKU == "" || len(p.SKU) > 64:
		return fmt.Errorf("%w: sku must be 1-64 characters", ErrInvalid)
	case p.Name == "" || len([]rune(p.Name)) > 200:
		return fmt.Errorf("%w: name must be 1-200 characters", ErrInvalid)
	case len([]rune(p.NameZH)) > 200:
		return fmt.Errorf("%w: name_zh must be at most 200 characters", ErrInvalid)
	case len([]rune(p.Category)) > 100 || len([]rune(p.CategoryZH)) > 100:
		return fmt.Errorf("%w: category and category_zh must be at most 100 characters", ErrInvalid)
	case len(p.ImageURL) > 2000:
		return fmt.Errorf("%w: image_url must be at most 2000 characters", ErrInvalid)
	case p.Price < 0:
		return fmt.Errorf("%w: price must not be negative", ErrInvalid)
	case p.Stock < 0:
		return fmt.Errorf("%w: stock must not be negative", ErrInvalid)
	}
	return nil
}

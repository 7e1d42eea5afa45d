package bot

import (
	"context"
	"fmt"
)

// ImportCatalog upserts products by sku in one transaction: all or nothing.
// Every field of a known product is overwritten.
func (s *Service) ImportCatalog(ctx context.Context, actor string, ps []Product) error {
	return s.ImportCatalogFile(ctx, actor, CatalogFile{Products: ps, Columns: catalogColumns()})
}

// ImportCatalogFile upserts the file's products by sku in one transaction,
// changing only the columns the file has: a known product keeps the rest.
func (s *Service) ImportCatalogFile(ctx context.Context, actor string, f CatalogFile) error {
	for _, p := range f.Products {
		if err := p.Validate(); err != nil {
			return fmt.Errorf("import %s: %w", p.SKU, err)
		}
	}
	now := s.now()
	err := s.store.InTx(ctx, func(tx Repo) error {
		ps, err := keepAbsentColumns(ctx, tx, f)
		if err != nil {
			return err
		}
		if err := tx.UpsertProducts(ctx, ps); err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{Actor: actor, Entity: "catalog", Action: fmt.Sprintf("import %d products", len(ps)), At: now})
	})
	if err != nil {
		return fmt.Errorf("import catalog: %w", err)
	}
	return nil
}

// keepAbsentColumns fills in what the file lacks from the stored products;
// a new product gets the zero values, and is active.
func keepAbsentColumns(ctx context.Context, tx Repo, f CatalogFile) ([]Product, error) {
	if len(f.Columns) == len(catalogColumns()) {
		return f.Products, nil
	}
	stored, err := tx.Products(ctx, false)
	if err != nil {
		return nil, err
	}
	bySKU := make(map[string]Product, len(stored))
	for _, p := range stored {
		bySKU[p.SKU] = p
	}
	out := make([]Product, len(f.Products))
	for i, p := range f.Products {
		old, known := bySKU[p.SKU]
		if !known {
			old = Product{Active: true}
		}
		out[i] = f.keepAbsent(p, old)
	}
	return out, nil
}

// Catalog returns every product, active or not.
func (s *Service) Catalog(ctx context.Context) ([]Product, error) {
	return s.store.Products(ctx, false)
}

// SaveStaff adds a staff identity or changes its role or password.
func (s *Service) SaveStaff(ctx context.Context, actor string, st Staff) error {
	if _, err := ParseRole(string(st.Role)); err != nil {
		return err
	}
	if st.Channel == "" || st.UserID == "" {
		return fmt.Errorf("%w: staff needs a channel and a user id", ErrInvalid)
	}
	err := s.store.InTx(ctx, func(tx Repo) error {
		if err := tx.SaveStaff(ctx, st); err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{Actor: actor, Entity: "staff", Ref: st.Channel + ":" + st.UserID, Action: "save", To: string(st.Role), At: s.now()})
	})
	if err != nil {
		return fmt.Errorf("save staff %s:%s: %w", st.Channel, st.UserID, err)
	}
	return nil
}

// RemoveStaff deletes a staff identity.
func (s *Service) RemoveStaff(ctx context.Context, actor, channel, userID string) error {
	err := s.store.InTx(ctx, func(tx Repo) error {
		if err := tx.RemoveStaff(ctx, channel, userID); err != nil {
			return err
		}
		return audit(ctx, tx, AuditEntry{Actor: actor, Entity: "staff", Ref: channel + ":" + userID, Action: "remove", At: s.now()})
	})
	if err != nil {
		return fmt.Errorf("remove staff %s:%s: %w", channel, userID, err)
	}
	return nil
}

// ListStaff returns every staff identity.
func (s *Service) ListStaff(ctx context.Context) ([]Staff, error) {
	return s.store.ListStaff(ctx)
}

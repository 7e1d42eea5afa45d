package bot

import (
	"context"
	"fmt"
	"sync"

	"github.com/orderbot/orderbot/conversation"
)

// StockRepo reads the stock of a few products at once. A store that has it
// lets the core keep the catalog between messages (catalogCache) and read
// afresh only the stock a step shows; without it every step that shows
// products loads the whole catalog.
type StockRepo interface {
	StockOf(ctx context.Context, skus []string) (map[string]int, error)
}

// catalogCache is this replica's copy of the active catalog as the
// conversation sees it, valid for one catalog version. Other replicas
// change the catalog too, so it is used only when the version the
// message's customer lock read (InboundLock.CatalogVersion) is the one it
// was loaded at: a change anywhere raises the version in its transaction,
// and the next message here reloads. Its stock is stale by design (orders
// change it without a new version); steps get fresh stock (StockOf).
type catalogCache struct {
	mu       sync.Mutex
	version  int64
	products []conversation.Product // never changed once stored: shared by readers
	index    *conversation.CatalogIndex
	// loading holds, per version being loaded here, a channel closed when
	// that load ends: the messages that find no catalog at once wait for
	// the one load under way rather than each reading and indexing 10,000
	// products side by side.
	loading map[int64]chan struct{}
}

// getOrLoad returns the catalog at version when it is kept. Otherwise,
// when another message is loading it, it waits for that load and looks
// again; when none is, it makes the caller the loader (ok and wait both
// false), who must call loaded when done, whether or not it put the
// catalog.
func (c *catalogCache) getOrLoad(ctx context.Context, version int64) ([]conversation.Product, *conversation.CatalogIndex, bool, error) {
	for {
		c.mu.Lock()
		if c.products != nil && c.version == version {
			ps, index := c.products, c.index
			c.mu.Unlock()
			return ps, index, true, nil
		}
		wait, busy := c.loading[version]
		if !busy {
			if c.loading == nil {
				c.loading = map[int64]chan struct{}{}
			}
			c.loading[version] = make(chan struct{})
			c.mu.Unlock()
			return nil, nil, false, nil
		}
		c.mu.Unlock()
		select {
		case <-wait:
		case <-ctx.Done():
			return nil, nil, false, fmt.Errorf("wait for the catalog: %w", ctx.Err())
		}
	}
}

// loaded ends the load of version getOrLoad gave the caller.
func (c *catalogCache) loaded(version int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	close(c.loading[version])
	delete(c.loading, version)
}

// put keeps the catalog loaded at version. The catalog was read after the
// version in the same transaction, so it holds at least that version's
// changes; a later change makes it look stale and costs one reload only.
func (c *catalogCache) put(version int64, products []conversation.Product, index *conversation.CatalogIndex) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.products != nil && c.version > version {
		return // a newer one is kept
	}
	c.version, c.products, c.index = version, products, index
}

// loadCatalog puts the active catalog into the step's Env: the cached one
// when it is current, with the stock the step looks at read afresh
// (NeedStock), else from the database, with its stock as it is now.
func (s *Service) loadCatalog(ctx context.Context, e *lazyEnv) error {
	_, canStock := e.tx.(StockRepo)
	if canStock && e.catalogVersion != 0 {
		ps, index, ok, err := s.catalog.getOrLoad(ctx, e.catalogVersion)
		if err != nil {
			return err
		}
		if ok {
			e.env.Catalog, e.env.Index = ps, index
			return nil
		}
		defer s.catalog.loaded(e.catalogVersion)
	}
	products, err := e.tx.Products(ctx, true)
	if err != nil {
		return fmt.Errorf("load catalog: %w", err)
	}
	catalog := make([]conversation.Product, 0, len(products))
	for _, p := range products {
		catalog = append(catalog, conversation.Product{
			SKU: p.SKU, Name: p.Name, NameZH: p.NameZH, Category: p.Category, CategoryZH: p.CategoryZH,
			Description: p.Description, DescriptionZH: p.DescriptionZH, ImageURL: p.ImageURL,
			Price: p.Price, Stock: p.Stock,
		})
	}
	e.env.Catalog, e.env.Index = catalog, conversation.IndexCatalog(catalog)
	// Just read: its stock is fresh for this step.
	e.env.Omitted &^= conversation.NeedStock
	if canStock && e.catalogVersion != 0 {
		s.catalog.put(e.catalogVersion, catalog, e.env.Index)
	}
	return nil
}

// loadStock reads the stock of the products the step looked at.
func (s *Service) loadStock(ctx context.Context, e *lazyEnv, skus []string) error {
	sr, ok := e.tx.(StockRepo)
	if !ok {
		return fmt.Errorf("stock of %d products: the store cannot read stock alone", len(skus))
	}
	fresh, err := sr.StockOf(ctx, skus)
	if err != nil {
		return fmt.Errorf("load stock: %w", err)
	}
	if e.env.Stock == nil {
		e.env.Stock = make(map[string]int, len(skus))
	}
	for _, sku := range skus {
		e.env.Stock[sku] = fresh[sku] // a product gone since is out of stock
	}
	return nil
}

package api

import (
	"errors"
	"net/http"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/orderbot/orderbot/bot"
)

type productJSON struct {
	SKU           string `json:"sku"`
	Name          string `json:"name"`
	NameZH        string `json:"name_zh"`
	Category      string `json:"category"`
	CategoryZH    string `json:"category_zh"`
	Description   string `json:"description"`
	DescriptionZH string `json:"description_zh"`
	ImageURL      string `json:"image_url"`
	Price         int64  `json:"price"`
	Stock         int    `json:"stock"`
	Active        bool   `json:"active"`
}

func productOut(p bot.Product) productJSON {
	return productJSON{
		SKU: p.SKU, Name: p.Name, NameZH: p.NameZH, Category: p.Category, CategoryZH: p.CategoryZH,
		Description: p.Description, DescriptionZH: p.DescriptionZH, ImageURL: p.ImageURL, Price: p.Price, Stock: p.Stock, Active: p.Active,
	}
}

// productBody is the body of PUT /products/{sku}: the whole product, as a
// catalog CSV row has it. Name, price and stock are required, active
// defaults to true; sku, when given, must be the path's.
type productBody struct {
	SKU           *string `json:"sku"`
	Name          *string `json:"name"`
	NameZH        string  `json:"name_zh"`
	Category      string  `json:"category"`
	CategoryZH    string  `json:"category_zh"`
	Description   string  `json:"description"`
	DescriptionZH string  `json:"description_zh"`
	ImageURL      string  `json:"image_url"`
	Price         *int64  `json:"price"`
	Stock         *int    `json:"stock"`
	Active        *bool   `json:"active"`
}

// maxPrice keeps a price to what the catalog CSV can hold (40 bits).
const maxPrice = 1 << 40

func (b productBody) product(sku string) (bot.Product, error) {
	switch {
	case b.SKU != nil && *b.SKU != sku:
		return bot.Product{}, unprocessable("sku %q in the body is not the sku of the path", *b.SKU)
	case b.Name == nil, b.Price == nil, b.Stock == nil:
		return bot.Product{}, unprocessable("name, price and stock are required")
	case !printable(sku) || !printable(*b.Name) || !printable(b.NameZH) || !printable(b.Category) ||
		!printable(b.CategoryZH) || !printable(b.ImageURL):
		return bot.Product{}, unprocessable("sku, name, name_zh, category, category_zh and image_url must be printable text")
	case *b.Price >= maxPrice:
		return bot.Product{}, unprocessable("price is too large")
	case utf8.RuneCountInString(b.Category) > 100:
		return bot.Product{}, unprocessable("category must be at most 100 characters")
	case utf8.RuneCountInString(b.ImageURL) > 2000 || utf8.RuneCountInString(b.Description) > 5000:
		return bot.Product{}, unprocessable("image_url must be at most 2000 characters and description at most 5000")
	}
	p := bot.Product{
		SKU: sku, Name: strings.TrimSpace(*b.Name), NameZH: strings.TrimSpace(b.NameZH),
		Category: strings.TrimSpace(b.Category), CategoryZH: strings.TrimSpace(b.CategoryZH),
		Description: strings.TrimSpace(b.Description), DescriptionZH: strings.TrimSpace(b.DescriptionZH),
		ImageURL: strings.TrimSpace(b.ImageURL), Price: *b.Price, Stock: *b.Stock, Active: true,
	}
	if b.Active != nil {
		p.Active = *b.Active
	}
	return p, p.Validate()
}

// printable refuses invalid UTF-8 and control characters, which a path
// or a JSON string can carry and a one-line catalog field should not.
func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return false
		}
	}
	return true
}

func (h *Handler) listProducts(w http.ResponseWriter, r *http.Request, _ bot.Staff) error {
	if _, err := query(r); err != nil {
		return err
	}
	ps, err := h.store.Products(r.Context(), false)
	if err != nil {
		return err
	}
	items := make([]productJSON, len(ps))
	for i, p := range ps {
		items[i] = productOut(p)
	}
	writeJSON(w, http.StatusOK, struct {
		Items []productJSON `json:"items"`
	}{items})
	return nil
}

func (h *Handler) getProduct(w http.ResponseWriter, r *http.Request, _ bot.Staff) error {
	if _, err := query(r); err != nil {
		return err
	}
	sku := r.PathValue("sku")
	p, err := h.store.Product(r.Context(), sku)
	if errors.Is(err, bot.ErrNotFound) {
		return notFound("no product %q", sku)
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, productOut(p))
	return nil
}

// putProduct adds or replaces a product. Prices and stock are the shop's
// business, so it takes the admin role.
func (h *Handler) putProduct(w http.ResponseWriter, r *http.Request, who bot.Staff) error {
	if _, err := query(r); err != nil {
		return err
	}
	if !who.Role.AtLeast(bot.Admin) {
		return &apiError{http.StatusForbidden, codeForbidden, "changing products needs the admin role"}
	}
	var b productBody
	if err := decodeBody(w, r, &b); err != nil {
		return err
	}
	p, err := b.product(r.PathValue("sku"))
	if err != nil {
		return err
	}
	if err := h.core.ImportCatalog(r.Context(), who.Actor(), []bot.Product{p}); err != nil {
		return err
	}
	h.log.InfoContext(r.Context(), "api: product saved", "token", who.UserID, "sku", p.SKU)
	if p, err = h.store.Product(r.Context(), p.SKU); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, productOut(p))
	return nil
}

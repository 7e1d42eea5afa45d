package conversation

import (
	"strings"
	"testing"
)

// The Chinese category and description are shown to Chinese readers, the
// English ones to English readers and where the Chinese is missing; the
// product page carries its picture.
func TestChineseCatalogTexts(t *testing.T) {
	env := testEnv()
	env.Catalog[0].CategoryZH = "茶叶"
	env.Catalog[0].DescriptionZH = "明前采摘，100 克。"
	env.Catalog[0].ImageURL = "https://shop.example/green.jpg"
	cases := []struct {
		lang              Lang
		category, teaware string
		description, gone string
	}{
		{Chinese, "茶叶", "Teaware", "明前采摘，100 克。", "Spring harvest"},
		{English, "Tea", "Teaware", "Spring harvest, 100 g.", "明前"},
	}
	for _, c := range cases {
		t.Run(string(c.lang), func(t *testing.T) {
			tn := newTurn(env, State{Lang: c.lang, Stage: stageCategories}, c.lang)
			cats := tn.categoriesView().options()
			if cats[0].Label != c.category || cats[1].Label != c.teaware {
				t.Errorf("categories %+v, want %q and %q", cats, c.category, c.teaware)
			}
			tn.s.Stage, tn.s.Category, tn.s.Page = stageProducts, "Tea", 0
			if v := tn.productsView(); !strings.Contains(v.text, c.category) {
				t.Errorf("products heading %q lacks %q", v.text, c.category)
			}
			tn.s.Stage, tn.s.SKU = stageProduct, "TEA-GREEN"
			res := tn.show()
			r := res.Replies[0]
			if !strings.Contains(r.Text, c.description) || strings.Contains(r.Text, c.gone) {
				t.Errorf("product page %q: want %q, not %q", r.Text, c.description, c.gone)
			}
			if r.Image != "https://shop.example/green.jpg" {
				t.Errorf("product page image %q", r.Image)
			}
		})
	}
}

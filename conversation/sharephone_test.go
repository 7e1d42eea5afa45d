package conversation

import "testing"

func hasOption(opts []Option, key string) bool {
	for _, o := range opts {
		if o.Key == key {
			return true
		}
	}
	return false
}

func TestSharePhoneOnlyWhereTheChannelCan(t *testing.T) {
	for _, button := range []bool{false, true} {
		c := newChat(t, English)
		c.env.Profile = Contact{}
		c.env.ContactButton = button
		c.s.Cart = []CartLine{{SKU: "TEA-GREEN", Qty: 1}}
		c.press(keyCart)
		c.press(keyCheckout)
		c.text("Li Lei")
		c.wantStage(stagePhone)
		if got := hasOption(c.options(), KeySharePhone); got != button {
			t.Fatalf("ContactButton %v: share option offered = %v", button, got)
		}
	}

	c := newChat(t, Chinese)
	c.env.Profile = Contact{}
	c.env.ContactButton = true
	c.s.Cart = []CartLine{{SKU: "TEA-GREEN", Qty: 1}}
	c.press(keyCart)
	c.press(keyCheckout)
	c.text("李雷")
	c.text("1") // the option's number: only the button can share, so ask again
	c.wantStage(stagePhone)
	c.wantSays("手机号")
	c.send(Input{Phone: "+8613800138000"})
	c.wantStage(stageAddress)
	if c.s.Contact.Phone != "13800138000" {
		t.Fatalf("shared phone stored as %q", c.s.Contact.Phone)
	}
}

func TestCatalogWordOpensCategoriesFromAnywhere(t *testing.T) {
	for _, word := range []string{"商品目录", "catalog", "Browse"} {
		c := newChat(t, Chinese)
		c.text("help")
		c.text("human")
		c.text(word)
		c.wantStage(stageCategories)
	}
}

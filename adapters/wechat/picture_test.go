package wechat

import (
	"context"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store/storetest"
)

// A product with a picture: the push is only acknowledged (an answer holds
// one text), and the dispatcher sends the picture as a one-article 图文
// message and then the product's text with its options.
func TestProductPictureSentBeforeItsText(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), options{})
	ctx := context.Background()
	p, err := e.st.Product(ctx, "TEA")
	if err != nil {
		t.Fatal(err)
	}
	const pic = "https://shop.example/img/tea.jpg"
	p.ImageURL = pic
	if err := e.st.UpsertProducts(ctx, []bot.Product{p}); err != nil {
		t.Fatal(err)
	}
	c := e.customer(alice)
	c.say("菜单")
	c.choose("浏览商品")
	c.choose("Tea")
	if passive := c.choose("绿茶"); passive != "" {
		t.Fatalf("a reply with a picture was answered in place: %q", passive)
	}
	e.deliver()
	cs := e.api.csMessages()
	if len(cs) != 2 || cs[0].MsgType != "news" || cs[1].MsgType != "text" {
		t.Fatalf("customer-service messages %+v, want the picture then the text", cs)
	}
	if a := cs[0].News.Articles; len(a) != 1 || a[0].PicURL != pic || !strings.Contains(a[0].Title, "绿茶") {
		t.Fatalf("picture message %+v", cs[0].News)
	}
	if text := cs[1].Text.Content; !strings.Contains(text, "1. 加入购物车") {
		t.Fatalf("the product's text lacks its options: %q", text)
	}
	// The options under it work as usual, answered in place again.
	if reply := c.say("1"); !strings.Contains(reply, "要买几件") {
		t.Fatalf("after adding: %q", reply)
	}
}

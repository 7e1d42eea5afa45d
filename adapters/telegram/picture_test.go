package telegram

import (
	"context"
	"strings"
	"testing"

	tgbotapi "github.com/go-telegram-bot-api/telegram-bot-api/v5"

	"github.com/orderbot/orderbot/bot"
	"github.com/orderbot/orderbot/store/storetest"
)

const teaPicture = "https://shop.example/img/tea.jpg"

// withPicture gives the green tea a picture.
func withPicture(t *testing.T, e *env) {
	t.Helper()
	p, err := e.st.Product(context.Background(), "TEA-1")
	if err != nil {
		t.Fatal(err)
	}
	p.ImageURL = teaPicture
	if err := e.st.UpsertProducts(context.Background(), []bot.Product{p}); err != nil {
		t.Fatal(err)
	}
}

// A product with a picture is shown as a photo whose caption is the
// product's text and whose buttons are the reply's options: one message.
func TestProductPictureSentAsPhoto(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), false)
	withPicture(t, e)
	c := e.customer(5151, "Pic")
	c.say("menu")
	for _, k := range []string{"browse", "cat:Tea", "sku:TEA-1"} {
		e.answered(c.press(0, k))
	}
	var photo *apiCall
	for _, call := range e.api.callsOf("sendPhoto") {
		if call.chat() == c.id {
			photo = &call
		}
	}
	if photo == nil {
		t.Fatal("the product was not sent as a photo")
	}
	if got := photo.Params.Get("photo"); got != teaPicture {
		t.Fatalf("photo %q, want %q", got, teaPicture)
	}
	if caption := photo.Params.Get("caption"); !strings.Contains(caption, "Green tea") {
		t.Fatalf("caption %q does not describe the product", caption)
	}
	if !hasButton(photo.buttons(), "add") {
		t.Fatalf("the photo carries no add button: %+v", photo.buttons())
	}
	// The buttons under the photo work like any others.
	e.answered(c.press(0, "add"))
}

// When Telegram cannot fetch the picture, the customer still gets the
// product's text and buttons.
func TestRefusedPictureFallsBackToText(t *testing.T) {
	e := newEnv(t, storetest.SQLite(t), false)
	withPicture(t, e)
	c := e.customer(5252, "NoPic")
	c.say("menu")
	e.answered(c.press(0, "browse"))
	e.answered(c.press(0, "cat:Tea"))
	e.api.fail("sendPhoto", c.id, 1, 400, "Bad Request: wrong file identifier/HTTP URL specified", 0)
	before := len(e.api.callsOf("sendMessage"))
	e.answered(c.press(0, "sku:TEA-1"))
	msgs := e.api.callsOf("sendMessage")[before:]
	if len(msgs) != 1 || !strings.Contains(msgs[0].Params.Get("text"), "Green tea") || !hasButton(msgs[0].buttons(), "add") {
		t.Fatalf("after a refused picture, messages %+v", msgs)
	}
}

func hasButton(bs []tgbotapi.InlineKeyboardButton, key string) bool {
	for _, b := range bs {
		if data(b) == key {
			return true
		}
	}
	return false
}

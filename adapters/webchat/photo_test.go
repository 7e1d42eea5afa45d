package webchat

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/orderbot/orderbot/bot"
)

// TestChatPhotoAfterSales files an after-sales request with a photo
// through the chat API and looks at the photo as staff.
func TestChatPhotoAfterSales(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ch := e.chatter()
	o := e.shippedOrder(ch.id)
	photo := testPNG(t)

	ch.say("after-sales")
	ch.press("order:" + o.Number)
	ch.press("type:repair")
	ch.say("The lid arrived cracked.")
	res := e.postPhoto(ch.c, photoPart("id", "p-1"), photoPart("photo", photo))
	var first []message
	res.json(t, &first)
	if res.status != http.StatusOK || len(first) == 0 || !strings.Contains(first[len(first)-1].Text, "1 photo") {
		t.Fatalf("upload: %d %s", res.status, res.body)
	}
	// A retried upload is answered as the first was and adds no photo.
	var again []message
	e.postPhoto(ch.c, photoPart("id", "p-1"), photoPart("photo", photo)).json(t, &again)
	if len(again) != len(first) || again[0].ID != first[0].ID {
		t.Fatalf("repeated upload answered %+v, first %+v", again, first)
	}
	if summary := ch.press("done"); !strings.Contains(summary, "Photos: 1") {
		t.Fatalf("summary after one photo sent twice: %q", summary)
	}
	ch.press("submit")

	reqs, err := e.st.AfterSalesByOrder(t.Context(), o.ID)
	if err != nil || len(reqs) != 1 {
		t.Fatalf("after-sales %+v, %v", reqs, err)
	}
	media := reqs[0].Media
	if len(media) != 1 || !regexp.MustCompile(`^media:[1-9][0-9]*$`).MatchString(media[0]) {
		t.Fatalf("request media %q, want one media:N", media)
	}
	ref := media[0]

	staff := e.client()
	e.login(staff, "bob", bobPassword)
	var work cardsResponse
	e.get(staff, "/staff/api/cards").json(t, &work)
	cardRef := fmt.Sprintf("after_sales:%d", reqs[0].ID)
	if i := slices.IndexFunc(work.Cards, func(c bot.Card) bool { return c.Ref == cardRef }); i < 0 || !slices.Equal(work.Cards[i].Media, media) {
		t.Fatalf("open work has no card %s with media %q: %+v", cardRef, media, work.Cards)
	}

	got := e.get(staff, "/staff/media/"+ref)
	if got.status != http.StatusOK || !bytes.Equal(got.body, photo) {
		t.Fatalf("photo as staff: %d, %d bytes, want %d", got.status, len(got.body), len(photo))
	}
	for k, want := range map[string]string{
		"Content-Type":            "image/png",
		"Content-Disposition":     "inline",
		"X-Content-Type-Options":  "nosniff",
		"Cache-Control":           "private, max-age=3600",
		"Content-Security-Policy": mediaCSP,
	} {
		if v := got.header.Get(k); v != want {
			t.Errorf("%s: %q, want %q", k, v, want)
		}
	}

	// Without a session there is no photo, only the way to log in.
	if res := e.get(e.client(), "/staff/media/"+ref); res.status != http.StatusSeeOther || bytes.Contains(res.body, photo[:16]) {
		t.Fatalf("photo without session: %d", res.status)
	}
	// Nor for the customer who sent it: the console is for staff.
	if res := e.get(ch.c, "/staff/media/"+ref); res.status != http.StatusSeeOther {
		t.Fatalf("photo for the customer: %d", res.status)
	}
	for _, bad := range []string{"media:99999", "media:0", "media:x", "media:" + ref, "photo-large", "wechat-media:MEDIA-1"} {
		if res := e.get(staff, "/staff/media/"+bad); res.status != http.StatusNotFound {
			t.Errorf("%s: %d, want 404", bad, res.status)
		}
	}
}

// TestChatPhotoRejects checks that a photo upload that will not do is
// refused before anything is stored or said.
func TestChatPhotoRejects(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	photo := testPNG(t)
	// Starts like a PNG, so only its size is wrong.
	big := func(n int) []byte { return append(slices.Clip(photo), make([]byte, n-len(photo))...) }
	tests := []struct {
		name   string
		parts  []part
		status int
		say    string
	}{
		{"text disguised as a png", []part{photoPart("id", "x"), {"photo", "photo.png", []byte("just some text, honestly a photo")}}, http.StatusBadRequest, "only JPEG"},
		{"empty photo", []part{photoPart("id", "x"), photoPart("photo", []byte{})}, http.StatusBadRequest, "photo"},
		{"photo over the limit", []part{photoPart("id", "x"), photoPart("photo", big(bot.MaxMediaBytes+1))}, http.StatusRequestEntityTooLarge, "too large"},
		// The photo is fine, a field no one reads is not.
		{"body over the limit", []part{photoPart("id", "x"), photoPart("photo", photo), photoPart("junk", strings.Repeat("j", maxPhotoBody))}, http.StatusRequestEntityTooLarge, "too large"},
		{"missing id", []part{photoPart("photo", photo)}, http.StatusBadRequest, "id"},
		{"id with odd characters", []part{photoPart("id", "a b<"), photoPart("photo", photo)}, http.StatusBadRequest, "id"},
		{"id too long", []part{photoPart("id", strings.Repeat("a", 65)), photoPart("photo", photo)}, http.StatusBadRequest, "id"},
		{"no photo", []part{photoPart("id", "x")}, http.StatusBadRequest, "photo"},
		{"two photos", []part{photoPart("id", "x"), photoPart("photo", photo), photoPart("photo", photo)}, http.StatusBadRequest, "one photo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := e.client()
			cust := e.customer(c)
			res := e.postPhoto(c, tt.parts...)
			if res.status != tt.status || !strings.Contains(res.errorText(t), tt.say) {
				t.Fatalf("%d %s, want %d saying %q", res.status, res.body, tt.status, tt.say)
			}
			e.noMedia(cust)
		})
	}
	t.Run("not multipart", func(t *testing.T) {
		c := e.client()
		cust := e.customer(c)
		res := e.postJSON(c, "/chat/api/photo", map[string]string{"id": "x", "photo": "iVBORw0KGgo="}, nil)
		if res.status != http.StatusBadRequest {
			t.Fatalf("%d %s", res.status, res.body)
		}
		e.noMedia(cust)
	})
	t.Run("wrong method", func(t *testing.T) {
		if res := e.get(e.client(), "/chat/api/photo"); res.status != http.StatusMethodNotAllowed {
			t.Fatalf("%d", res.status)
		}
	})
}

// noMedia fails when anything was stored, or the customer was answered.
func (e *testEnv) noMedia(cust string) {
	e.t.Helper()
	if _, err := e.svc.MediaByRef(e.t.Context(), "media:1"); !errors.Is(err, bot.ErrNotFound) {
		e.t.Fatalf("a refused upload was stored: %v", err)
	}
	if n := len(e.feed(cust)); n != 0 {
		e.t.Fatalf("a refused upload was answered with %d messages", n)
	}
}

// testPNG encodes a small real PNG.
func testPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 4, 3))
	for x := range 4 {
		for y := range 3 {
			img.Set(x, y, color.RGBA{R: uint8(60 * x), G: uint8(80 * y), B: 200, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// part is one part of a multipart form; a file when it has a file name.
type part struct {
	name, filename string
	data           []byte
}

// photoPart is the form field id, or a file field with a PNG's name.
func photoPart(name string, v any) part {
	switch v := v.(type) {
	case string:
		return part{name: name, data: []byte(v)}
	case []byte:
		return part{name: name, filename: "photo.png", data: v}
	}
	panic(fmt.Sprintf("photoPart %T", v))
}

// postPhoto posts a multipart form to /chat/api/photo, files declared as
// image/png whatever they hold.
func (e *testEnv) postPhoto(c *http.Client, parts ...part) response {
	e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for _, p := range parts {
		h := make(map[string][]string)
		disp := fmt.Sprintf(`form-data; name=%q`, p.name)
		if p.filename != "" {
			disp += fmt.Sprintf(`; filename=%q`, p.filename)
			h["Content-Type"] = []string{"image/png"}
		}
		h["Content-Disposition"] = []string{disp}
		w, err := mw.CreatePart(h)
		if err == nil {
			_, err = w.Write(p.data)
		}
		if err != nil {
			e.t.Fatal(err)
		}
	}
	if err := mw.Close(); err != nil {
		e.t.Fatal(err)
	}
	return e.do(c, http.MethodPost, "/chat/api/photo", &body, map[string]string{"Content-Type": mw.FormDataContentType()})
}

// shippedOrder gives the customer an order staff approved and shipped, so
// it may get after-sales service.
func (e *testEnv) shippedOrder(customerID string) *bot.Order {
	e.t.Helper()
	o := e.placeOrder(customerID)
	for _, a := range []bot.StaffAction{
		{Action: bot.ActApprove},
		{Action: bot.ActShip, Carrier: "SF Express", Tracking: "SF1234567890"},
	} {
		a.Channel, a.UserID, a.Ref, a.Version = bot.WebChat, "alice", fmt.Sprintf("order:%d", o.ID), e.order(o.ID).Version
		if _, err := e.svc.HandleStaffAction(e.t.Context(), a); err != nil {
			e.t.Fatalf("%s: %v", a.Action, err)
		}
	}
	return e.order(o.ID)
}

// chatter is a customer talking through the chat API.
type chatter struct {
	e  *testEnv
	c  *http.Client
	id string
	n  int
}

func (e *testEnv) chatter() *chatter {
	e.t.Helper()
	c := e.client()
	return &chatter{e: e, c: c, id: e.customer(c)}
}

// say sends text and returns the replies' texts.
func (ch *chatter) say(text string) string {
	ch.e.t.Helper()
	return ch.send(map[string]string{"text": text})
}

// press presses the option with key and returns the replies' texts.
func (ch *chatter) press(key string) string {
	ch.e.t.Helper()
	return ch.send(map[string]string{"button": key})
}

func (ch *chatter) send(body map[string]string) string {
	ch.e.t.Helper()
	ch.n++
	body["id"] = "m-" + strconv.Itoa(ch.n)
	res := ch.e.postJSON(ch.c, "/chat/api/send", body, nil)
	var replies []message
	res.json(ch.e.t, &replies)
	if res.status != http.StatusOK || len(replies) == 0 {
		ch.e.t.Fatalf("send %v: %d %s", body, res.status, res.body)
	}
	texts := make([]string, len(replies))
	for i, m := range replies {
		texts[i] = m.Text
	}
	return strings.Join(texts, "\n")
}

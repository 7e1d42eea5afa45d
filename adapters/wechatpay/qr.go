package wechatpay

import (
	"errors"
	"fmt"
	"net/http"

	qrcode "github.com/skip2/go-qrcode"
)

// qrSize is the PNG's width and height in pixels: large enough to scan from
// a phone held to a laptop screen.
const qrSize = 320

// QRCode renders a Native code_url as a PNG QR code.
func QRCode(codeURL string) ([]byte, error) {
	// Medium error correction scans well off screens and keeps the code
	// coarse enough for small displays.
	png, err := qrcode.Encode(codeURL, qrcode.Medium, qrSize)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: QR code: %w", err)
	}
	return png, nil
}

// serveQR handles GET /wechatpay/qr: a signed link for one order answers
// the QR code of a Native payment of its amount to pay.
func (a *Adapter) serveQR(w http.ResponseWriter, r *http.Request) {
	number, _, err := a.links.check(linkQR, r.URL.Query())
	switch {
	case errors.Is(err, errLinkExpired):
		http.Error(w, "link expired", http.StatusGone)
		return
	case err != nil:
		http.Error(w, "link not valid", http.StatusForbidden)
		return
	}
	o, err := a.orders.Payable(r.Context(), number)
	if errors.Is(err, ErrNotPayable) {
		http.Error(w, "order not payable", http.StatusConflict)
		return
	}
	if err != nil {
		a.log.ErrorContext(r.Context(), "wechatpay qr: order", "order", number, "err", err)
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	codeURL, err := a.Native(r.Context(), o)
	if err != nil {
		a.log.ErrorContext(r.Context(), "wechatpay qr: prepay", "order", number, "err", err)
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	png, err := QRCode(codeURL)
	if err != nil {
		a.log.ErrorContext(r.Context(), "wechatpay qr", "order", number, "err", err)
		http.Error(w, "unavailable", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(png)
}

package wechatpay

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/url"
	"strconv"
	"time"
)

// links makes and checks the signed, expiring links to the pay page and
// the QR code: whoever has one may pay that order, and nobody can make one
// for another order or another payer.
type links struct {
	key  []byte
	base string
	ttl  time.Duration
	now  func() time.Time
}

// The kinds of link; each is signed with its own kind, so a QR link cannot
// be turned into a pay-page link for another OpenID.
const (
	linkPay = "pay"
	linkQR  = "qr"
)

var (
	errLinkInvalid = errors.New("wechatpay: link signature is not valid")
	errLinkExpired = errors.New("wechatpay: link has expired")
)

// newLinks derives the link key from the APIv3 key, a secret the server
// has anyway, under a label of its own so that neither use leaks the other.
func newLinks(apiV3Key, base string, ttl time.Duration, now func() time.Time) links {
	m := hmac.New(sha256.New, []byte(apiV3Key))
	m.Write([]byte("orderbot wechatpay link key"))
	return links{key: m.Sum(nil), base: base, ttl: ttl, now: now}
}

func (l links) sign(kind, number, openID string, exp int64) string {
	m := hmac.New(sha256.New, l.key)
	// Lengths first, so that no two argument lists give the same message.
	for _, s := range []string{kind, number, openID, strconv.FormatInt(exp, 10)} {
		m.Write([]byte(strconv.Itoa(len(s)) + ":" + s))
	}
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func (l links) make(path, kind, number, openID string) string {
	exp := l.now().Add(l.ttl).Unix()
	q := url.Values{"order": {number}, "exp": {strconv.FormatInt(exp, 10)}, "sig": {l.sign(kind, number, openID, exp)}}
	if openID != "" {
		q.Set("openid", openID)
	}
	return l.base + path + "?" + q.Encode()
}

// check returns the order number and OpenID of a link of kind.
func (l links) check(kind string, q url.Values) (number, openID string, err error) {
	number, openID = q.Get("order"), q.Get("openid")
	exp, err := strconv.ParseInt(q.Get("exp"), 10, 64)
	if err != nil || number == "" {
		return "", "", errLinkInvalid
	}
	want := l.sign(kind, number, openID, exp)
	if !hmac.Equal([]byte(want), []byte(q.Get("sig"))) {
		return "", "", errLinkInvalid
	}
	if l.now().Unix() > exp {
		return "", "", errLinkExpired
	}
	return number, openID, nil
}

// PayPageURL is the link to the JSAPI pay page of the order for the
// customer with openID, to be sent to that customer in the 公众号. It
// works for Config.LinkTTL.
func (a *Adapter) PayPageURL(number, openID string) string {
	return a.links.make("/wechatpay/pay", linkPay, number, openID)
}

// QRURL is the link to the order's Native QR code (a PNG), for the web
// chat to show. It works for Config.LinkTTL.
func (a *Adapter) QRURL(number string) string {
	return a.links.make("/wechatpay/qr", linkQR, number, "")
}

package wechatpay

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"html/template"
	"net/http"
	"strings"

	"github.com/orderbot/orderbot/conversation"
)

// pageText is the pay page's wording in both languages.
type pageText struct {
	Title, Order, Amount, Pay, Paying, Done, Cancelled, Failed, NotWeChat string
	Expired, Invalid, NotPayable, Unavailable                             string
}

var pageTexts = map[conversation.Lang]pageText{
	conversation.Chinese: {
		Title: "微信支付", Order: "订单", Amount: "应付金额", Pay: "立即支付", Paying: "正在打开微信支付…",
		Done:        "支付完成，请回到对话查看订单状态。",
		Cancelled:   "您取消了支付，可以再次点击“立即支付”。",
		Failed:      "支付没有成功，请稍后再试，或回到对话联系客服。",
		NotWeChat:   "请在微信中打开此页面完成支付。",
		Expired:     "支付链接已过期，请回到对话重新获取。",
		Invalid:     "支付链接无效，请回到对话重新获取。",
		NotPayable:  "这笔订单现在无需支付（可能已支付或已取消），请回到对话查看订单状态。",
		Unavailable: "微信支付暂时不可用，请稍后再试。",
	},
	conversation.English: {
		Title: "WeChat Pay", Order: "Order", Amount: "Amount to pay", Pay: "Pay now", Paying: "Opening WeChat Pay…",
		Done:        "Payment complete. Go back to the chat to see your order.",
		Cancelled:   "You cancelled the payment. Tap “Pay now” to try again.",
		Failed:      "The payment did not go through. Try again later, or ask us in the chat.",
		NotWeChat:   "Open this page in WeChat to pay.",
		Expired:     "This payment link has expired. Ask for a new one in the chat.",
		Invalid:     "This payment link is not valid. Ask for a new one in the chat.",
		NotPayable:  "This order needs no payment now (it may be paid or cancelled). Go back to the chat to see it.",
		Unavailable: "WeChat Pay is not available right now. Please try again later.",
	},
}

// pageData fills payPage; Params is nil on a page that only says Message.
type pageData struct {
	T       pageText
	Lang    string
	Nonce   string
	Number  string
	Amount  string
	Params  *BridgeParams
	Message string
}

// payPage calls WeixinJSBridge with the signed parameters at once and again
// on the button. The bridge's answer only shows the customer a message: the
// order is marked paid by the verified notification, never by the page.
var payPage = template.Must(template.New("pay").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>{{.T.Title}}</title>
<style nonce="{{.Nonce}}">body{font-family:-apple-system,"PingFang SC","Helvetica Neue",sans-serif;margin:0;padding:24px;background:#f5f5f5;color:#222}
.card{background:#fff;border-radius:8px;padding:24px;max-width:420px;margin:0 auto;text-align:center}
.amount{font-size:32px;font-weight:600;margin:12px 0 24px}
button{width:100%;padding:14px;font-size:17px;border:0;border-radius:6px;background:#07c160;color:#fff}
#msg{margin-top:16px;color:#555}</style></head>
<body><div class="card">
{{if .Params}}<div>{{.T.Order}} {{.Number}}</div>
<div>{{.T.Amount}}</div><div class="amount">{{.Amount}}</div>
<button id="pay" type="button">{{.T.Pay}}</button><p id="msg"></p>
<script nonce="{{.Nonce}}">
(function(){
var params = {{.Params}};
var text = {done: {{.T.Done}}, cancelled: {{.T.Cancelled}}, failed: {{.T.Failed}}, paying: {{.T.Paying}}, notWeChat: {{.T.NotWeChat}}};
var msg = document.getElementById("msg"), button = document.getElementById("pay");
function pay() {
  if (typeof WeixinJSBridge === "undefined") { msg.textContent = text.notWeChat; return; }
  msg.textContent = text.paying;
  WeixinJSBridge.invoke("getBrandWCPayRequest", params, function(res) {
    if (res.err_msg === "get_brand_wcpay_request:ok") { msg.textContent = text.done; button.disabled = true; }
    else if (res.err_msg === "get_brand_wcpay_request:cancel") { msg.textContent = text.cancelled; }
    else { msg.textContent = text.failed; }
  });
}
button.addEventListener("click", pay);
if (typeof WeixinJSBridge === "undefined") { document.addEventListener("WeixinJSBridgeReady", pay, false); }
else { pay(); }
})();
</script>{{else}}<p>{{.Message}}</p>{{end}}
</div></body></html>
`))

// servePayPage handles GET /wechatpay/pay: a signed link for one order and
// one payer opens WeChat's payment of the order's amount to pay.
func (a *Adapter) servePayPage(w http.ResponseWriter, r *http.Request) {
	lang := langOf(r)
	t := pageTexts[lang]
	d := pageData{T: t, Lang: "en", Nonce: nonce()}
	if lang == conversation.Chinese {
		d.Lang = "zh-CN"
	}
	number, openID, err := a.links.check(linkPay, r.URL.Query())
	if err == nil && openID == "" {
		err = errLinkInvalid
	}
	if err != nil {
		d.Message = t.Invalid
		if errors.Is(err, errLinkExpired) {
			d.Message = t.Expired
		}
		a.renderPage(w, http.StatusForbidden, d)
		return
	}
	o, err := a.orders.Payable(r.Context(), number)
	if err != nil {
		status := http.StatusConflict
		d.Message = t.NotPayable
		if !errors.Is(err, ErrNotPayable) {
			a.log.ErrorContext(r.Context(), "wechatpay pay page: order", "order", number, "err", err)
			status, d.Message = http.StatusServiceUnavailable, t.Unavailable
		}
		a.renderPage(w, status, d)
		return
	}
	params, err := a.JSAPI(r.Context(), o, openID)
	if IsAPIError(err, "ORDERPAID") { // paid, and the notification is on its way
		d.Message = t.NotPayable
		a.renderPage(w, http.StatusConflict, d)
		return
	}
	if err != nil {
		a.log.ErrorContext(r.Context(), "wechatpay pay page: prepay", "order", number, "err", err)
		d.Message = t.Unavailable
		a.renderPage(w, http.StatusBadGateway, d)
		return
	}
	d.Number, d.Params = o.Number, &params
	d.Amount = conversation.FormatMoneyFor(lang, "¥", o.Amount)
	a.renderPage(w, http.StatusOK, d)
}

func (a *Adapter) renderPage(w http.ResponseWriter, status int, d pageData) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	// The link is a capability: keep it out of caches and Referer headers.
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; script-src 'nonce-"+d.Nonce+"'; style-src 'nonce-"+d.Nonce+"'; frame-ancestors 'none'")
	w.WriteHeader(status)
	if err := payPage.Execute(w, d); err != nil {
		a.log.Error("wechatpay pay page", "err", err)
	}
}

// langOf picks the page's language from the browser's first preference:
// inside WeChat that is the language the customer set in WeChat.
func langOf(r *http.Request) conversation.Lang {
	first, _, _ := strings.Cut(r.Header.Get("Accept-Language"), ",")
	first, _, _ = strings.Cut(first, ";")
	if first == "" {
		return conversation.Chinese
	}
	return conversation.ParseLang(first)
}

func nonce() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawStdEncoding.EncodeToString(b)
}

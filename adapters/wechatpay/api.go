package wechatpay

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/wechatpay-apiv3/wechatpay-go/core"
	"github.com/wechatpay-apiv3/wechatpay-go/core/option"
	"github.com/wechatpay-apiv3/wechatpay-go/services/payments/jsapi"
	"github.com/wechatpay-apiv3/wechatpay-go/services/payments/native"
	"github.com/wechatpay-apiv3/wechatpay-go/services/refunddomestic"
)

// api holds the SDK's services, which share one signing, verifying client.
type api struct {
	jsapi   jsapi.JsapiApiService
	native  native.NativeApiService
	refunds refunddomestic.RefundsApiService
}

func newAPI(cfg Config, k keys) (*api, error) {
	httpClient, err := cfg.httpClient()
	if err != nil {
		return nil, err
	}
	// The SDK verifies the signature of every answer (and its timestamp)
	// with the same verifier as notifications.
	c, err := core.NewClient(context.Background(),
		option.WithMerchantCredential(cfg.MchID, cfg.MchSerial, k.private),
		option.WithVerifier(k.verifier),
		option.WithHTTPClient(httpClient),
	)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: client: %w", err)
	}
	return &api{
		jsapi:   jsapi.JsapiApiService{Client: c},
		native:  native.NativeApiService{Client: c},
		refunds: refunddomestic.RefundsApiService{Client: c},
	}, nil
}

// httpClient is the SDK's HTTP client, sent to APIURL.
func (cfg Config) httpClient() (*http.Client, error) {
	c := &http.Client{Timeout: defaultHTTPTimeout}
	if cfg.HTTPClient != nil {
		copied := *cfg.HTTPClient
		c = &copied
	}
	if cfg.APIURL == DefaultAPIURL {
		return c, nil
	}
	base, err := url.Parse(cfg.APIURL)
	if err != nil {
		return nil, fmt.Errorf("wechatpay: API URL: %w", err)
	}
	next := c.Transport
	if next == nil {
		next = http.DefaultTransport
	}
	c.Transport = rebase{base: base, next: next}
	return c, nil
}

// rebase sends every request to another base URL: the SDK's hosts are
// constants, and tests (or a proxy in front of WeChat Pay) need them
// elsewhere.
type rebase struct {
	base *url.URL
	next http.RoundTripper
}

func (r rebase) RoundTrip(req *http.Request) (*http.Response, error) {
	out := req.Clone(req.Context())
	out.URL.Scheme = r.base.Scheme
	out.URL.Host = r.base.Host
	out.URL.Path = strings.TrimSuffix(r.base.Path, "/") + req.URL.Path
	out.URL.RawPath = ""
	out.Host = r.base.Host
	return r.next.RoundTrip(out)
}

// APIError is WeChat Pay's refusal of a call: its HTTP status and error
// code (such as ORDER_NOT_EXIST, NOT_ENOUGH, ORDERPAID).
type APIError struct {
	Op      string
	Status  int
	Code    string
	Message string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("wechatpay %s: %d %s: %s", e.Op, e.Status, e.Code, e.Message)
}

// apiErr turns the SDK's error, whose text carries every response header,
// into an APIError; other errors (network, a bad signature on the answer)
// are wrapped as they are.
func apiErr(op string, err error) error {
	var e *core.APIError
	if errors.As(err, &e) {
		return &APIError{Op: op, Status: e.StatusCode, Code: e.Code, Message: e.Message}
	}
	return fmt.Errorf("wechatpay %s: %w", op, err)
}

func apiErrOrNil(op string, err error) error {
	if err == nil {
		return nil
	}
	return apiErr(op, err)
}

// IsAPIError reports whether err is WeChat Pay's refusal with code.
func IsAPIError(err error, code string) bool {
	var e *APIError
	return errors.As(err, &e) && e.Code == code
}

// description is what the payer's bill shows: WeChat takes at most 127
// bytes, cut here on a character boundary.
func description(o Order) string {
	d := o.Description
	if d == "" {
		d = "订单 " + o.Number
	}
	for len(d) > 127 {
		_, size := utf8.DecodeLastRuneInString(d)
		d = d[:len(d)-size]
	}
	return d
}
